// The shipped program passes every rule, mandatory and advisory, in the configurations the lab supports; advisory
// rules flag without blocking.
import { checkRecorded } from "../../policy/offline";
import { contextFromConfig, rules, Violation } from "../../policy/rules";
import { devConfig, runLab } from "../helpers/program";
import { runMutated } from "./mutate";

const EPHEMERAL = { ephemeral: "true", ttlHours: "8", createdAt: "2025-01-31T09:00:00Z", owner: "alice" };

/** What the offline gate does with violations: a mandatory one fails it. */
const blocks = (violations: readonly Violation[]) => violations.some((v) => v.enforcement === "mandatory");

describe("the shipped program has zero violations", () => {
  it.each([
    ["the dev stack as shipped", {}],
    ["listKeysRole=builtin (Key Operator)", { listKeysRole: "builtin" }],
    ["allowedSshCidrs set (public IPs and an SSH rule from those CIDRs only)", { allowedSshCidrs: '["203.0.113.0/24"]' }],
    ["one seat", { seats: "1" }],
    ["an ephemeral lab (tags, no purge protection)", EPHEMERAL],
  ] as const)("%s", async (_title, overrides: Record<string, string>) => {
    const run = await runLab(overrides);
    const violations = checkRecorded(run.resources, contextFromConfig(devConfig(overrides)));
    expect(violations).toEqual([]);
    // The rules did look: the run has every kind of resource they judge.
    const types = new Set(run.resources.map((r) => r.type));
    for (const t of ["azure-native:compute:VirtualMachine", "azure-native:keyvault:AccessPolicy", "azure-native:authorization:RoleAssignment", "azure-native:storage:StorageAccount"]) {
      expect(types).toContain(t);
    }
  });

  it("an ephemeral lab without purge protection would fail if the stack were lasting", async () => {
    const run = await runLab(EPHEMERAL);
    const lasting = checkRecorded(run.resources, { ...contextFromConfig(devConfig(EPHEMERAL)), ephemeral: false });
    expect(lasting.map((v) => v.ruleId)).toEqual(["kv-purge-protection"]);
  });

  it("allowedSshCidrs in the NSG must be the configured ones", async () => {
    const run = await runLab({ allowedSshCidrs: '["203.0.113.0/24"]' });
    const other = checkRecorded(run.resources, { ephemeral: false, allowedSshCidrs: ["198.51.100.0/24"] });
    expect(new Set(other.map((v) => v.ruleId))).toEqual(new Set(["vm-no-public-ip-without-ssh-cidrs"]));
    expect(other[0].message).toMatch(/admits SSH from \[203\.0\.113\.0\/24\], which allowedSshCidrs does not list/);
  });
});

describe("advisory rules flag, and do not block", () => {
  const ctx = contextFromConfig(devConfig());
  const advisory = rules.filter((r) => r.enforcement === "advisory").map((r) => r.id);

  it("there are advisory rules for auto-shutdown, VM size and tags", () => {
    expect(advisory.sort()).toEqual(["tags-on-ephemeral-labs", "vm-auto-shutdown", "vm-size-allowed"]);
  });

  it("a VM size outside the allowed list", async () => {
    const run = await runMutated([{ type: "azure-native:compute:VirtualMachine", name: "seat2-vm", change: (p) => ({ ...p, hardwareProfile: { vmSize: "Standard_M416ms_v2" } }) }]);
    const violations = checkRecorded(run.resources, ctx);
    expect(violations.map((v) => [v.ruleId, v.enforcement])).toEqual([["vm-size-allowed", "advisory"]]);
    expect(violations[0].message).toMatch(/dsvmlab-vm2 has size Standard_M416ms_v2, which is not in the allowed list: use one of .*Standard_D4s_v5/);
    expect(blocks(violations)).toBe(false);
    // The list is the context's to set.
    expect(checkRecorded(run.resources, { ...ctx, allowedVmSizes: ["Standard_D4s_v5", "Standard_M416ms_v2"] })).toEqual([]);
  });

  it("an auto-shutdown schedule turned off", async () => {
    const run = await runMutated([{ type: "azure-native:devtestlab:GlobalSchedule", name: "seat1-shutdown", change: (p) => ({ ...p, status: "Disabled" }) }]);
    const violations = checkRecorded(run.resources, ctx);
    expect(violations.map((v) => [v.ruleId, v.enforcement])).toEqual([["vm-auto-shutdown", "advisory"]]);
    expect(violations[0].message).toMatch(/VM dsvmlab-vm1 has no enabled auto-shutdown schedule: add a devtestlab.GlobalSchedule/);
    expect(blocks(violations)).toBe(false);
  });

  it("resources of an ephemeral stack without owner and expiresAt tags", async () => {
    // A lasting lab's resources carry lab and ephemeral=false only; judged as ephemeral, every one lacks the rest.
    const run = await runLab();
    const violations = checkRecorded(run.resources, { ...ctx, ephemeral: true });
    expect(new Set(violations.map((v) => v.ruleId))).toEqual(new Set(["tags-on-ephemeral-labs"]));
    expect(violations.find((v) => v.resource === "azure-native:keyvault:Vault vault-kv")?.message).toMatch(/Vault vault-kv lacks tags owner, expiresAt on an ephemeral stack/);
    // Resources that take no tags in ARM are not asked for them.
    expect(violations.map((v) => v.resource).filter((r) => /AccessPolicy|RoleAssignment|Subnet/.test(r))).toEqual([]);
    expect(blocks(violations)).toBe(false);
  });
});
