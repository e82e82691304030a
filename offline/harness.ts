// Runs the real program (index.ts) under the Pulumi SDK's own mocks and records what it registers: type, name,
// parent, inputs, the state the mocks answered, and the dependencies the SDK computed. No cloud, no CLI.
// One run per module registry: the Pulumi runtime is global state (tests use jest.isolateModules).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PROJECT } from "../lib/config";
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
  /** The `import` option: adopt an existing resource (or, for RandomPassword, a given value) instead of creating one. */
  readonly importId?: string;
  /** How many per-resource `transforms` the request carried: the engine would run them, the mocks do not. */
  readonly transforms?: number;
}

/** What the program asked of the engine besides registering resources; program-findings.ts judges it. */
export interface EngineUse {
  /** Engine-side callbacks the program registered (transforms, hooks): code the offline gate never runs. */
  readonly callbacks: readonly { readonly kind: CallbackKind; readonly resource?: string }[];
  /** Every invoke token the program called, once each, in first-call order (answered or not). */
  readonly invokes: readonly string[];
  /** Resource methods the program called (`call`): the mocks answer none. */
  readonly methods: readonly string[];
  /** Existing resources the program read (`Resource.get`), by type and name. */
  readonly reads: readonly string[];
}

export type CallbackKind = "resource transform" | "stack transform" | "invoke transform" | "resource hook" | "error hook";

export interface ProgramRun {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  /** Stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** Values the mocks made up (ids, principal ids, IPs...): known only after a real deploy. */
  readonly invented: ReadonlySet<string>;
  readonly engine: EngineUse;
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
  /** Told, when the program fails, how many of its resources had reached the engine (tests prove "nothing registered"). */
  readonly onFailure?: (registered: number) => void;
}

/**
 * Each run has a Pulumi store of its own (config, monitor, root stack, transformations), as the SDK's Automation API
 * runs an inline program (automation/server.ts: withLocalStorage, then runInPulumiStack): runs in one process share
 * the loaded SDK and modules, never state. The first run with a loaded SDK takes its global store, as a CLI run
 * does (jest workers share one SDK across test files, so the mark is on the SDK): a local store is an AsyncLocalStorage, which follows every promise (a 500-seat plan took 18% longer and 35%
 * more memory in one). Internal API of @pulumi/pulumi 3.x (runtime/state), like waitForRPCs.
 */
export function runProgram(opts: RunOptions): Promise<ProgramRun> {
  const state = require("@pulumi/pulumi/runtime/state") as { withLocalStorage<T>(run: () => T): T; [GLOBAL_STORE_TAKEN]?: true };
  if (!state[GLOBAL_STORE_TAKEN]) {
    state[GLOBAL_STORE_TAKEN] = true;
    return runInOwnStore(opts);
  }
  return state.withLocalStorage(() => runInOwnStore(opts));
}

/** Marks the loaded SDK whose global store a run has taken (a mark on the SDK, since the SDK may outlive this module). */
const GLOBAL_STORE_TAKEN = Symbol.for("dsvm-identity-lab.harness.global-store-taken");

/** Program files that registered their resources as they loaded: they cannot run again in this module registry. */
const ranAtLoad = new Set<string>();

