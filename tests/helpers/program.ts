// Runs the real program under Pulumi's mocks; each run has a Pulumi store of its own (offline/harness.ts).
import * as path from "path";
import type { ProgramRun, RecordedResource, RunOptions } from "../../offline/harness";
import { readStackConfig } from "../../offline/stack-config";

export const ROOT = path.resolve(__dirname, "../..");

/** The harness loads the Pulumi SDK: loaded on first use, so test files that only need ROOT or devConfig stay light. */
const runProgram: typeof import("../../offline/harness").runProgram = (opts) =>
  (require("../../offline/harness") as typeof import("../../offline/harness")).runProgram(opts);

/** The dev stack's config as the CLI would pass it, with `overrides` on top (values as CLI strings). */
export function devConfig(overrides: Record<string, string> = {}, stack = "dev"): Record<string, string> {
  if (!stackConfigs.has(stack)) stackConfigs.set(stack, Object.freeze(readStackConfig(ROOT, stack)));
  return { ...stackConfigs.get(stack), ...overrides };
}
/** Each stack file, read once per test file. */
const stackConfigs = new Map<string, Readonly<Record<string, string>>>();

/** `beforeProgram`: see RunOptions in offline/harness.ts (tests inject stack transformations with it). */
export function runLab(
  overrides: Record<string, string> = {},
  stack = "dev",
  options: Pick<RunOptions, "beforeProgram"> = {},
): Promise<ProgramRun> {
  // Each run has a Pulumi store of its own (offline/harness.ts), so runs share this file's SDK and modules.
  const config = devConfig(overrides, stack);
  if (options.beforeProgram) return runProgram({ stack, config, programDir: ROOT, ...options });
  // The same program with the same config registers the same resources: a test file gets one run per config, frozen
  // so that no test can change what another sees. This module is fresh per test file, so the memo is too.
  const key = JSON.stringify([stack, config]);
  let run = runs.get(key);
  if (!run) {
    run = runProgram({ stack, config, programDir: ROOT }).then(deepFreeze);
    runs.set(key, run);
    run.catch(() => runs.delete(key));
  }
  return run;
}
const runs = new Map<string, Promise<ProgramRun>>();

/** Freezes plain objects and arrays all the way down (a Set stays as it is: its type is already read-only). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !(value instanceof Set)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, name: string): RecordedResource {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}; have: ${run.resources.map((r) => r.name).join(", ")}`);
  return found;
}

/** Runs the program expecting it to fail; returns the error and how many resources reached the (mock) engine. */
export async function runLabFailure(overrides: Record<string, string>, stack = "dev"): Promise<{ error: Error; registered: number }> {
  let registered = -1;
  try {
    await runProgram({ stack, config: devConfig(overrides, stack), programDir: ROOT, onFailure: (n) => (registered = n) });
  } catch (error) {
    return { error: error as Error, registered };
  }
  throw new Error("the program succeeded, but a failure was expected");
}

/**
 * Builds components alone under the program's mocks, with hand-written args and no index.ts (as pulumi-awsx tests
 * its components). `build` gets `load`, which requires one of our modules (`components/SecretVault`), and the SDK.
 */
export async function runComponents(
  build: (load: <T = any>(modulePath: string) => T, sdk: typeof import("@pulumi/pulumi")) => void | Promise<void>,
): Promise<ProgramRun> {
  return runProgram({
    stack: "component",
    config: {},
    programDir: path.join(ROOT, "tests/components"),
    programFile: "no-program.ts",
    beforeProgram: (sdk) => build((modulePath) => require(path.join(ROOT, modulePath)), sdk),
  });
}

/** Whether `from` waits for `to`, directly or through other resources. */
export function waitsFor(run: ProgramRun, from: RecordedResource, to: RecordedResource): boolean {
  const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const stack = [...from.dependencies];
  while (stack.length) {
    const urn = stack.pop()!;
    if (urn === to.urn) return true;
    if (seen.has(urn)) continue;
    seen.add(urn);
    stack.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return false;
}

/** Two operations Pulumi may run at the same time: neither waits for the other. */
export function mayRunAtOnce(run: ProgramRun, a: RecordedResource, b: RecordedResource): boolean {
  return !waitsFor(run, a, b) && !waitsFor(run, b, a);
}

/** Every pair of `resources` that may run at once, by name: what must be empty for writes Azure serializes. */
export function concurrentPairs(run: ProgramRun, resources: readonly RecordedResource[]): string[] {
  const out: string[] = [];
  resources.forEach((a, i) => resources.slice(i + 1).forEach((b) => mayRunAtOnce(run, a, b) && out.push(`${a.name} | ${b.name}`)));
  return out;
}
