import { DSVM_IMAGE_DISK_GB } from "../../lib/azure";
import { ofType, one, runLab } from "../helpers/program";

describe("DataScienceVm", () => {
  it("is the DSVM Ubuntu 22.04 gen2 image, with no marketplace plan block", async () => {
    const vm = one(await runLab(), "azure-native:compute:VirtualMachine", "seat1-vm");
    expect(vm.inputs.storageProfile.imageReference).toEqual({ publisher: "microsoft-dsvm", offer: "ubuntu-2204", sku: "2204-gen2", version: "latest" });
    expect(vm.inputs.plan).toBeUndefined();
  });

  it("has a system-assigned identity whose principal id is the seat's output", async () => {
    const run = await runLab();
    const vm = one(run, "azure-native:compute:VirtualMachine", "seat2-vm");
    expect(vm.inputs.identity).toEqual({ type: "SystemAssigned" });
    const seat2 = (run.outputs.seatVms as any[])[1];
    expect(seat2).toMatchObject({ seat: 2, vmName: "dsvmlab-vm2", vmId: vm.id, principalId: vm.state.identity.principalId, privateIp: "10.42.1.5" });
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
    const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.type).sort();
    expect(children).toEqual(["azure-native:compute:VirtualMachine", "azure-native:devtestlab:GlobalSchedule", "azure-native:network:NetworkInterface"]);
  });
});