async function runInOwnStore(opts: RunOptions): Promise<ProgramRun> {
  const mocks = new AzureMocks();
  const recorded = new Map<string, RecordedResource>();
  const project = opts.project ?? PROJECT;
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(opts.config).map(([k, v]) => [`${project}:${k}`, v])));
  await pulumi.runtime.setMocks(mocks, project, opts.stack, false);
  const engine = {
    callbacks: [] as { kind: CallbackKind; resource?: string }[],
    invokes: new Set<string>(),
    methods: new Set<string>(),
    reads: new Set<string>(),
  };
  const phase = { programLoaded: false };
  installMonitor(recorded, engine);
  installCallbackRecorder(engine, phase);
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
      pulumi.runtime.registerStackTransformation((a) =>
        a.opts.aliases ? { props: a.props, opts: { ...a.opts, aliases: undefined } } : undefined,
      );
      await opts.beforeProgram?.(pulumi);
      if (engine.callbacks.length)
        throw new Error(
          "beforeProgram registered a transform or hook: the offline harness cannot apply them; use a legacy stack transformation",
        );
      phase.programLoaded = true;
      const file = require.resolve(path.join(opts.programDir ?? path.resolve(__dirname, ".."), opts.programFile ?? "index.ts"));
      if (ranAtLoad.has(file))
        throw new Error(`${file} registers its resources as it loads, so it runs once per process; export a function`);
      const exported = require(file) as unknown;
      // As the language host does (sdk/nodejs/cmd/run/run.ts): an exported function is called and its result awaited.
      if (typeof exported === "function") program = ((await exported()) ?? {}) as Record<string, unknown>;
      else {
        ranAtLoad.add(file);
        program = exported as Record<string, unknown>;
      }
    } catch (error) {
      failure = { error };
    }
    return undefined;
  });
  if (failure) {
    // The root stack resource (the program runs inside it, like the CLI) is not the program's.
    const urns = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()] as string[];
    opts.onFailure?.(urns.filter((u) => !u.includes("::pulumi:pulumi:Stack::")).length);
    // Registrations already sent still answer; let them land before the store goes.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    throw failure.error;
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    if (key === "__esModule") continue;
    outputs[key] = await (pulumi.output(value) as any).promise();
  }
  // The SDK's own drain (internal, what the language host awaits): every registration has answered.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return {
    project,
    stack: opts.stack,
    resources: [...recorded.values()],
    outputs,
    invented: mocks.invented,
    engine: { callbacks: engine.callbacks, invokes: [...engine.invokes], methods: [...engine.methods], reads: [...engine.reads] },
  };
}

/**
 * The SDK wraps every internal promise for its leak report: a captured stack trace, three property definitions and a
 * set entry each, about half of a large plan's time and a third of its memory (docs/benchmarks.md). The report only
 * matters to a long-lived language host; the harness awaits every RPC itself (waitForRPCs), so it turns the wrapping
 * off for this module registry. Internal API of @pulumi/pulumi 3.x (runtime/debuggable), like waitForRPCs.
 */
/**
 * For a program outside this checkout (plan --program DIR): its packages (bare imports such as @pulumi/pulumi) resolve
 * from this checkout's node_modules, so it registers with this harness's SDK and mocks, never a copy the program's
 * own lockfile chose. Its relative imports (its lib/, components/) stay its own. A package this checkout lacks fails.
 */
export function packagesFromHere(programDir: string): void {
  const Module = require("module") as { _resolveFilename: (request: string, parent: any, ...rest: any[]) => string };
  const original = Module._resolveFilename;
  // Node reports modules by their real path.
  const dir = (require("fs") as typeof import("fs")).realpathSync(path.resolve(programDir)) + path.sep;
  const here = { id: __filename, filename: __filename, paths: (require("module") as any)._nodeModulePaths(__dirname) };
  Module._resolveFilename = function (request, parent, ...rest) {
    const bare = !request.startsWith(".") && !path.isAbsolute(request) && !request.startsWith("node:");
    if (bare && parent?.filename?.startsWith(dir)) return original.call(this, request, here, ...rest);
    return original.call(this, request, parent, ...rest);
  };
}

