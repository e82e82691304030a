import { ofType, runLab } from "./helpers/program";

describe("the program under mocks (dev stack)", () => {
  it("declares one DSVM per seat, each with a system-assigned identity", async () => {
    const run = await runLab();
    const vms = ofType(run, "azure-native:compute:VirtualMachine");
    expect(vms).toHaveLength(2);
    for (const vm of vms) expect(vm.inputs.identity).toEqual({ type: "SystemAssigned" });
  });
});

describe("isolation", () => {
  it("runs the program twice in one file with different config", async () => {
    const a = await runLab({ seats: "1" });
    const b = await runLab({ seats: "3" });
    expect(ofType(a, "azure-native:compute:VirtualMachine")).toHaveLength(1);
    expect(ofType(b, "azure-native:compute:VirtualMachine")).toHaveLength(3);
  });
});
