// Windows seats under mocks (os: windows): the Windows DSVM image, a generated admin password nobody sees, Entra sign-in
// (AADLoginForWindows + VM User Login), RDP only from allowedSshCidrs or through Bastion, auto-shutdown, and the
// PowerShell probe as the in-VM check. The win-rbac stack plans with zero violations; its regressions are caught.
import { checkRecorded, viewOf } from "../../policy/offline";
import { contextFromConfig } from "../../policy/rules";
import { AAD_WINDOWS_LOGIN_EXTENSION, BUILTIN_ROLES, DSVM_WINDOWS_IMAGE, TYPE } from "../../lib/azure";
import { MOCK_CLIENT } from "../../offline/mocks";
import type { ProgramRun } from "../../offline/harness";
import { readPsProbe } from "../../probe/scripts";
import { buildReport, renderText } from "../../scripts/plan/report";
import { devConfig, ofType, one, runLab } from "../helpers/program";
import { patch, runMutated } from "../policy/mutate";

// customRoleSource lab: the current policy gate resolves only roles the plan defines, not the bootstrap's
// subscription roles (the default), so the gate cases below define them in the lab.
const WINDOWS = { os: "windows", sshPublicKey: "", customRoleSource: "lab" };
const GROUP = "00000000-0000-0000-0000-00000000a5e5";
const RUN_COMMAND = TYPE.runCommandByVm;

describe("Windows seats (os: windows)", () => {
  let run: Awaited<ReturnType<typeof runLab>>;
  beforeAll(async () => {
    run = await runLab({ ...WINDOWS, labUsersGroupObjectId: GROUP, allowedSshCidrs: '["203.0.113.0/24"]' });
  });

  it("run the Windows Server 2022 DSVM with a computer name of at most 15 characters and no Linux settings", () => {
    // The policy view: the osProfile unwrapped from its secret envelope (it holds the password).
    const vm = viewOf(one(run, "azure-native:compute:VirtualMachine", "seat1-vm")).inputs;
    expect(vm.storageProfile.imageReference).toEqual({ ...DSVM_WINDOWS_IMAGE });
    expect(vm.osProfile.computerName.length).toBeLessThanOrEqual(15);
    expect(vm.osProfile.windowsConfiguration).toMatchObject({ provisionVMAgent: true });
    expect(vm.osProfile.linuxConfiguration).toBeUndefined();
    expect(vm.identity).toEqual({ type: "SystemAssigned" });
  });

  it("take their admin password from a RandomPassword, as a secret, and never output or print it", async () => {
    const password = one(run, "random:index/randomPassword:RandomPassword", "seat1-admin-password");
    expect(password.inputs).toMatchObject({ length: 32, special: true, minUpper: 1, minLower: 1, minNumeric: 1, minSpecial: 1 });
    const vm = one(run, "azure-native:compute:VirtualMachine", "seat1-vm");
    expect(vm.dependencies).toContain(password.urn);
    // Recorded as a secret: Pulumi's envelope around the whole osProfile.
    expect(JSON.stringify(vm.inputs.osProfile)).toMatch(/"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"/);
    const value = String(password.state.result);
    expect(value.length).toBeGreaterThanOrEqual(24);
    const report = buildReport(run, contextFromConfig(devConfig(WINDOWS)));
    for (const text of [JSON.stringify(run.outputs), JSON.stringify(report), renderText(report)]) expect(text).not.toContain(value);
  });

  it("sign lab users in with Entra ID: AADLoginForWindows and Virtual Machine User Login for the group on each VM", () => {
    const ext = one(run, "azure-native:compute:VirtualMachineExtension", "seat1-aadssh").inputs;
    expect(ext).toMatchObject({
      publisher: AAD_WINDOWS_LOGIN_EXTENSION.publisher,
      type: "AADLoginForWindows",
      vmExtensionName: "AADLoginForWindows",
      autoUpgradeMinorVersion: true,
    });
    const login = one(run, "azure-native:authorization:RoleAssignment", "seat1-userlogin").inputs;
    expect(login).toMatchObject({
      principalId: GROUP,
      principalType: "Group",
      scope: one(run, "azure-native:compute:VirtualMachine", "seat1-vm").id,
    });
    expect(login.roleDefinitionId).toMatch(new RegExp(`${BUILTIN_ROLES.virtualMachineUserLogin}$`));
  });

  it("admit RDP (3389) only from allowedSshCidrs, never SSH and never the internet", () => {
    const rules = one(run, "azure-native:network:NetworkSecurityGroup", "network-nsg").inputs.securityRules;
    expect(rules).toEqual([
      expect.objectContaining({
        name: "allow-rdp-from-allowed-cidrs",
        destinationPortRange: "3389",
        sourceAddressPrefixes: ["203.0.113.0/24"],
        access: "Allow",
        direction: "Inbound",
      }),
    ]);
  });

  it("shut down daily, as Linux seats do", () => {
    expect(one(run, "azure-native:devtestlab:GlobalSchedule", "seat1-shutdown").inputs).toMatchObject({
      status: "Enabled",
      taskType: "ComputeVmShutdownTask",
      name: "shutdown-computevm-dsvmlab-vm1",
    });
  });

  it("run vm-probe.ps1 as the in-VM check, with PowerShell-named parameters", () => {
    const check = one(run, RUN_COMMAND, "seat1-check-probe").inputs;
    expect(check.source.script).toBe(readPsProbe());
    expect(check.parameters.map((p: { name: string }) => p.name)).toEqual([
      "VaultUri",
      "Secret",
      "StorageAccountId",
      "BlobEndpoint",
      "DeadlineSeconds",
    ]);
    expect(check.parameters.find((p: { name: string }) => p.name === "Secret").value).toBe("SQLPasswd");
  });

  it("pass the policy gate with no violation", () => {
    expect(
      checkRecorded(
        run.resources,
        contextFromConfig(devConfig({ ...WINDOWS, labUsersGroupObjectId: GROUP, allowedSshCidrs: '["203.0.113.0/24"]' })),
      ),
    ).toEqual([]);
  });
});

