// The PolicyPack wiring, without the Pulumi CLI (tests/policy/pack-harness.ts): one policy per rule, the pack's
// config builds the same context as the offline gate, and unknown values during preview.
import { plain } from "../../policy/pack";
import { contextFromConfig, PolicyResourceView, rules, UNKNOWN } from "../../policy/rules";
import { MOCK_CLIENT } from "../../offline/mocks";
import { devConfig, runLab } from "../helpers/program";
import { patch, runMutated } from "./mutate";
import { seatPolicy, T } from "./mutation-helpers";
import { loadPack, runPack, unknownCheckingProxy } from "./pack-harness";

const CONFIG = { labConfig: devConfig(), deployerObjectId: MOCK_CLIENT.objectId };

describe("policy/index.ts: the PolicyPack", () => {
  it("registers one policy per rule, with the rule's id, enforcement and fix", () => {
    const { name, args } = loadPack();
    expect(name).toBe("dsvm-identity-lab");
    expect(args.policies.map((p) => p.name)).toEqual(rules.map((r) => r.id));
    for (const [i, p] of args.policies.entries()) {
      expect(p.enforcementLevel).toBe(rules[i].enforcement);
      expect(p.remediationSteps).toBe(rules[i].fix);
      expect(p.description).toContain(rules[i].why);
      expect("validateStack" in p).toBe(rules[i].kind === "stack");
    }
  });

  it("reports nothing on the shipped program, given the lab's config and the deployer", async () => {
    expect(await runPack(await runLab(), CONFIG)).toEqual([]);
  });

  it("without the lab's config it allows nothing beyond the seats: the deployer's policy is reported", async () => {
    const reports = await runPack(await runLab());
    expect([...new Set(reports.map((r) => r.policy))].sort()).toEqual(["credential-ssh-keys", "grant-access-policies"]);
    expect(reports.find((r) => r.policy === "grant-access-policies")!.message).toMatch(
      new RegExp(`principal ${MOCK_CLIENT.objectId} holds`),
    );
  });

  it.each([
    [
      "dev",
      {
        location: "westeurope",
        seats: 2,
        sshPublicKey: devConfig().sshPublicKey,
        autoShutdownTime: "1900",
        autoShutdownTimeZone: "W. Europe Standard Time",
      },
    ],
    [
      "win-rbac",
      {
        location: "westeurope",
        seats: 2,
        os: "windows",
        sshPublicKey: "",
        vaultAccessModel: "rbac",
        bastion: true,
        labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5",
        autoShutdownTime: "1900",
        autoShutdownTimeZone: "W. Europe Standard Time",
      },
    ],
  ] as const)("reports nothing on %s given only the stack file's keys (no Pulumi.yaml defaults)", async (stack, labConfig) => {
    expect(await runPack(await runLab({}, stack), { labConfig, deployerObjectId: MOCK_CLIENT.objectId })).toEqual([]);
  });

  it("reports a seat policy with list through its stack policy, at the vault that carries it", async () => {
    const run = await runMutated(
      seatPolicy((e) => ({ ...e, permissions: { ...e.permissions, secrets: [...e.permissions.secrets, "list"] } })),
    );
    expect(await runPack(run, CONFIG)).toEqual([
      {
        policy: "grant-access-policies",
        urn: expect.stringMatching(/Vault::vault-kv$/),
        message: expect.stringMatching(/seat 1 identity .*\[secrets\/list\] is beyond/),
      },
    ]);
  });

  it("reports TLS 1.0 through its resource policy", async () => {
    const run = await runMutated([{ type: T.account, change: (p) => ({ ...p, minimumTlsVersion: "TLS1_0" }) }]);
    expect((await runPack(run, CONFIG)).map((r) => r.policy)).toEqual(["storage-min-tls-1-2"]);
  });

  it("takes ephemeral from policy config, else labConfig, else the resources' ephemeral tag", async () => {
    const run = await runMutated([
      {
        type: T.vault,
        change: (p, sdk) => ({ ...p, properties: patch(sdk, p.properties, (x: any) => ({ ...x, enablePurgeProtection: undefined })) }),
      },
    ]);
    expect((await runPack(run, CONFIG)).map((r) => r.policy)).toEqual(["kv-purge-protection"]);
    expect((await runPack(run, { ...CONFIG, ephemeral: true })).map((r) => r.policy).filter((p) => p === "kv-purge-protection")).toEqual(
      [],
    );
    // An ephemeral lab's resources say so in their tags: the resource policies need no config.
    const EPHEMERAL = { ephemeral: "true", ttlHours: "8", createdAt: "2025-01-31T09:00:00Z", owner: "alice" };
    const ephemeral = await runLab(EPHEMERAL);
    expect(await runPack(ephemeral, { labConfig: devConfig(EPHEMERAL), deployerObjectId: MOCK_CLIENT.objectId })).toEqual([]);
    expect((await runPack(ephemeral, { ...CONFIG, ephemeral: false })).map((r) => r.policy).sort()).toEqual([
      "kv-purge-protection",
      "lifecycle-lasting-protect",
      "lifecycle-lasting-protect",
      "lifecycle-lasting-retention",
    ]);
  });
});

