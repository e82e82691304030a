// Runs the PolicyPack without the Pulumi CLI: policy/index.ts loads with PolicyPack captured instead of served, and its
// validate functions run on engine-shaped arguments built from a recorded run (outputs as props, the root stack
// resource with the stack outputs, property dependencies, the protect option).
import type { PolicyPackArgs, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ProgramRun } from "../../offline/harness";

// The engine's own proxy (internal to @pulumi/policy, so untyped): it throws on any unknown value.
export const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T extends object>(o: T) => T };

let loaded: { name: string; args: PolicyPackArgs } | undefined;

/**
 * The pack, loaded once per test file: its policies are pure functions of what the engine hands them. It loads in
 * the file's own registry (policy/ modules once, not a second copy per file); only @pulumi/policy is mocked, for
 * that one require.
 */
export function loadPack(): { name: string; args: PolicyPackArgs } {
  if (loaded) return loaded;
  let captured: { name: string; args: PolicyPackArgs } | undefined;
  jest.doMock("@pulumi/policy", () => ({
    PolicyPack: class {
      constructor(name: string, args: PolicyPackArgs) {
        captured = { name, args };
      }
    },
  }));
  try {
    require("../../policy/index");
  } finally {
    jest.dontMock("@pulumi/policy");
  }
  return (loaded = captured!);
}

/** The engine's view of the stack. */
export function stackResources(run: ProgramRun): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const make = (type: string, name: string, urn: string, props: Record<string, any>, protect: boolean) =>
    ({
      type,
      name,
      urn,
      props,
      opts: { protect } as any,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    }) as unknown as PolicyResource;
  for (const r of run.resources) byUrn.set(r.urn, make(r.type, r.name, r.urn, r.state, r.protect));
  for (const r of run.resources) {
    const pr = byUrn.get(r.urn)!;
    if (r.parent && byUrn.has(r.parent)) pr.parent = byUrn.get(r.parent);
    pr.propertyDependencies = { all: r.dependencies.flatMap((d) => (byUrn.has(d) ? [byUrn.get(d)!] : [])) };
  }
  const prefix = /^(urn:pulumi:[^:]+::[^:]+)::/.exec(run.resources[0].urn)![1];
  const root = make(
    "pulumi:pulumi:Stack",
    `${run.project}-${run.stack}`,
    `${prefix}::pulumi:pulumi:Stack::${run.project}-${run.stack}`,
    run.outputs as Record<string, any>,
    false,
  );
  return [...byUrn.values(), root];
}

export interface Report {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

/** Every violation the pack reports on a run, with `config` as its policy config. */
export async function runPack(run: ProgramRun, config: Record<string, unknown> = {}): Promise<Report[]> {
  const { args } = loadPack();
  const reports: Report[] = [];
  const resources = stackResources(run);
  for (const p of args.policies) {
    const report = (message: string, urn?: string) => reports.push({ policy: p.name, message, urn });
    if ("validateStack" in p) {
      await (p as StackValidationPolicy).validateStack(
        {
          resources,
          stackTags: new Map(),
          getConfig: <T>() => config as T,
          notApplicable: () => {
            throw new Error("n/a");
          },
        },
        report,
      );
    } else {
      for (const r of run.resources) {
        const validate = (p as ResourceValidationPolicy).validateResource as (...args: unknown[]) => unknown;
        await validate(
          {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: unknownCheckingProxy(r.inputs),
            opts: {},
            stackTags: new Map(),
            getConfig: () => config,
            notApplicable: () => {
              throw new Error("n/a");
            },
            isType: () => false,
            asType: () => undefined,
          },
          (message: string) => reports.push({ policy: p.name, message, urn: r.urn }),
        );
      }
    }
  }
  return reports;
}
