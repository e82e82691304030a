// The PolicyPack wiring, without the Pulumi CLI: policy/index.ts loads with PolicyPack captured instead of served,
// and its validate functions run on engine-shaped arguments built from the recorded resources.
import type { PolicyPackArgs, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ProgramRun } from "../../scripts/lib/harness";
import { plain } from "../../policy/pack";
import { rules, UNKNOWN } from "../../policy/rules";
import { runLab } from "../helpers/program";
import { patch, runMutated } from "./mutate";

// The engine's own proxy (internal to @pulumi/policy, so untyped): it throws on any unknown value.
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T extends object>(o: T) => T };

function loadPack(): { name: string; args: PolicyPackArgs } {
  let captured: { name: string; args: PolicyPackArgs } | undefined;
  jest.isolateModules(() => {
    jest.doMock("@pulumi/policy", () => ({
      PolicyPack: class {
        constructor(name: string, args: PolicyPackArgs) {
          captured = { name, args };
        }
      },
    }));
    require("../../policy/index");
  });
  jest.dontMock("@pulumi/policy");
  return captured!;
}

/** The engine's view of the stack: outputs as props, resource objects as dependencies, property dependencies too. */
function stackResources(run: ProgramRun): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of run.resources) {
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: r.state, opts: {} as any, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined } as PolicyResource);
  }
  for (const r of run.resources) {
    const pr = byUrn.get(r.urn)!;
    if (r.parent && byUrn.has(r.parent)) pr.parent = byUrn.get(r.parent);
    pr.propertyDependencies = { all: r.dependencies.flatMap((d) => (byUrn.has(d) ? [byUrn.get(d)!] : [])) };
  }
  return [...byUrn.values()];
}

interface Report {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

async function runPack(run: ProgramRun, config: Record<string, unknown> = {}): Promise<Report[]> {
  const { args } = loadPack();
  const reports: Report[] = [];
  const resources = stackResources(run);
  for (const p of args.policies) {
    const report = (message: string, urn?: string) => reports.push({ policy: p.name, message, urn });
    if ("validateStack" in p) {
      await (p as StackValidationPolicy).validateStack({ resources, stackTags: new Map(), getConfig: <T>() => config as T, notApplicable: () => { throw new Error("n/a"); } }, report);
    } else {
      for (const r of run.resources) {
        const validate = (p as ResourceValidationPolicy).validateResource as Function;
        await validate(
          { type: r.type, name: r.name, urn: r.urn, props: unknownCheckingProxy(r.inputs), opts: {}, stackTags: new Map(), getConfig: () => config, notApplicable: () => { throw new Error("n/a"); }, isType: () => false, asType: () => undefined },
          (message: string) => reports.push({ policy: p.name, message, urn: r.urn }),
        );
      }
    }
  }
  return reports;
}

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

  it("reports nothing on the shipped program", async () => {
    expect(await runPack(await runLab())).toEqual([]);
  });

  it("reports a seat policy with list through its stack policy, at the policy's URN", async () => {
    const run = await runMutated([
      { type: "azure-native:keyvault:AccessPolicy", name: "vault-seat2", change: (p, sdk) => ({ ...p, policy: patch(sdk, p.policy, (x: any) => ({ ...x, permissions: { ...x.permissions, secrets: ["get", "set", "list"] } })) }) },
    ]);
    const reports = await runPack(run);
    expect(reports).toEqual([{ policy: "kv-vm-secrets-get-set-only", urn: expect.stringMatching(/AccessPolicy::vault-seat2$/), message: expect.stringMatching(/seat 2 identity .*remove \[list\]/) }]);
  });

  it("reports TLS 1.0 through its resource policy", async () => {
    const run = await runMutated([{ type: "azure-native:storage:StorageAccount", change: (p) => ({ ...p, minimumTlsVersion: "TLS1_0" }) }]);
    expect((await runPack(run)).map((r) => r.policy)).toEqual(["storage-min-tls-1-2"]);
  });

  it("takes ephemeral from policy config, else from the resources' ephemeral tag", async () => {
    const run = await runMutated([{ type: "azure-native:keyvault:Vault", change: (p, sdk) => ({ ...p, properties: patch(sdk, p.properties, (x: any) => ({ ...x, enablePurgeProtection: undefined })) }) }]);
    expect((await runPack(run)).map((r) => r.policy)).toEqual(["kv-purge-protection"]);
    expect((await runPack(run, { ephemeral: true })).map((r) => r.policy).filter((p) => p === "kv-purge-protection")).toEqual([]);
    // An ephemeral lab's resources say so in their tags: no config needed, and its vault passes without purge protection.
    const ephemeral = await runLab({ ephemeral: "true", ttlHours: "8", createdAt: "2025-01-31T09:00:00Z", owner: "alice" });
    expect(await runPack(ephemeral)).toEqual([]);
    expect((await runPack(ephemeral, { ephemeral: false })).map((r) => r.policy)).toEqual(["kv-purge-protection"]);
  });
});

describe("unknown values during preview", () => {
  const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  it("plain() unwraps the engine's proxy and turns unknowns into UNKNOWN instead of throwing", () => {
    const proxied = unknownCheckingProxy({ scope: UNKNOWN_STRING, nested: { list: ["get", UNKNOWN_STRING] } });
    expect(() => (proxied as any).scope).toThrow(/can't be known during preview/);
    expect(plain(proxied)).toEqual({ scope: UNKNOWN, nested: { list: ["get", UNKNOWN] } });
  });

  it("an unknown role assignment scope passes only when it comes from a storage account", async () => {
    const run = await runLab();
    const rule = rules.find((r) => r.id === "role-scope-storage-account")!;
    if (rule.kind !== "stack") throw new Error("expected a stack rule");
    const views = run.resources.map((r) => ({ ...r, props: r.state, inputs: r.type.endsWith("RoleAssignment") ? { ...r.inputs, scope: UNKNOWN } : r.inputs }));
    expect(rule.check(views, { ephemeral: false })).toEqual([]);
    const noStorageDep = views.map((v) => (v.type.endsWith("RoleAssignment") ? { ...v, dependencies: v.dependencies.filter((d) => !d.includes("StorageAccount")) } : v));
    expect(rule.check(noStorageDep, { ephemeral: false }).map((f) => f.message)).toEqual([
      expect.stringMatching(/seat 1 identity's role assignment storage-seat1-listkeys is scoped to a scope that is not a storage account/),
      expect.stringMatching(/seat 2 identity/),
    ]);
  });
});
