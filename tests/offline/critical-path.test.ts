import { criticalPath, planCriticalPath, STEP_TIMES } from "../../offline/critical-path";
import { policy, res, vault, vmOp } from "./graph-fixtures";

describe("criticalPath", () => {
  it("finds the longest weighted chain in a small graph whose answer is known", () => {
    // rg -> vnet -> subnet -> nic -> vm -> grant ; rg -> vault -> grant ; suffix (weight 0) -> vault
    const graph = [
      { id: "rg", weight: 1, dependsOn: [] },
      { id: "vnet", weight: 1, dependsOn: ["rg"] },
      { id: "subnet", weight: 1, dependsOn: ["vnet"] },
      { id: "nic", weight: 1, dependsOn: ["subnet"] },
      { id: "vm", weight: 1, dependsOn: ["nic"] },
      { id: "suffix", weight: 0, dependsOn: [] },
      { id: "vault", weight: 1, dependsOn: ["rg", "suffix"] },
      { id: "grant", weight: 1, dependsOn: ["vm", "vault"] },
    ];
    expect(criticalPath(graph)).toEqual({ length: 6, chain: ["rg", "vnet", "subnet", "nic", "vm", "grant"] });
  });

  it("does not count weightless steps, and an empty graph has length 0", () => {
    expect(
      criticalPath([
        { id: "a", weight: 0, dependsOn: [] },
        { id: "b", weight: 0, dependsOn: ["a"] },
      ]),
    ).toEqual({ length: 0, chain: [] });
    expect(criticalPath([])).toEqual({ length: 0, chain: [] });
  });

  it("refuses a cycle", () => {
    expect(() =>
      criticalPath([
        { id: "a", weight: 1, dependsOn: ["b"] },
        { id: "b", weight: 1, dependsOn: ["a"] },
      ]),
    ).toThrow(/cycle/);
  });
});

describe("what serializing writes costs on the critical path (kv-access-policy-409-serialize, vm-one-extension-operation-at-a-time)", () => {
  // A VM (150 s), then three policies chained on its vault (5 s each), then the in-VM check (60 s).
  const rg = res("resources:ResourceGroup", "rg");
  const vm = vmOp("compute:VirtualMachine", "vm", "vm1", [rg]);
  const kv = vault("kv1", [rg]);
  const p1 = policy("p1", "kv1", "a", ["get"], [kv, vm]);
  const p2 = policy("p2", "kv1", "b", ["get"], [kv, vm, p1]);
  const p3 = policy("p3", "kv1", "c", ["get"], [kv, vm, p2]);
  const check = vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "check", "vm1", [vm, p3]);

  it("a chain of k policy writes costs (k-1) writes' time; the vault itself must come first and is never dropped", () => {
    const cost = planCriticalPath([rg, vm, kv, p1, p2, p3, check]).serialization;
    const step = STEP_TIMES["azure-native:keyvault:AccessPolicy"].seconds;
    expect(cost.slowestSeconds).toBe(2 + 150 + 3 * step + 60);
    expect(cost.unserializedSeconds).toBe(2 + 150 + step + 60);
    expect(cost.costSeconds).toBe(2 * step);
    expect(cost.byKind).toEqual([
      { kind: "vault", unserializedSeconds: 2 + 150 + step + 60, costSeconds: 2 * step },
      { kind: "vm", unserializedSeconds: cost.slowestSeconds, costSeconds: 0 },
    ]);
    expect(cost.onPath.find((t) => t.kind === "vault")).toMatchObject({ name: "kv1", writes: 4, writesOnPath: 3, seconds: 3 * step });
  });

  it("one write with every policy inline: no chain to drop, and the vault's write is on the path", () => {
    const inline = vault("kv1", [rg, vm], { accessPolicies: [{ objectId: "a" }, { objectId: "b" }, { objectId: "c" }] });
    const run = vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "check", "vm1", [vm, inline]);
    const cost = planCriticalPath([rg, vm, inline, run]).serialization;
    expect(cost.costSeconds).toBe(0);
    expect(cost.onPath).toEqual([
      {
        kind: "vault",
        name: "kv1",
        writes: 1,
        writesOnPath: 1,
        steps: ["keyvault:Vault kv1 (3 access policies inline)"],
        seconds: STEP_TIMES["azure-native:keyvault:Vault"].seconds,
      },
      expect.objectContaining({ kind: "vm", writesOnPath: 1 }),
    ]);
  });

  it("the in-VM check after the login extension costs the extension's time", () => {
    const ext = vmOp("compute:VirtualMachineExtension", "ext", "vm1", [vm]);
    const after = vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "check", "vm1", [vm, ext]);
    const cost = planCriticalPath([rg, vm, ext, after]).serialization;
    expect(cost.byKind.find((k) => k.kind === "vm")!.costSeconds).toBe(STEP_TIMES["azure-native:compute:VirtualMachineExtension"].seconds);
    expect(STEP_TIMES["azure-native:compute:VirtualMachineExtension"].basis).toBe("estimate");
  });
});
