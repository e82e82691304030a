// Injects one security regression into the real program under mocks, with a legacy stack transformation (the mock
// monitor does not support registerResourceTransform). The transformation runs in the program's own module registry.
import type * as pulumi from "@pulumi/pulumi";
import type { ProgramRun } from "../../offline/harness";
import { runLab } from "../helpers/program";

type Sdk = typeof pulumi;
type Props = Record<string, any>;

/** A change to one resource's props; `sdk` is the run's own SDK (build Outputs with it, never with a top-level import). */
export interface Mutation {
  readonly type: string;
  /** Logical name; every resource of `type` when absent. */
  readonly name?: string;
  readonly change: (props: Props, sdk: Sdk) => Props;
  /** Resources to add, created when the first matching resource is (with the run's own SDK). */
  readonly add?: (props: Props, sdk: Sdk) => void;
  /** Sees each matching resource object as it is constructed, so a later mutation can use its outputs. */
  readonly capture?: (resource: pulumi.Resource) => void;
  /** A change to the resource options (protect, deletedWith...). */
  readonly opts?: (opts: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions;
}

/** Applies `fn` to an Input's resolved value, keeping it an Output. */
export const patch = <T>(sdk: Sdk, value: unknown, fn: (v: T) => unknown) => sdk.output(value as pulumi.Input<T>).apply((v) => fn(v as T));

export async function runMutated(
  mutations: readonly Mutation[],
  overrides: Record<string, string> = {},
  stack = "dev",
): Promise<ProgramRun> {
  return runLab(overrides, stack, {
    beforeProgram: (sdk) => {
      const added = new Set<Mutation>();
      sdk.runtime.registerStackTransformation((args) => {
        let props = args.props as Props;
        let opts = args.opts;
        let hit = false;
        for (const m of mutations) {
          if (args.type !== m.type || (m.name !== undefined && args.name !== m.name)) continue;
          props = m.change(props, sdk);
          if (m.opts) opts = m.opts(opts);
          m.capture?.(args.resource);
          hit = true;
          if (m.add && !added.has(m)) {
            added.add(m);
            m.add(props, sdk);
          }
        }
        return hit ? { props, opts } : undefined;
      });
    },
  });
}
