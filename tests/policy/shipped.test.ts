// The shipped program passes every rule, mandatory and advisory, in the configurations the lab supports: the
// allow-lists accept exactly what the program declares. Advisory rules flag without blocking.
import { checkRecorded } from "../../policy/offline";
import { contextFromConfig, rules, Violation } from "../../policy/rules";
import { MOCK_CLIENT } from "../../offline/mocks";
import { devConfig, runLab } from "../helpers/program";
import { runMutated } from "./mutate";
import { T } from "./mutation-helpers";
import { runPack } from "./pack-harness";

const EPHEMERAL = { ephemeral: "true", ttlHours: "8", createdAt: "2025-01-31T09:00:00Z", owner: "alice" };
const OPERATOR = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

/** What the offline gate does with violations: a mandatory one fails it. */
const blocks = (violations: readonly Violation[]) => violations.some((v) => v.enforcement === "mandatory");

describe("the shipped program has zero violations", () => {
  it.each([
    ["the dev stack as shipped", {}, "dev"],
    ["the win-rbac stack as shipped", {}, "win-rbac"],
    ["a lab with lab users", { labUsersGroupObjectId: "0a0b0c0d-1111-2222-3333-444455556666" }, "dev"],
    ["listKeysRole=builtin (Key Operator)", { listKeysRole: "builtin" }, "dev"],
    ["customRoleSource=lab (the lab's own roles) in both vault models", { customRoleSource: "lab", vaultAccessModel: "rbac" }, "dev"],
    ["customRoleSource=lab, access policies", { customRoleSource: "lab" }, "dev"],
    ["allowedSshCidrs set (public IPs and an SSH rule from those CIDRs only)", { allowedSshCidrs: '["203.0.113.0/24"]' }, "dev"],
    [
      "operators in config, one in UPPER case, and operator IPs",
      {
        operatorObjectIds: JSON.stringify([OPERATOR.toUpperCase(), "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"]),
        operatorIpRanges: '["203.0.113.7", "198.51.100.0/24"]',
      },
      "dev",
    ],
    ["Windows seats with operators (VM Administrator Login)", { operatorObjectIds: JSON.stringify([OPERATOR]) }, "win-rbac"],
    ["one seat, no check on deploy", { seats: "1", checkOnDeploy: "false" }, "dev"],
    ["an ephemeral lab (tags, no purge protection, nothing protected)", EPHEMERAL, "dev"],
  ] as const)("%s", async (_title, overrides: Record<string, string>, stack) => {
    const run = await runLab(overrides, stack);
    const violations = checkRecorded(run.resources, contextFromConfig(devConfig(overrides, stack)), undefined, run.outputs);
    expect(violations).toEqual([]);
    // The pack agrees, given the same config and deployer.
    expect(await runPack(run, { labConfig: devConfig(overrides, stack), deployerObjectId: MOCK_CLIENT.objectId })).toEqual([]);
    // The rules did look: the run has every kind of resource they judge.
    const types = new Set(run.resources.map((r) => r.type));
    for (const t of [T.vm, T.vault, T.assignment, T.account, T.nsg]) expect(types).toContain(t);
  });

  it("a principal id in another case is the same principal: the deployer's policy, upper-cased, passes", async () => {
    const run = await runMutated([
      {
        type: T.vault,
        name: "vault-kv",
        change: (p, sdk) => ({
          ...p,
          properties: sdk.output(p.properties).apply((x: any) => ({
            ...x,
            accessPolicies: x.accessPolicies.map((e: any) =>
              e.objectId === MOCK_CLIENT.objectId ? { ...e, objectId: e.objectId.toUpperCase() } : e,
            ),
          })),
        }),
      },
    ]);
    const vault = run.resources.find((r) => r.type === T.vault)!;
    expect(vault.inputs.properties.accessPolicies.map((e: any) => e.objectId)).toContain(MOCK_CLIENT.objectId.toUpperCase());
    expect(checkRecorded(run.resources, contextFromConfig(devConfig()))).toEqual([]);
  });

  it.each([
    ["dev with lab users", { labUsersGroupObjectId: "0a0b0c0d-1111-2222-3333-444455556666" }, "dev"],
    ["win-rbac", {}, "win-rbac"],
  ] as const)(
    "every grant's principal id in UPPER case is still the same principal: %s passes",
    async (_title, overrides: Record<string, string>, stack) => {
      const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);
      const run = await runMutated(
        [
          {
            type: T.vault,
            change: (p, sdk) => ({
              ...p,
              properties: sdk
                .output(p.properties)
                .apply((x: any) => ({ ...x, accessPolicies: x.accessPolicies?.map((e: any) => ({ ...e, objectId: upper(e.objectId) })) })),
            }),
          },
          { type: T.assignment, change: (p, sdk) => ({ ...p, principalId: sdk.output(p.principalId).apply(upper) }) },
        ],
        overrides,
        stack,
      );
      const ids = [
        ...run.resources.filter((r) => r.type === T.assignment).map((r) => r.inputs.principalId),
        ...run.resources
          .filter((r) => r.type === T.vault)
          .flatMap((r) => (r.inputs.properties.accessPolicies ?? []).map((e: any) => e.objectId)),
      ];
      expect(ids.length).toBeGreaterThan(3);
      for (const id of ids) expect(id).toBe(id.toUpperCase());
      expect(checkRecorded(run.resources, contextFromConfig(devConfig(overrides, stack)))).toEqual([]);
    },
  );

  it("without the deployer's id, the deployer's own grants are denied (nothing is allowed by default)", async () => {
    const run = await runLab();
    const violations = checkRecorded(run.resources, {
      ...contextFromConfig(devConfig()),
      deployerObjectId: "11111111-1111-1111-1111-111111111111",
    });
    expect([...new Set(violations.map((v) => v.ruleId))]).toEqual(["grant-access-policies"]);
    expect(violations[0].message).toMatch(new RegExp(`principal ${MOCK_CLIENT.objectId} holds \\[secrets/get, secrets/list`));
  });

  it("an ephemeral lab's vault would fail if the stack were lasting", async () => {
    const run = await runLab(EPHEMERAL);
    const lasting = checkRecorded(run.resources, { ...contextFromConfig(devConfig(EPHEMERAL)), ephemeral: false });
    expect([...new Set(lasting.map((v) => v.ruleId))].sort()).toEqual([
      "kv-purge-protection",
      "lifecycle-lasting-protect",
      "lifecycle-lasting-retention",
    ]);
  });

  it("allowedSshCidrs in the NSG must be the configured ones", async () => {
    const run = await runLab({ allowedSshCidrs: '["203.0.113.0/24"]' });
    const other = checkRecorded(run.resources, { ...contextFromConfig(devConfig({ allowedSshCidrs: '["198.51.100.0/24"]' })) });
    expect(new Set(other.map((v) => v.ruleId))).toEqual(new Set(["ingress-nsg-rules"]));
    expect(other[0].message).toMatch(/admits port \[22\] from \[203\.0\.113\.0\/24\]: 203\.0\.113\.0\/24 is not in config allowedSshCidrs/);
  });
});

