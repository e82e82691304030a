// Reading the probe back out of a run command: never trust the run command's state, only the probe's own JSON.
import { printable } from "../lib/printable";
import { CheckResult, PROBE_CHECKS, ProbeReport } from "./contract";

interface InstanceViewStatus {
  readonly code?: string;
  readonly displayStatus?: string;
  readonly message?: string;
}

/**
 * stdout and stderr of a run command. Linux puts both in one message ("Enable succeeded: \n[stdout]\n...\n[stderr]\n..."),
 * Windows in StdOut/StdErr components. stderr and the state come from the VM and are only ever printed, so they come
 * back printable (lib/printable.ts); stdout is left as it is for parseProbeReport, which cleans what it returns.
 */
export function runCommandStreams(value: readonly InstanceViewStatus[] | undefined): { stdout: string; stderr: string; state: string } {
  const all = value ?? [];
  const state =
    printable(
      all
        .map((s) => s.displayStatus ?? s.code ?? "")
        .filter(Boolean)
        .join(", "),
    ) || "no status";
  const out = all.find((s) => /StdOut/i.test(s.code ?? ""));
  if (out)
    return { stdout: out.message ?? "", stderr: printable(all.find((s) => /StdErr/i.test(s.code ?? ""))?.message ?? "", true), state };
  const msg = all.map((s) => s.message ?? "").join("\n");
  const m = /\[stdout\]\n([\s\S]*?)\n\[stderr\]\n([\s\S]*)$/.exec(msg);
  return m ? { stdout: m[1], stderr: printable(m[2], true), state } : { stdout: "", stderr: printable(msg, true), state };
}

/**
 * The probe's report out of its stdout (its last JSON line), checked for shape; undefined when there is none. Each
 * check's detail is made printable: it is the VM's text, and verify prints it. A check passes only when ok is true
 * and status is "passed"; one where they disagree comes back failed, and the report with it.
 */
export function parseProbeReport(stdout: string): ProbeReport | undefined {
  const lines = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("{"));
  for (const line of lines.reverse()) {
    let v: any;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    const checks = v?.checks;
    if (typeof v?.ok !== "boolean" || !Array.isArray(checks)) continue;
    const names = checks.map((c: any) => c?.name);
    const wellFormed = checks.every(
      (c: any) =>
        typeof c.ok === "boolean" &&
        ["passed", "failed", "skipped"].includes(c.status) &&
        typeof c.detail === "string" &&
        typeof c.attempts === "number" &&
        typeof c.seconds === "number",
    );
    if (!wellFormed || JSON.stringify(names) !== JSON.stringify(PROBE_CHECKS)) continue;
    // A check whose ok and status disagree proves nothing either way: it is a failure, and says why.
    const out = checks.map((c: any): CheckResult =>
      c.ok === (c.status === "passed")
        ? { name: c.name, ok: c.ok, status: c.status, detail: printable(c.detail), attempts: c.attempts, seconds: c.seconds }
        : {
            name: c.name,
            ok: false,
            status: "failed",
            detail: printable(`the VM's report was inconsistent (ok ${c.ok}, status ${c.status}): ${c.detail}`),
            attempts: c.attempts,
            seconds: c.seconds,
          },
    );
    return { ok: v.ok === true && out.every((c: CheckResult) => c.ok), checks: out };
  }
  return undefined;
}
