// Write serialization in the plan (kv-access-policy-409-serialize, vm-one-extension-operation-at-a-time): writes Azure
// runs one at a time, which the graph must order. Hand-made graphs first, then the program's stacks.
import type { RecordedResource } from "../../offline/harness";
import { planSerialization, writeTargetOf } from "../../offline/serialization";
import { runLab } from "../helpers/program";
import { policy, res, secret, vault, vmOp } from "./graph-fixtures";

const conflicts = (resources: RecordedResource[]) =>
  planSerialization(resources)
    .targets.filter((t) => !t.ordered)
    .map((t) => `${t.kind} ${t.name}: ${t.unorderedPairs}`);

describe("vault writes (kv-access-policy-409-serialize)", () => {
  it("two standalone access policies on one vault with no path between them conflict", () => {
    const kv = vault("kv1", []);
    const a = policy("a", "kv1", "x", ["get"], [kv]);
    const b = policy("b", "kv1", "y", ["get"], [kv]);
    const report = planSerialization([kv, a, b]);
    expect(report.conflicts).toBe(1);
    expect(report.targets[0]).toMatchObject({
      kind: "vault",
      name: "kv1",
      ordered: false,
      unorderedPairs: 1,
      examples: [["keyvault:AccessPolicy a", "keyvault:AccessPolicy b"]],
    });
  });

  it("chained (each waits for the one before, even through another resource) they are ordered", () => {
    const kv = vault("kv1", []);
    const a = policy("a", "kv1", "x", ["get"], [kv]);
    const between = res("network:Subnet", "between", { dependencies: [a.urn] });
    const b = policy("b", "kv1", "y", ["get"], [kv, between]);
    const c = policy("c", "kv1", "z", ["get"], [kv, b]);
    const report = planSerialization([kv, a, between, b, c]);
    expect(report.conflicts).toBe(0);
    expect(report.targets[0].writers).toEqual([
      "keyvault:Vault kv1",
      "keyvault:AccessPolicy a",
      "keyvault:AccessPolicy b",
      "keyvault:AccessPolicy c",
    ]);
  });

  it("a policy that names the vault by a literal (no dependency on it) conflicts with the vault's own write", () => {
    const kv = vault("kv1", []);
    expect(conflicts([kv, policy("a", "KV1", "x", ["get"], [])])).toEqual(["vault kv1: 1"]);
  });

  it("secrets made through ARM count as vault writes; policies on different vaults do not meet", () => {
    const kv = vault("kv1", []);
    const kv2 = vault("kv2", []);
    expect(conflicts([kv, kv2, secret("s1", "kv1", [kv]), secret("s2", "kv1", [kv]), policy("p", "kv2", "x", ["get"], [kv2])])).toEqual([
      "vault kv1: 1",
    ]);
  });

  it("counts every unordered pair: three unchained policies are three pairs", () => {
    const kv = vault("kv1", []);
    expect(conflicts([kv, ...["a", "b", "c"].map((n) => policy(n, "kv1", n, ["get"], [kv]))])).toEqual(["vault kv1: 3"]);
  });

  it("a vault with its policies inline is one write", () => {
    const kv = vault("kv1", [], { accessPolicies: [{ objectId: "x" }, { objectId: "y" }] });
    expect(planSerialization([kv]).targets).toEqual([]);
  });
});

describe("VM extension operations (vm-one-extension-operation-at-a-time)", () => {
  it("an extension and the run command on one VM with no path conflict; one after the other do not", () => {
    const vm = vmOp("compute:VirtualMachine", "vm", "vm1", []);
    const ext = vmOp("compute:VirtualMachineExtension", "ext", "vm1", [vm]);
    expect(conflicts([vm, ext, vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "run", "vm1", [vm])])).toEqual(["vm vm1: 1"]);
    expect(conflicts([vm, ext, vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "run", "vm1", [vm, ext])])).toEqual([]);
  });

  it("VMs are told apart by resource group and name", () => {
    const a = vmOp("compute:VirtualMachineExtension", "a", "vm1", []);
    const b = res("compute:VirtualMachineExtension", "b", { inputs: { resourceGroupName: "other", vmName: "vm1" } });
    expect(writeTargetOf(a)!.key).not.toBe(writeTargetOf(b)!.key);
    expect(conflicts([a, b])).toEqual([]);
  });

  it("components and resources without a known name are no writes", () => {
    expect(writeTargetOf(res("compute:VirtualMachineExtension", "x", { custom: false, inputs: { vmName: "vm1" } }))).toBeUndefined();
    expect(writeTargetOf(res("compute:VirtualMachineExtension", "x", { inputs: {} }))).toBeUndefined();
  });
});

describe("the program's stacks", () => {
  it.each([
    ["dev", "dev", {}],
    ["dev with lab users", "dev", { labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5" }],
    ["win-rbac", "win-rbac", {}],
    ["dev at 3 seats per vault shard", "dev", { seats: "5", seatsPerVault: "3" }],
  ])("%s: no two writes to one vault, and no two operations on one VM, can run at once", async (_label, stack, overrides) => {
    const run = await runLab(overrides, stack);
    const report = planSerialization(run.resources);
    expect(report.targets.filter((t) => !t.ordered)).toEqual([]);
    expect(report.targets.some((t) => t.kind === "vault")).toBe(true);
  });

  it("negative: a run command that no longer waits for the login extension is caught", async () => {
    const run = await runLab({ labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5" }, "dev", {
      beforeProgram: (sdk) =>
        sdk.runtime.registerStackTransformation((a) =>
          a.type === "azure-native:compute:VirtualMachineRunCommandByVirtualMachine"
            ? { props: a.props, opts: { ...a.opts, dependsOn: [] } }
            : undefined,
        ),
    });
    expect(conflicts(run.resources as RecordedResource[])).toEqual(["vm dsvmlab-vm1: 1", "vm dsvmlab-vm2: 1"]);
  });
});
