// Runs the real program (index.ts) under the Pulumi SDK's own mocks and records what it registers: type, name,
// parent, inputs, the state the mocks answered, and the dependencies the SDK computed. No cloud, no CLI.
// One run per module registry: the Pulumi runtime is global state (tests use jest.isolateModules).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PROJECT } from "../../lib/config";
import { AzureMocks } from "./mocks";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  /** Pulumi's logical name. */
  readonly name: string;
  /** Parent URN, or undefined at the top. */
  readonly parent?: string;
  /** False for component resources. */
  readonly custom: boolean;
  readonly protect: boolean;
  /** URN of the resource whose deletion also removes this one (`deletedWith`): Pulumi then skips this delete. */
  readonly deletedWith?: string;
  /** Properties whose changes replace the resource (`replaceOnChanges`). */
  readonly replaceOnChanges?: readonly string[];
  /** Inputs as the provider would receive them. */
  readonly inputs: Record<string, any>;
  /** Inputs plus the outputs the mocks made up. */
  readonly state: Record<string, any>;
  readonly id?: string;
  /** URNs this resource waits for: explicit dependsOn and those its inputs came from. */
  readonly dependencies: readonly string[];
}

export interface ProgramRun {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  /** Stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** Values the mocks made up (ids, principal ids, IPs...): known only after a real deploy. */
  readonly invented: ReadonlySet<string>;
}

export interface RunOptions {
  readonly stack: string;
  /** Project config without the namespace, as the CLI hands it over: strings, arrays as JSON. */
  readonly config: Readonly<Record<string, string>>;
  /** Where index.ts lives. Default: the repository root. */
  readonly programDir?: string;
  /** The program file in programDir. Default: index.ts. */
  readonly programFile?: string;
  /** The Pulumi project: config namespace and URNs. Default: the lab's (bootstrap/ is another project). */
  readonly project?: string;
  /**
   * Awaited with this run's Pulumi SDK after the mocks are set and before the program loads. Tests inject one
   * regression at a time here with a legacy stack transformation (the mock monitor does not support the newer
   * `registerResourceTransform`); see tests/policy/mutate.ts.
   */
  readonly beforeProgram?: (sdk: typeof pulumi) => void | Promise<void>;
}

export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
  const mocks = new AzureMocks();
  const recorded = new Map<string, RecordedResource>();
  const project = opts.project ?? PROJECT;
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(opts.config).map(([k, v]) => [`${project}:${k}`, v])));
  await pulumi.runtime.setMocks(mocks, project, opts.stack, false);
  recordRegistrations(pulumi.runtime.getMonitor() as any, recorded);
  withoutPromiseDebugging();

  // As the language host does: the program runs inside the root stack resource, so stack transformations
  // (lib/tags.ts, and tests' beforeProgram) apply. The root itself is not recorded; its children show no parent.
  // A program error is rethrown here: thrown inside the root's init it would surface as an unhandled rejection.
  let program: Record<string, unknown> = {};
  let failure: { error: unknown } | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      // First, so it sees every resource: azure-native gives each resource an alias per older API version (60 for a
      // NIC), and the SDK turns each into Outputs. They only let the engine match old state, which a plan has none of;
      // dropping them halves the plan's time and memory (docs/benchmarks.md). Inputs and dependencies are unchanged.
      pulumi.runtime.registerStackTransformation((a) => (a.opts.aliases ? { props: a.props, opts: { ...a.opts, aliases: undefined } } : undefined));
      await opts.beforeProgram?.(pulumi);
      program = require(path.join(opts.programDir ?? path.resolve(__dirname, "../.."), opts.programFile ?? "index.ts")) as Record<string, unknown>;
    } catch (error) {
      failure = { error };
    }
    return undefined;
  });
  if (failure) throw failure.error;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    if (key === "__esModule") continue;
    outputs[key] = await (pulumi.output(value) as any).promise();
  }
  // The SDK's own drain (internal, what the language host awaits): every registration has answered.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return { project, stack: opts.stack, resources: [...recorded.values()], outputs, invented: mocks.invented };
}

/**
 * The SDK wraps every internal promise for its leak report: a captured stack trace, three property definitions and a
 * set entry each, about half of a large plan's time and a third of its memory (docs/benchmarks.md). The report only
 * matters to a long-lived language host; the harness awaits every RPC itself (waitForRPCs), so it turns the wrapping
 * off for this module registry. Internal API of @pulumi/pulumi 3.x (runtime/debuggable), like waitForRPCs.
 */
function withoutPromiseDebugging(): void {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
  debuggable.debuggablePromise = (p) => p;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Wraps the mock monitor's registerResource so each request's parent and dependencies are kept. */
function recordRegistrations(monitor: any, into: Map<string, RecordedResource>): void {
  const register = monitor.registerResource.bind(monitor);
  const roots = new Set<string>();
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
    register(req, (err: any, resp: any) => {
      if (!err && resp && req.getType() === ROOT_STACK_TYPE) roots.add(resp.getUrn());
      else if (!err && resp) {
        const urn: string = resp.getUrn();
        const deps = new Set<string>(req.getDependenciesList());
        req.getPropertydependenciesMap().forEach((v: any) => v.getUrnsList().forEach((u: string) => deps.add(u)));
        into.set(urn, {
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: roots.has(req.getParent()) ? undefined : req.getParent() || undefined,
          custom: req.getCustom(),
          protect: req.getProtect() === true,
          deletedWith: req.getDeletedwith() || undefined,
          replaceOnChanges: req.getReplaceonchangesList().length ? req.getReplaceonchangesList() : undefined,
          inputs: deserializeProperties(req.getObject()),
          state: deserializeProperties(resp.getObject()),
          id: resp.getId() || undefined,
          dependencies: [...deps].filter((d) => d !== req.getParent() && !roots.has(d)),
        });
      }
      callback(err, resp);
    });
}

const matchers = new WeakMap<ReadonlySet<string>, { size: number; test: (text: string) => boolean }>();

/**
 * Whether `text` contains any of `values`. Indexes the values by their first few characters, so a large plan (tens of
 * thousands of made-up values) costs one lookup per character of text instead of one scan per value.
 */
export function containsAny(values: ReadonlySet<string>): (text: string) => boolean {
  const known = matchers.get(values);
  if (known && known.size === values.size) return known.test;
  const width = Math.max(1, Math.min(...[...values].map((v) => v.length)));
  const byHead = new Map<string, string[]>();
  for (const v of values) byHead.set(v.slice(0, width), [...(byHead.get(v.slice(0, width)) ?? []), v]);
  const test = (text: string) => {
    for (let i = 0; i + width <= text.length; i++) {
      const candidates = byHead.get(text.slice(i, i + width));
      if (candidates?.some((v) => text.startsWith(v, i))) return true;
    }
    return false;
  };
  matchers.set(values, { size: values.size, test });
  return test;
}

/** Whether a value holds anything the mocks made up, i.e. is known only after deploy. */
export function knownAfterDeploy(value: unknown, invented: ReadonlySet<string>): boolean {
  if (typeof value === "string") return containsAny(invented)(value);
  if (Array.isArray(value)) return value.some((v) => knownAfterDeploy(v, invented));
  if (value && typeof value === "object") return Object.values(value).some((v) => knownAfterDeploy(v, invented));
  return false;
}