describe("advisory rules flag, and do not block", () => {
  const ctx = contextFromConfig(devConfig());
  const advisory = rules.filter((r) => r.enforcement === "advisory").map((r) => r.id);

  it("there are advisory rules for auto-shutdown, VM size and tags", () => {
    expect(advisory.sort()).toEqual(["tags-on-ephemeral-labs", "vm-auto-shutdown", "vm-size-allowed"]);
  });

  it("a VM size outside the allowed list", async () => {
    const run = await runMutated([
      { type: T.vm, name: "seat2-vm", change: (p) => ({ ...p, hardwareProfile: { vmSize: "Standard_M416ms_v2" } }) },
    ]);
    const violations = checkRecorded(run.resources, ctx);
    expect(violations.map((v) => [v.ruleId, v.enforcement])).toEqual([["vm-size-allowed", "advisory"]]);
    expect(violations[0].message).toMatch(
      /dsvmlab-vm2 has size Standard_M416ms_v2, which is not in the allowed list: use one of .*Standard_D4s_v5/,
    );
    expect(blocks(violations)).toBe(false);
    // The list is the context's to set.
    expect(checkRecorded(run.resources, { ...ctx, allowedVmSizes: ["Standard_D4s_v5", "Standard_M416ms_v2"] })).toEqual([]);
  });

  it("an auto-shutdown schedule turned off", async () => {
    const run = await runMutated([{ type: T.schedule, name: "seat1-shutdown", change: (p) => ({ ...p, status: "Disabled" }) }]);
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
    expect(violations.find((v) => v.resource === "azure-native:keyvault:Vault vault-kv")?.message).toMatch(
      /Vault vault-kv lacks tags owner, expiresAt on an ephemeral stack/,
    );
    expect(violations.map((v) => v.resource).filter((r) => /RoleAssignment|Subnet/.test(r))).toEqual([]);
    expect(blocks(violations)).toBe(false);
  });
});
