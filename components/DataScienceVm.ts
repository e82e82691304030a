import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as devtestlab from "@pulumi/azure-native/devtestlab";
import * as network from "@pulumi/azure-native/network";
import * as random from "@pulumi/random";
import { AAD_SSH_LOGIN_EXTENSION, AAD_WINDOWS_LOGIN_EXTENSION, BUILTIN_ROLES, DSVM_IMAGE, DSVM_WINDOWS_IMAGE, SeatOs } from "../lib/azure";
import { shutdownScheduleName } from "../lib/naming";
import { grant, PrincipalType, roleIdIn } from "./role-assignment";

export interface DataScienceVmArgs {
  /** Resource group that holds the VM, its NIC and its schedule. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region. */
  readonly location: string;
  /** The VM's Azure name; also its host name (at most 15 characters on Windows: lib/config checks). */
  readonly vmName: string;
  /** `ubuntu` (default): the Ubuntu DSVM, SSH key only. `windows`: the Windows Server DSVM, Entra ID sign-in over RDP. */
  readonly os?: SeatOs;
  /** Subnet the NIC attaches to. */
  readonly subnetId: pulumi.Input<string>;
  /** VM size; must support Generation 2 images. */
  readonly vmSize: string;
  /** OS disk size in GiB, at least the image's own. */
  readonly osDiskSizeGb: number;
  /** Admin user (Linux or Windows). */
  readonly adminUsername: string;
  /** OpenSSH public key: the only way in to an Ubuntu seat, which has no password. Unused on Windows. */
  readonly sshPublicKey: string;
  /** Daily auto-shutdown: `time` as HHmm, `timeZone` as a Windows time zone id. */
  readonly autoShutdown: { readonly time: string; readonly timeZone: string };
  /** Give the VM a public IP. Only when admin CIDRs are configured; the NSG still admits only those (SSH or RDP). */
  readonly publicIp?: boolean;
  /**
   * Entra sign-in for lab users: "Virtual Machine User Login" on this VM for the group, and on Ubuntu the
   * AADSSHLoginForLinux extension (Windows seats always have AADLoginForWindows). Absent on Ubuntu: neither exists, and
   * the admin's SSH key is the only way in.
   */
  readonly labUsers?: {
    /** Object id of the lab-users Entra group. */
    readonly groupObjectId: string;
    /** Subscription of the built-in role definition. */
    readonly subscriptionId: pulumi.Input<string>;
  };
  /**
   * Windows seats: who holds "Virtual Machine Administrator Login" on this VM (the deploying principal, then each
   * operator). Required on Windows, where Entra ID is the only way in: the admin password is one nobody knows.
   */
  readonly adminLogin?: {
    readonly principalIds: readonly pulumi.Input<string>[];
    /** Their Entra object type (config operatorPrincipalType): omitted, the SDK sends "User"; wrong, Azure refuses. */
    readonly principalType: PrincipalType;
    /** Subscription of the built-in role definition. */
    readonly subscriptionId: pulumi.Input<string>;
  };
}

/**
 * One seat: a Data Science VM with a system-assigned managed identity (seed step 1), a NIC with no public IP by
 * default, and a DevTest Labs auto-shutdown schedule. Ubuntu 22.04 DSVM: SSH-key-only sign-in. Windows Server 2022
 * DSVM: Azure requires an admin password, so it is a generated one that nobody knows (a RandomPassword, secret in
 * state, never an output); people sign in with Entra ID. Disk and NIC are deleted with the VM.
 */
export class DataScienceVm extends pulumi.ComponentResource {
  /** The VM's resource id. */
  readonly vmId: pulumi.Output<string>;
  /** The VM's Azure name. */
  readonly vmName: pulumi.Output<string>;
  /** Object id of the VM's system-assigned identity: what vault policies and role assignments name. */
  readonly principalId: pulumi.Output<string>;
  /** The NIC's private IP in the lab subnet. */
  readonly privateIp: pulumi.Output<string>;
  /** The public IP, when one was asked for. */
  readonly publicIpAddress: pulumi.Output<string | undefined>;
  /**
   * The Entra sign-in extension (every Windows seat; Ubuntu seats with lab users). Azure runs one extension operation
   * per VM at a time, so anything else that runs on this VM (the in-VM check's run command) waits for it.
   */
  readonly loginExtension?: compute.VirtualMachineExtension;

