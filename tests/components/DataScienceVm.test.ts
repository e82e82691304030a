import { AAD_WINDOWS_LOGIN_EXTENSION, BUILTIN_ROLES, DSVM_IMAGE_DISK_GB, TYPE } from "../../lib/azure";
import { roleAssignmentGuid } from "../../lib/naming";
import { ofType, one, runComponents, runLab } from "../helpers/program";

describe("DataScienceVm", () => {
  it("is the DSVM Ubuntu 22.04 gen2 image, with no marketplace plan block", async () => {
    const vm = one(await runLab(), "azure-native:compute:VirtualMachine", "seat1-vm");
    expect(vm.inputs.storageProfile.imageReference).toEqual({
      publisher: "microsoft-dsvm",
      offer: "ubuntu-2204",
      sku: "2204-gen2",
      version: "latest",
    });
    expect(vm.inputs.plan).toBeUndefined();
  });

  it("has a system-assigned identity whose principal id is the seat's output", async () => {
    const run = await runLab();
    const vm = one(run, "azure-native:compute:VirtualMachine", "seat2-vm");
    expect(vm.inputs.identity).toEqual({ type: "SystemAssigned" });
    const seat2 = (run.outputs.seatVms as any[])[1];
    expect(seat2).toMatchObject({
      seat: 2,
      vmName: "dsvmlab-vm2",
      vmId: vm.id,
      principalId: vm.state.identity.principalId,
      privateIp: "10.42.1.5",
    });
  });

  it("signs in by SSH key only: password auth disabled and no password anywhere", async () => {
    const run = await runLab();
    for (const vm of ofType(run, "azure-native:compute:VirtualMachine")) {
      const os = vm.inputs.osProfile;
      expect(os.linuxConfiguration.disablePasswordAuthentication).toBe(true);
      expect(os.adminPassword).toBeUndefined();
      expect(JSON.stringify(vm.inputs)).not.toMatch(/password"\s*:\s*"/i);
      expect(os.linuxConfiguration.ssh.publicKeys).toEqual([
        { path: "/home/labadmin/.ssh/authorized_keys", keyData: expect.stringMatching(/^ssh-ed25519 AAAA/) },
      ]);
    }
  });

  it("has an OS disk at least the image's size, deleted with the VM, and a NIC deleted with it too", async () => {
    const vm = one(await runLab({ osDiskSizeGb: "256" }), "azure-native:compute:VirtualMachine", "seat1-vm");
    expect(vm.inputs.storageProfile.osDisk).toMatchObject({ createOption: "FromImage", diskSizeGB: 256, deleteOption: "Delete" });
    expect(vm.inputs.networkProfile.networkInterfaces[0].deleteOption).toBe("Delete");
    expect(DSVM_IMAGE_DISK_GB).toBe(150);
  });

  it("shuts down daily at the configured time and zone, by DevTest Labs' naming rule", async () => {
    const run = await runLab({ autoShutdownTime: "2230", autoShutdownTimeZone: "Pacific Standard Time" });
    const schedule = one(run, "azure-native:devtestlab:GlobalSchedule", "seat1-shutdown");
    expect(schedule.inputs).toMatchObject({
      name: "shutdown-computevm-dsvmlab-vm1",
      status: "Enabled",
      taskType: "ComputeVmShutdownTask",
      dailyRecurrence: { time: "2230" },
      timeZoneId: "Pacific Standard Time",
      targetResourceId: one(run, "azure-native:compute:VirtualMachine", "seat1-vm").id,
    });
  });

  it("is a component: its children are parented to it", async () => {
    const run = await runLab();
    const component = one(run, "dsvm-identity-lab:lab:DataScienceVm", "seat1");
    const children = run.resources
      .filter((r) => r.parent === component.urn)
      .map((r) => r.type)
      .sort();
    expect(children).toEqual([
      "azure-native:compute:VirtualMachine",
      "azure-native:devtestlab:GlobalSchedule",
      "azure-native:network:NetworkInterface",
    ]);
  });
});