describe("Azure Bastion (bastion: true)", () => {
  it("adds AzureBastionSubnet, a Standard static IP and a Standard Bastion host, and no public IP or inbound rule for the seats", async () => {
    const run = await runLab({ ...WINDOWS, bastion: "true" });
    expect(one(run, "azure-native:network:Subnet", "network-bastion-subnet").inputs).toMatchObject({
      subnetName: "AzureBastionSubnet",
      addressPrefix: "10.42.0.0/26",
    });
    expect(one(run, "azure-native:network:PublicIPAddress", "network-bastion-ip").inputs).toMatchObject({
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
    });
    const host = one(run, "azure-native:network:BastionHost", "network-bastion");
    expect(host.inputs).toMatchObject({
      sku: { name: "Standard" },
      ipConfigurations: [expect.objectContaining({ subnet: { id: one(run, "azure-native:network:Subnet", "network-bastion-subnet").id } })],
    });
    expect(
      ofType(run, "azure-native:network:PublicIPAddress")
        .map((p) => p.name)
        .sort(),
    ).toEqual(["network-bastion-ip", "network-nat-ip"]);
    expect(one(run, "azure-native:network:NetworkSecurityGroup", "network-nsg").inputs.securityRules).toEqual([]);
  });

  it("is absent by default", async () => {
    expect(ofType(await runLab(), "azure-native:network:BastionHost")).toEqual([]);
  });
});

describe("the win-rbac stack", () => {
  it("plans with zero violations", async () => {
    const run = await runLab({ customRoleSource: "lab" }, "win-rbac");
    expect(checkRecorded(run.resources, contextFromConfig(devConfig({ customRoleSource: "lab" }, "win-rbac")))).toEqual([]);
    expect(one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.enableRbacAuthorization).toBe(true);
    expect(ofType(run, "azure-native:network:BastionHost")).toHaveLength(1);
  });
});