  constructor(name: string, args: DataScienceVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:DataScienceVm", name, {}, opts);
    const common = { resourceGroupName: args.resourceGroupName, location: args.location };
    const parent = { parent: this };
    const windows = args.os === "windows";
    if (windows && !(args.adminLogin && args.adminLogin.principalIds.length > 0)) {
      throw new Error(
        `DataScienceVm ${name}: a Windows seat needs args.adminLogin with at least one principal id (Entra ID is the only way in)`,
      );
    }

    const pip = args.publicIp
      ? new network.PublicIPAddress(
          `${name}-ip`,
          {
            ...common,
            publicIpAddressName: `${args.vmName}-ip`,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
          },
          parent,
        )
      : undefined;

    const nic = new network.NetworkInterface(
      `${name}-nic`,
      {
        ...common,
        networkInterfaceName: `${args.vmName}-nic`,
        ipConfigurations: [
          {
            name: "ipconfig1",
            primary: true,
            subnet: { id: args.subnetId },
            privateIPAllocationMethod: "Dynamic",
            ...(pip ? { publicIPAddress: { id: pip.id } } : {}),
          },
        ],
      },
      parent,
    );

    const vm = new compute.VirtualMachine(
      `${name}-vm`,
      {
        ...common,
        vmName: args.vmName,
        identity: { type: "SystemAssigned" },
        hardwareProfile: { vmSize: args.vmSize },
        storageProfile: {
          imageReference: windows ? { ...DSVM_WINDOWS_IMAGE } : { ...DSVM_IMAGE },
          osDisk: {
            name: `${args.vmName}-osdisk`,
            createOption: "FromImage",
            diskSizeGB: args.osDiskSizeGb,
            managedDisk: { storageAccountType: "Premium_LRS" },
            deleteOption: "Delete",
          },
        },
        osProfile: windows
          ? {
              computerName: args.vmName,
              adminUsername: args.adminUsername,
              adminPassword: pulumi.secret(this.unknownAdminPassword(name)),
              allowExtensionOperations: true,
              windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true },
            }
          : {
              computerName: args.vmName,
              adminUsername: args.adminUsername,
              // Run command (the in-VM checks) needs extensions; no password is ever set.
              allowExtensionOperations: true,
              linuxConfiguration: {
                disablePasswordAuthentication: true,
                provisionVMAgent: true,
                ssh: { publicKeys: [{ path: `/home/${args.adminUsername}/.ssh/authorized_keys`, keyData: args.sshPublicKey }] },
              },
            },
        networkProfile: { networkInterfaces: [{ id: nic.id, primary: true, deleteOption: "Delete" }] },
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      },
      parent,
    );

    new devtestlab.GlobalSchedule(
      `${name}-shutdown`,
      {
        ...common,
        name: shutdownScheduleName(args.vmName),
        status: "Enabled",
        taskType: "ComputeVmShutdownTask",
        dailyRecurrence: { time: args.autoShutdown.time },
        timeZoneId: args.autoShutdown.timeZone,
        targetResourceId: vm.id,
        notificationSettings: { status: "Disabled" },
      },
      parent,
    );

    // Ubuntu seats sign in by SSH key, so Entra sign-in is for lab users only; Windows seats always have it.
    if (args.labUsers || windows) {
      const login = windows ? AAD_WINDOWS_LOGIN_EXTENSION : AAD_SSH_LOGIN_EXTENSION;
      this.loginExtension = new compute.VirtualMachineExtension(
        `${name}-aadssh`,
        { ...common, vmName: vm.name, vmExtensionName: login.type, ...login, autoUpgradeMinorVersion: true },
        parent,
      );
    }
    const loginRole = (
      label: string,
      principalId: pulumi.Input<string>,
      principalType: PrincipalType,
      subscriptionId: pulumi.Input<string>,
      roleGuid: string,
      description: string,
    ) =>
      grant(
        `${name}-${label}`,
        { principalId, principalType, roleDefinitionId: roleIdIn(subscriptionId, roleGuid), scope: vm.id, description },
        parent,
      );
    if (args.labUsers) {
      const { groupObjectId, subscriptionId } = args.labUsers;
      loginRole(
        "userlogin",
        groupObjectId,
        "Group",
        subscriptionId,
        BUILTIN_ROLES.virtualMachineUserLogin,
        `Lab users sign in to ${args.vmName} with Entra ID (dsvm-identity-lab)`,
      );
    }
    if (windows && args.adminLogin) {
      const { principalIds, principalType, subscriptionId } = args.adminLogin;
      principalIds.forEach((id, i) =>
        loginRole(
          `adminlogin${i + 1}`,
          id,
          principalType,
          subscriptionId,
          BUILTIN_ROLES.virtualMachineAdministratorLogin,
          `${i === 0 ? "Deploying principal" : "Lab operator"} signs in to ${args.vmName} as administrator with Entra ID (dsvm-identity-lab)`,
        ),
      );
    }

    this.vmId = vm.id;
    this.vmName = vm.name;
    this.principalId = vm.identity.apply((i) => {
      if (!i?.principalId && !pulumi.runtime.isDryRun()) throw new Error(`VM ${args.vmName} came back without a system-assigned identity`);
      return i?.principalId ?? "";
    });
    this.privateIp = nic.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
    this.publicIpAddress = pip ? pip.ipAddress : pulumi.output(undefined);
    this.registerOutputs({ vmId: this.vmId, vmName: this.vmName, principalId: this.principalId, privateIp: this.privateIp });
  }

  /**
   * Windows' admin password: Azure requires one, so it is 32 random characters from all four classes (Azure's
   * complexity rule) that no one ever sees: secret in state, never an output, never logged. Sign-in is through Entra ID.
   */
  private unknownAdminPassword(name: string): pulumi.Output<string> {
    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: true, minUpper: 1, minLower: 1, minNumeric: 1, minSpecial: 1, overrideSpecial: "!#%*()-_=+[]{}:?" },
      { parent: this, additionalSecretOutputs: ["result"] },
    );
    return password.result;
  }
}