describe("unknown values during preview", () => {
  const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  it("plain() unwraps the engine's proxy and turns unknowns into UNKNOWN instead of throwing", () => {
    const proxied = unknownCheckingProxy({ scope: UNKNOWN_STRING, nested: { list: ["get", UNKNOWN_STRING] } });
    expect(() => (proxied as any).scope).toThrow(/can't be known during preview/);
    expect(plain(proxied)).toEqual({ scope: UNKNOWN, nested: { list: ["get", UNKNOWN] } });
  });

  it("an unknown role assignment scope passes only when it comes from the lab's storage account", async () => {
    const run = await runLab();
    const rule = rules.find((r) => r.id === "grant-role-assignments")!;
    if (rule.kind !== "stack") throw new Error("expected a stack rule");
    const ctx = { ephemeral: false, deployerObjectId: MOCK_CLIENT.objectId };
    const views: PolicyResourceView[] = run.resources.map((r) => ({
      ...r,
      props: r.state,
      inputs: r.type === T.assignment ? { ...r.inputs, scope: UNKNOWN } : r.inputs,
    }));
    expect(rule.check(views, ctx)).toEqual([]);
    const noStorageDep = views.map((v) =>
      v.type === T.assignment ? { ...v, dependencies: v.dependencies!.filter((d) => !d.includes("StorageAccount")) } : v,
    );
    expect(rule.check(noStorageDep, ctx).map((f) => f.message)).toEqual([
      // The scope can only be traced to what the assignment's inputs came from (here the seat's VM): never the account.
      expect.stringMatching(
        /seat 1 identity holds "Storage listKeys only.* on vm dsvmlab-vm1 via storage-seat1-listkeys: not in the access matrix/,
      ),
      expect.stringMatching(/seat 2 identity/),
    ]);
  });

  it("an unknown principal is the one VM the grant's inputs came from", async () => {
    const run = await runLab();
    const rule = rules.find((r) => r.id === "grant-role-assignments")!;
    if (rule.kind !== "stack") throw new Error("expected a stack rule");
    const views: PolicyResourceView[] = run.resources.map((r) => ({
      ...r,
      props: r.type === T.vm ? { ...r.state, identity: { type: "SystemAssigned" } } : r.state,
      inputs: r.type === T.assignment ? { ...r.inputs, principalId: UNKNOWN } : r.inputs,
    }));
    expect(rule.check(views, { ephemeral: false })).toEqual([]);
    const noVmDep = views.map((v) =>
      v.type === T.assignment ? { ...v, dependencies: v.dependencies!.filter((d) => !d.includes("VirtualMachine")) } : v,
    );
    expect(rule.check(noVmDep, { ephemeral: false }).map((f) => f.message)).toEqual([
      expect.stringMatching(/principal \(known after deploy\) holds/),
      expect.stringMatching(/principal \(known after deploy\) holds/),
    ]);
  });

  it("inline policies whose seats are not known yet pass, but no more of them than seats the vault waits for", async () => {
    const run = await runLab();
    const rule = rules.find((r) => r.id === "grant-access-policies")!;
    if (rule.kind !== "stack") throw new Error("expected a stack rule");
    const ctx = { ...contextFromConfig(devConfig()), deployerObjectId: MOCK_CLIENT.objectId };
    const seatIds = new Set(run.resources.filter((r) => r.type === T.vm).map((r) => r.state.identity.principalId));
    const preview = (extra: unknown[]): PolicyResourceView[] =>
      run.resources.map((r) => {
        if (r.type === T.vm) return { ...r, props: { ...r.state, identity: { type: "SystemAssigned", principalId: UNKNOWN } } };
        if (r.type !== T.vault) return { ...r, props: r.state };
        const accessPolicies = [
          ...r.inputs.properties.accessPolicies.map((e: any) => (seatIds.has(e.objectId) ? { ...e, objectId: UNKNOWN } : e)),
          ...extra,
        ];
        const inputs = { ...r.inputs, properties: { ...r.inputs.properties, accessPolicies } };
        return { ...r, inputs, props: inputs };
      });
    expect(rule.check(preview([]), ctx)).toEqual([]);
    const more = rule.check(preview([{ objectId: UNKNOWN, permissions: { secrets: ["get"] } }]), ctx);
    expect(more.map((f) => f.message)).toEqual([
      expect.stringMatching(/principal \(known after deploy\) holds/),
      expect.stringMatching(/principal \(known after deploy\) holds/),
      expect.stringMatching(/principal \(known after deploy\) holds/),
    ]);
  });

  it("a lab role's assignable scope not known yet passes only when it comes from the lab's resource group", async () => {
    const run = await runLab({ customRoleSource: "lab" });
    const rule = rules.find((r) => r.id === "grant-custom-roles")!;
    if (rule.kind !== "stack") throw new Error("expected a stack rule");
    const views: PolicyResourceView[] = run.resources.map((r) =>
      r.type === T.roleDef
        ? { ...r, props: r.state, inputs: { ...r.inputs, scope: UNKNOWN, assignableScopes: [UNKNOWN] } }
        : { ...r, props: r.state },
    );
    expect(views.filter((v) => v.type === T.roleDef)).toHaveLength(1);
    expect(rule.check(views, { ephemeral: false })).toEqual([]);
    const noGroupDep = views.map((v) =>
      v.type === T.roleDef ? { ...v, dependencies: v.dependencies!.filter((d) => !d.includes("ResourceGroup")) } : v,
    );
    expect(rule.check(noGroupDep, { ephemeral: false }).map((f) => f.message)).toEqual([
      expect.stringMatching(/assignable at the scope \(known after deploy\)/),
    ]);
  });
});
