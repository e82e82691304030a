// What the operator side knows about scripts/vm-probe: where it is, its check names, its arguments, how to wrap it in
// a RunShellScript run command, and how to read its JSON back out of the run command's output.
// Shared by `npm run verify` and the deploy-time check (components/InVmCheck.ts).
import * as fs from "fs";
import * as path from "path";
import { printable } from "./printable";

export const PROBE_PATH = path.resolve(__dirname, "../scripts/vm-probe");
/** The PowerShell twin for Windows seats: same arguments, checks and JSON (Windows PowerShell 5.1). */
export const PS_PROBE_PATH = path.resolve(__dirname, "../scripts/vm-probe.ps1");

/** The probe's checks, in the order it runs and reports them. */
export const PROBE_CHECKS = [
  "vault-token",
  "secret-get",
  "secret-set",
  "secret-list-denied",
  "arm-token",
  "storage-listkeys",
  "storage-data",
] as const;
export type ProbeCheckName = (typeof PROBE_CHECKS)[number];

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly status: "passed" | "failed" | "skipped";
  readonly detail: string;
  readonly attempts: number;
  readonly seconds: number;
}

export interface ProbeReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** What the probe is pointed at: the lab's vault, canary secret and storage account. */
export interface ProbeTarget {
  readonly vaultUri: string;
  readonly secretName: string;
  readonly storageAccountId: string;
  readonly blobEndpoint: string;
  readonly nonce?: string;
  readonly deadlineSeconds?: number;
}

export function readProbe(): string {
  return fs.readFileSync(PROBE_PATH, "utf8");
}

export function readPsProbe(): string {
  return fs.readFileSync(PS_PROBE_PATH, "utf8");
}

export function probeArgs(t: ProbeTarget): string[] {
  return [
    "--vault-uri",
    t.vaultUri,
    "--secret",
    t.secretName,
    "--storage-account-id",
    t.storageAccountId,
    "--blob-endpoint",
    t.blobEndpoint,
    ...(t.nonce !== undefined ? ["--nonce", t.nonce] : []),
    ...(t.deadlineSeconds !== undefined ? ["--deadline-seconds", String(t.deadlineSeconds)] : []),
  ];
}

/** `--vault-uri` -> `VaultUri`: the PowerShell parameter vm-probe.ps1 takes for each of the Python probe's flags. */
export function psParameterName(flag: string): string {
  return flag
    .split("-")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** The probe's flags, each taking one value; on Windows each is also a named parameter (psParameterName). */
export const PROBE_FLAGS = ["--vault-uri", "--secret", "--storage-account-id", "--blob-endpoint", "--nonce", "--deadline-seconds"] as const;

/** Single-quotes a word for POSIX sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const HEREDOC_END = "VM_PROBE_EOF";

/**
 * The RunShellScript lines that write the probe into a fresh directory only root can write, and run it there with
 * `args`; the script's exit code is the probe's. The probe travels inside the script, so nothing has to be installed or
 * downloaded on the VM. `python3 -I` (isolated) puts neither the script's directory nor the working directory on
 * sys.path and ignores PYTHON* variables and the user's site-packages, so no module a local user leaves anywhere is
 * imported by this root process.
 */
export function probeShellScript(probe: string, args: readonly string[]): string[] {
  if (probe.split("\n").includes(HEREDOC_END))
    throw new Error(`the probe contains the line ${HEREDOC_END}, which would end the here-document`);
  return [
    "set -u",
    "umask 077",
    // mktemp -d creates the directory with mode 0700, owned by whoever runs this: root, under run command.
    'dir="$(mktemp -d /tmp/vm-probe.XXXXXX)" || exit 1',
    "trap 'cd / && rm -rf \"$dir\"' EXIT",
    'cd "$dir" || exit 1',
    `cat > "$dir/vm-probe" <<'${HEREDOC_END}'`,
    ...probe.replace(/\n$/, "").split("\n"),
    HEREDOC_END,
    `python3 -I "$dir/vm-probe" ${args.map(shellQuote).join(" ")}`,
  ];
}

const HERESTRING_END = "'@";

export interface RunCommandParameter {
  readonly name: string;
  readonly value: string;
}

/**
 * The probe's flags and values as run command parameters for vm-probe.ps1: `--vault-uri X` becomes
 * `{name: "VaultUri", value: X}`. Only the probe's own flags are accepted, so every name is a known identifier.
 */
export function psParameters(args: readonly string[]): RunCommandParameter[] {
  if (args.length % 2 !== 0) throw new Error(`the probe's arguments come in flag/value pairs; got ${args.length} words`);
  const out: RunCommandParameter[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    if (!(PROBE_FLAGS as readonly string[]).includes(flag))
      throw new Error(`${JSON.stringify(flag)} is not one of the probe's flags (${PROBE_FLAGS.join(", ")})`);
    out.push({ name: psParameterName(flag), value: args[i + 1] });
  }
  return out;
}

/**
 * The RunPowerShellScript lines for a Windows seat: write vm-probe.ps1 to a temp file, run it with the parameters
 * `names`, and exit with its code. The values never enter the script text: run command passes them as the script's
 * named parameters (declared by its `param` block), and they reach the probe as variables, which PowerShell never
 * parses again. So no quoting can go wrong, whatever quote characters a value holds (PowerShell also ends a '...'
 * string at U+2018-U+201B). As on Linux, the probe travels inside the script.
 */
export function probePowerShellScript(probe: string, names: readonly string[]): string[] {
  if (probe.split(/\r?\n/).some((l) => l.startsWith(HERESTRING_END)))
    throw new Error(`the probe has a line starting with ${HERESTRING_END}, which would end the here-string`);
  const known = PROBE_FLAGS.map(psParameterName);
  for (const n of names)
    if (!known.includes(n)) throw new Error(`${JSON.stringify(n)} is not one of vm-probe.ps1's parameters (${known.join(", ")})`);
  return [
    `param(${names.map((n) => `[string]$${n}`).join(", ")})`,
    "$ErrorActionPreference = 'Stop'",
    "$probe = Join-Path $env:TEMP ('vm-probe-' + [guid]::NewGuid().ToString('N') + '.ps1')",
    "Set-Content -LiteralPath $probe -Encoding UTF8 -Value @'",
    ...probe.replace(/\r?\n$/, "").split(/\r?\n/),
    HERESTRING_END,
    "try {",
    `  & $probe ${names.map((n) => `-${n} $${n}`).join(" ")}`,
    "  $code = $LASTEXITCODE",
    "} finally {",
    "  Remove-Item -LiteralPath $probe -Force -ErrorAction SilentlyContinue",
    "}",
    "exit $code",
  ];
}

/** The action run command (RunCommandInput) that runs the probe on a seat of `os`, with `args`. */
export function probeRunCommand(
  os: "ubuntu" | "windows",
  args: readonly string[],
): { commandId: string; script: string[]; parameters?: RunCommandParameter[] } {
  if (os === "windows") {
    const parameters = psParameters(args);
    return {
      commandId: "RunPowerShellScript",
      script: probePowerShellScript(
        readPsProbe(),
        parameters.map((p) => p.name),
      ),
      parameters,
    };
  }
  return { commandId: "RunShellScript", script: probeShellScript(readProbe(), args) };
}

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
