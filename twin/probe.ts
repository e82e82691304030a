// Runs probe/vm-probe.py as a child process against the twin, as one identity. Asynchronous: the twin answers from
// this same process, so a synchronous spawn would deadlock.
import { spawn } from "child_process";
import { CheckResult, probeArgs as args, ProbeReport } from "../probe/contract";
import { PROBE_PATH, PS_PROBE_PATH } from "../probe/scripts";
import { PYTHON } from "./python";
import type { AzureTwin, Identity } from "./twin";

export const PROBE = PROBE_PATH;

/** How each probe is started: the Python one with python3, the PowerShell one with pwsh (tests run it when pwsh exists). */
export const RUNNERS = {
  python: [PYTHON, PROBE_PATH],
  pwsh: ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", PS_PROBE_PATH],
} as const;
export type Runner = keyof typeof RUNNERS;

export interface ProbeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed, or undefined when it is not JSON. */
  readonly report?: ProbeReport;
  check(name: string): CheckResult;
}

/** The probe's arguments for the twin's vault, canary secret and storage account. */
export function probeArgs(twin: AzureTwin, secret: string, deadlineSeconds: number, extra: string[] = []): string[] {
  return [
    ...args({
      vaultUri: twin.vaultUrl,
      secretName: secret,
      storageAccountId: twin.storageAccountId,
      blobEndpoint: twin.blobEndpoint,
      deadlineSeconds,
    }),
    ...extra,
  ];
}

/** A finished run: the report parsed from stdout, check(name) failing loudly when the check is absent. */
export function probeRun(code: number | null, stdout: string, stderr: string): ProbeRun {
  let report: ProbeReport | undefined;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  return {
    code,
    stdout,
    stderr,
    report,
    check(name) {
      const c = report?.checks.find((x) => x.name === name);
      if (!c) throw new Error(`no check ${name} in the probe's output:\n${stdout}\n${stderr}`);
      return c;
    },
  };
}

export function runProbe(args: string[], env: Record<string, string>, runner: Runner = "python"): Promise<ProbeRun> {
  const [command, ...before] = RUNNERS[runner];
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...before, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve(probeRun(code, stdout, stderr)));
  });
}

export function probeAs(
  twin: AzureTwin,
  who: Identity,
  secret: string,
  deadlineSeconds: number,
  extra: string[] = [],
  runner: Runner = "python",
): Promise<ProbeRun> {
  return runProbe(probeArgs(twin, secret, deadlineSeconds, extra), twin.probeEnv(who), runner);
}
