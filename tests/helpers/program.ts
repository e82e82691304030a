// Runs the real program under Pulumi's mocks in a fresh module registry, so each run has its own Pulumi runtime.
import * as path from "path";
import type { ProgramRun, RecordedResource, RunOptions } from "../../offline/harness";
import { readStackConfig } from "../../offline/stack-config";

export const ROOT = path.resolve(__dirname, "../..");

/** The dev stack's config as the CLI would pass it, with `overrides` on top (values as CLI strings). */
export function devConfig(overrides: Record<string, string> = {}, stack = "dev"): Record<string, string> {
  return { ...readStackConfig(ROOT, stack), ...overrides };
}

/** `beforeProgram`: see RunOptions in offline/harness.ts (tests inject stack transformations with it). */
export async function runLab(
  overrides: Record<string, string> = {},
  stack = "dev",
  options: Pick<RunOptions, "beforeProgram"> = {},
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../offline/harness") as typeof import("../../offline/harness");
    run = await runProgram({ stack, config: devConfig(overrides, stack), programDir: ROOT, ...options });
  });
  return run!;
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
  let result: { error: Error; registered: number } | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../offline/harness") as typeof import("../../offline/harness");
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    try {
      await runProgram({ stack, config: devConfig(overrides, stack), programDir: ROOT });
    } catch (error) {
      // The root stack resource (the harness runs the program inside it, like the CLI) is not the program's.
      const urns = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()] as string[];
      result = { error: error as Error, registered: urns.filter((u) => !u.includes("::pulumi:pulumi:Stack::")).length };
    }
  });
  if (!result) throw new Error("the program succeeded, but a failure was expected");
  return result;
}

/**
 * Builds components alone under the program's mocks, with hand-written args and no index.ts (as pulumi-awsx tests
 * its components). `build` gets `load`, which requires one of our modules (`components/SecretVault`) from this run's
 * module registry, so it shares the run's Pulumi SDK.
 */
export async function runComponents(
  build: (load: <T = any>(modulePath: string) => T, sdk: typeof import("@pulumi/pulumi")) => void | Promise<void>,
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../offline/harness") as typeof import("../../offline/harness");
    try {
      run = await runProgram({
        stack: "component",
        config: {},
        programDir: path.join(ROOT, "tests/components"),
        programFile: "no-program.ts",
        beforeProgram: (sdk) => build((modulePath) => require(path.join(ROOT, modulePath)), sdk),
      });
    } catch (error) {
      // Let this run's last registrations land on its own mock monitor, not on the next test's.
      await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
      throw error;
    }
  });
  return run!;
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