describe("Windows regressions are caught", () => {
  const VM = TYPE.vm;
  const fired = async (mutation: Parameters<typeof runMutated>[0], config: Record<string, string> = WINDOWS) => {
    const run = await runMutated(mutation, config);
    return checkRecorded(run.resources, contextFromConfig(devConfig(config)));
  };

  it("an admin password someone typed in: vm-password-auth-disabled, without echoing it", async () => {
    const typed = `Typed-${Math.random().toString(36).slice(2)}-Pw1!`;
    const v = await fired([
      {
        type: VM,
        name: "seat1-vm",
        change: (props, sdk) => ({ ...props, osProfile: patch(sdk, props.osProfile, (o: any) => ({ ...o, adminPassword: typed })) }),
      },
    ]);
    // The VM still depends on the RandomPassword (the rest of osProfile came with it): the known value decides.
    expect(v.map((x) => x.ruleId)).toContain("vm-password-auth-disabled");
    expect(v.find((x) => x.ruleId === "vm-password-auth-disabled")!.message).toMatch(
      /Windows VM dsvmlab-vm1: osProfile.adminPassword is not a generated RandomPassword/,
    );
    expect(JSON.stringify(v)).not.toContain(typed);
  });

  it("RDP from the internet: a mandatory violation on the NSG, and nothing else", async () => {
    const v = await fired([
      {
        type: "azure-native:network:NetworkSecurityGroup",
        change: (props) => ({
          ...props,
          securityRules: [
            {
              name: "rdp",
              priority: 100,
              direction: "Inbound",
              access: "Allow",
              protocol: "Tcp",
              sourceAddressPrefix: "*",
              sourcePortRange: "*",
              destinationAddressPrefix: "*",
              destinationPortRange: "3389",
            },
          ],
        }),
      },
    ]);
    // The rule's id is the gate's business (it is being reworked); that it fires, and only on the NSG, is this test's.
    expect(v.length).toBeGreaterThan(0);
    expect([...new Set(v.map((x) => `${x.enforcement} ${x.resource}`))]).toEqual([
      "mandatory azure-native:network:NetworkSecurityGroup network-nsg",
    ]);
  });
});

describe("every Windows seat has Entra sign-in and a principal that may sign in", () => {
  const RA = TYPE.roleAssignment;
  const EXT = TYPE.extension;
  const OPERATOR = "22222222-3333-4444-5555-666666666666";
  /** Per seat: whether AADLoginForWindows is on it, and who holds which login role on it, with which type. */
  const signIn = (run: ProgramRun) =>
    ofType(run, "azure-native:compute:VirtualMachine").map((vm) => ({
      vm: vm.name,
      extension: ofType(run, EXT).some((e) => e.inputs.vmName === vm.state.name && e.inputs.type === "AADLoginForWindows"),
      logins: ofType(run, RA)
        .filter((a) => a.inputs.scope === vm.id)
        .map((a) => `${a.inputs.principalId}:${a.inputs.principalType}:${a.inputs.roleDefinitionId.split("/").pop()}`)
        .sort(),
    }));
  const admin = (id: string, type: string) => `${id}:${type}:${BUILTIN_ROLES.virtualMachineAdministratorLogin}`;

  it("without labUsersGroupObjectId: AADLoginForWindows, and VM Administrator Login for the deployer and each operator (role-assignment-principal-type)", async () => {
    const run = await runLab({
      os: "windows",
      sshPublicKey: "",
      seats: "2",
      operatorObjectIds: JSON.stringify([OPERATOR]),
      operatorPrincipalType: "ServicePrincipal",
    });
    expect(signIn(run)).toEqual(
      ["seat1-vm", "seat2-vm"].map((vm) => ({
        vm,
        extension: true,
        logins: [admin(MOCK_CLIENT.objectId, "ServicePrincipal"), admin(OPERATOR, "ServicePrincipal")].sort(),
      })),
    );
  });

  it("the win-rbac stack: the deployer as administrator (principalType User by default) and the lab users' group", async () => {
    const run = await runLab({}, "win-rbac");
    for (const seat of signIn(run)) {
      expect(seat.extension).toBe(true);
      expect(seat.logins).toEqual([`${GROUP}:Group:${BUILTIN_ROLES.virtualMachineUserLogin}`, admin(MOCK_CLIENT.objectId, "User")].sort());
    }
  });

  it("the check bites: a Windows seat whose only login was removed is seen as one nobody can sign in to", async () => {
    const run = await runMutated(
      [{ type: RA, name: "seat1-adminlogin1", change: (props) => ({ ...props, scope: "/subscriptions/elsewhere" }) }],
      { os: "windows", sshPublicKey: "" },
    );
    expect(signIn(run).find((s) => s.vm === "seat1-vm")!.logins).toEqual([]);
  });
});
