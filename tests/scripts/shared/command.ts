// Runs a command as `npm run <command>` would, and gives back { status, stdout, stderr } either way:
// - in this process (runCommand): the command's main with buffers for its streams, errors reported as the process
//   wrapper reports them; anything else written to the process's streams or the console meanwhile is caught too;
// - as a child process (node -r ./scripts/register.js <script>): for the tests that prove the process contract
//   (exit code, no stack trace, output flushed into a pipe).
import { spawn } from "child_process";
import * as path from "path";
import type { Main } from "../../../scripts/shared/cli";

export const ROOT = path.resolve(__dirname, "../../..");

export interface CommandRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// One in-process run at a time: it borrows the process's streams and the console.
let queue: Promise<unknown> = Promise.resolve();

/**
 * `script`'s main (`scripts/plan/index.ts`) in this process, from the checkout in `dir` (this one, or a copy a test
 * made: then the copy's own modules and error classes, as its own process would load them), with DEBUG off.
 */
export function runInProcess(script: string, argv: string[], dir = ROOT): Promise<CommandRun> {
  return runMainInProcess((require(path.join(dir, script)) as { main: Main }).main, argv, dir);
}

/** A main in this process, its errors reported by the runCommand of the checkout in `dir`. */
export function runMainInProcess(main: Main, argv: string[], dir = ROOT): Promise<CommandRun> {
  const run = queue.then(() => capture(main, argv, dir));
  queue = run.catch(() => undefined);
  return run;
}

async function capture(main: Main, argv: string[], dir: string): Promise<CommandRun> {
  const { runCommand } = require(path.join(dir, "scripts/shared/cli")) as typeof import("../../../scripts/shared/cli");
  let stdout = "";
  let stderr = "";
  // As a stream's write: a callback given last is called once the text is taken.
  const done = (rest: unknown[]) => (typeof rest[rest.length - 1] === "function" && (rest[rest.length - 1] as () => void)(), true);
  const toOut = (s: unknown, ...rest: unknown[]) => ((stdout += String(s)), done(rest));
  const toErr = (s: unknown, ...rest: unknown[]) => ((stderr += String(s)), done(rest));
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
  };
  const line =
    (to: (s: unknown) => boolean) =>
    (...args: unknown[]) =>
      void to(`${args.map(String).join(" ")}\n`);
  process.stdout.write = toOut as typeof process.stdout.write;
  process.stderr.write = toErr as typeof process.stderr.write;
  Object.assign(console, { log: line(toOut), info: line(toOut), warn: line(toErr), error: line(toErr) });
  try {
    const status = await runCommand(main, argv, { stdout: { write: toOut }, stderr: { write: toErr } }, false);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error });
  }
}

/** `node -r ./scripts/register.js <script> <args>` from `cwd`, with DEBUG off, as npm runs it. */
export function runProcess(script: string, args: string[], cwd = ROOT): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", path.join(ROOT, "scripts/register.js"), script, ...args], {
      cwd,
      env: { ...process.env, DEBUG: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