describe("DataScienceVm alone: Entra sign-in (hand-written args)", () => {
  const EXT = TYPE.extension;
  const RA = TYPE.roleAssignment;
  const base = {
    resourceGroupName: "rg",
    location: "westeurope",
    vmName: "lab-vm1",
    subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/lab",
    vmSize: "Standard_D4s_v5",
    osDiskSizeGb: 150,
    adminUsername: "labadmin",
    sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOYDIMCrn2XogR7vBuEa0vHlSOfQFbc+LDYBnzVpKOiC x",
    autoShutdown: { time: "1900", timeZone: "UTC" },
  };
  const build = (args: Record<string, unknown>) =>
    runComponents((load) => {
      const { DataScienceVm } = load<typeof import("../../components/DataScienceVm")>("components/DataScienceVm");
      new DataScienceVm("seat1", { ...base, ...args } as any);
    });
  const adminLogin = { principalIds: ["deployer-1", "operator-2"], principalType: "ServicePrincipal", subscriptionId: "sub-1" };

  it("Windows without lab users: AADLoginForWindows, and VM Administrator Login for each given principal with its type (role-assignment-principal-type)", async () => {
    const run = await build({ os: "windows", adminLogin });
    const vm = one(run, "azure-native:compute:VirtualMachine", "seat1-vm");
    expect(one(run, EXT, "seat1-aadssh").inputs).toMatchObject({
      vmName: "lab-vm1",
      publisher: AAD_WINDOWS_LOGIN_EXTENSION.publisher,
      type: "AADLoginForWindows",
    });
    const roleDefinitionId = `/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.virtualMachineAdministratorLogin}`;
    const logins = ofType(run, RA).sort((a, b) => a.name.localeCompare(b.name));
    expect(logins.map((a) => [a.name, a.inputs.principalId, a.inputs.principalType, a.inputs.scope, a.inputs.roleDefinitionId])).toEqual([
      ["seat1-adminlogin1", "deployer-1", "ServicePrincipal", vm.id, roleDefinitionId],
      ["seat1-adminlogin2", "operator-2", "ServicePrincipal", vm.id, roleDefinitionId],
    ]);
    // Deterministic names: the same scope, principal and role give the same GUID on every run.
    for (const a of logins) expect(a.inputs.roleAssignmentName).toBe(roleAssignmentGuid(vm.id!, a.inputs.principalId, roleDefinitionId));
    expect(new Set(logins.map((a) => a.inputs.roleAssignmentName)).size).toBe(2);
  });

  it("Windows with lab users: also VM User Login for the group (principalType Group)", async () => {
    const run = await build({ os: "windows", adminLogin, labUsers: { groupObjectId: "group-1", subscriptionId: "sub-1" } });
    expect(one(run, RA, "seat1-userlogin").inputs).toMatchObject({
      principalId: "group-1",
      principalType: "Group",
      roleDefinitionId: expect.stringMatching(new RegExp(`${BUILTIN_ROLES.virtualMachineUserLogin}$`)),
    });
    expect(ofType(run, RA)).toHaveLength(3);
    expect(ofType(run, EXT)).toHaveLength(1);
  });

  it("refuses a Windows seat that nobody could sign in to, naming the argument", async () => {
    for (const args of [{ os: "windows" }, { os: "windows", adminLogin: { ...adminLogin, principalIds: [] } }]) {
      await expect(build(args)).rejects.toThrow(/DataScienceVm seat1: a Windows seat needs args.adminLogin with at least one principal id/);
    }
  });

  it("Ubuntu: no extension and no login role without lab users (the SSH key is the way in); AADSSHLoginForLinux with them", async () => {
    const plain = await build({ adminLogin });
    expect([ofType(plain, EXT), ofType(plain, RA)]).toEqual([[], []]);
    const withUsers = await build({ labUsers: { groupObjectId: "group-1", subscriptionId: "sub-1" } });
    expect(one(withUsers, EXT, "seat1-aadssh").inputs.type).toBe("AADSSHLoginForLinux");
    expect(ofType(withUsers, RA).map((a) => a.name)).toEqual(["seat1-userlogin"]);
  });
});