function withoutPromiseDebugging(): void {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
  debuggable.debuggablePromise = (p) => p;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

type Rpc = (req: any, callback: (err: any, resp: any) => void) => void;
interface EngineRecord {
  callbacks: { kind: CallbackKind; resource?: string }[];
  invokes: Set<string>;
  methods: Set<string>;
  reads: Set<string>;
}

/**
 * Puts the SDK's mock monitor behind one that records every request: registrations (parent, dependencies, import id,
 * transforms), invokes, method calls and reads. Its class is named like the real gRPC client and the monitor address
 * looks like one, so a program does not see "Mock" at a glance; it can still tell (docs/reviewing-a-pr.md).
 */
function installMonitor(into: Map<string, RecordedResource>, engine: EngineRecord): void {
  const inner = pulumi.runtime.getMonitor() as any;
  const registerResource = recordRegistrations(inner.registerResource.bind(inner), into);
  const invoke: Rpc = (req, callback) => {
    // getResource is the SDK's own: it rebuilds resource references from the monitor's state.
    if (req.getTok() !== "pulumi:pulumi:getResource") engine.invokes.add(req.getTok());
    inner.invoke(req, callback);
  };
  class ResourceMonitorClient {
    registerResource(req: any, callback: any) {
      registerResource(req, callback);
    }
    invoke(req: any, callback: any) {
      invoke(req, callback);
    }
    readResource(req: any, callback: any) {
      engine.reads.add(`${req.getType()} ${req.getName()}`);
      inner.readResource(req, callback);
    }
    call(req: any, callback: any) {
      engine.methods.add(req.getTok());
      callback(new Error(`the offline plan answers no resource method (${req.getTok()})`), undefined);
    }
    registerResourceOutputs(req: any, callback: any) {
      inner.registerResourceOutputs(req, callback);
    }
    supportsFeature(req: any, callback: any) {
      inner.supportsFeature(req, callback);
    }
    registerPackage(req: any, callback: any) {
      inner.registerPackage(req, callback);
    }
    /** Tests read what reached the monitor (tests/helpers/program.ts). */
    getRegisteredResources() {
      return inner.getRegisteredResources();
    }
  }
  const store = (require("@pulumi/pulumi/runtime/state") as { getStore(): any }).getStore();
  const { project, stack, dryRun, organization } = store.settings.options;
  (settings as any).setMockOptions(new ResourceMonitorClient(), project, stack, dryRun, organization);
  // setMockOptions reset the store's feature flags; the monitor answers them again when the stack starts.
  store.settings.options.monitorAddr = "127.0.0.1:50051";
}

/**
 * The SDK hands transforms and hooks to a callback server, which asks the engine to call them back: under mocks
 * nothing ever does, so the offline gate would judge inputs the deploy then changes. This stands in for that server
 * and records each registration instead; the plan fails on any (program-findings.ts). Internal API of
 * @pulumi/pulumi 3.x (the store's `callbacks`, as runtime/settings getCallbacks reads it).
 */
function installCallbackRecorder(engine: EngineRecord, phase: { programLoaded: boolean }): void {
  const { Callback } = require("@pulumi/pulumi/proto/callback_pb") as { Callback: new () => any };
  let next = 0;
  const callback = () => {
    const cb = new Callback();
    cb.setTarget("127.0.0.1:0");
    cb.setToken(`offline-${++next}`);
    return cb;
  };
  const note = (kind: CallbackKind) =>
    engine.callbacks.push({ kind, ...(phase.programLoaded ? {} : { resource: "(before the program)" }) });
  /** A registration recorded, answered with a callback as the server would. */
  const noted = (kind: CallbackKind) => async () => {
    note(kind);
    return callback();
  };
  const store = (require("@pulumi/pulumi/runtime/state") as { getStore(): any }).getStore();
  store.callbacks = {
    registerTransform: async () => callback(), // per-resource: the request's transforms list names the resource
    registerStackTransform: () => note("stack transform"),
    registerStackInvokeTransform: () => note("invoke transform"),
    registerStackInvokeTransformAsync: noted("invoke transform"),
    registerInvokeTransform: noted("invoke transform"),
    registerResourceHook: noted("resource hook"),
    registerErrorHook: noted("error hook"),
    awaitStackRegistrations: () => Promise.resolve(),
    shutdown: () => undefined,
  };
}

/** Wraps registerResource so each request's parent, dependencies, import id and transforms are kept. */
function recordRegistrations(register: Rpc, into: Map<string, RecordedResource>): Rpc {
  const roots = new Set<string>();
  return (req: any, callback: (err: any, resp: any) => void) =>
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
          ...(req.getImportid() ? { importId: req.getImportid() } : {}),
          ...(req.getTransformsList().length ? { transforms: req.getTransformsList().length } : {}),
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
