// What the operator side knows about scripts/vm-probe: where it is, its check names, its arguments, how to wrap it in
// a RunShellScript run command, and how to read its JSON back out of the run command's output.
// Shared by `npm run verify` and the deploy-time check (components/InVmCheck.ts).
import * as fs from "fs";
import * as path from "path";

export const PROBE_PATH = path.resolve(__dirname, "../scripts/vm-probe");
/** The PowerShell twin for Windows seats: same arguments, checks and JSON (Windows PowerShell 5.1). */
export const PS_PROBE_PATH = path.resolve(__dirname, "../scripts/vm-probe.ps1");

/** The probe's checks, in the order it runs and reports them. */
export const PROBE_CHECKS = ["vault-token", "secret-get", "secret-set", "secret-list-denied", "arm-token", "storage-listkeys", "storage-data"] as const;
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
    "--vault-uri", t.vaultUri,
    "--secret", t.secretName,
    "--storage-account-id", t.storageAccountId,
    "--blob-endpoint", t.blobEndpoint,
    ...(t.nonce !== undefined ? ["--nonce", t.nonce] : []),
    ...(t.deadlineSeconds !== undefined ? ["--deadline-seconds", String(t.deadlineSeconds)] : []),
  ];
}

/** `--vault-uri` -> `VaultUri`: the PowerShell parameter vm-probe.ps1 takes for each of the Python probe's flags. */
export function psParameterName(flag: string): string {
  return flag.split("-").filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** Single-quotes a word for POSIX sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const HEREDOC_END = "VM_PROBE_EOF";

/**
 * The RunShellScript lines that write the probe to a temp file and run it with `args`; the script's exit code is the
 * probe's. The probe travels inside the script, so nothing has to be installed or downloaded on the VM.
 */
export function probeShellScript(probe: string, args: readonly string[]): string[] {
  if (probe.split("\n").includes(HEREDOC_END)) throw new Error(`the probe contains the line ${HEREDOC_END}, which would end the here-document`);
  return [
    "set -u",
    'probe="$(mktemp /tmp/vm-probe.XXXXXX)"',
    "trap 'rm -f \"$probe\"' EXIT",
    `cat > "$probe" <<'${HEREDOC_END}'`,
    ...probe.replace(/\n$/, "").split("\n"),
    HEREDOC_END,
    `python3 "$probe" ${args.map(shellQuote).join(" ")}`,
  ];
}

/** Single-quotes a word for PowerShell. */
export function psQuote(word: string): string {
  return `'${word.replace(/'/g, "''")}'`;
}

const HERESTRING_END = "'@";

/**
 * The RunPowerShellScript lines for a Windows seat: write vm-probe.ps1 to a temp file, run it with `args` (it takes
 * the Python probe's flags), and exit with its code. As on Linux, the probe travels inside the script.
 */
export function probePowerShellScript(probe: string, args: readonly string[]): string[] {
  if (probe.split(/\r?\n/).some((l) => l.startsWith(HERESTRING_END))) throw new Error(`the probe has a line starting with ${HERESTRING_END}, which would end the here-string`);
  return [
    "$ErrorActionPreference = 'Stop'",
    "$probe = Join-Path $env:TEMP ('vm-probe-' + [guid]::NewGuid().ToString('N') + '.ps1')",
    "Set-Content -LiteralPath $probe -Encoding UTF8 -Value @'",
    ...probe.replace(/\r?\n$/, "").split(/\r?\n/),
    HERESTRING_END,
    "try {",
    `  & $probe ${args.map(psQuote).join(" ")}`,
    "  $code = $LASTEXITCODE",
    "} finally {",
    "  Remove-Item -LiteralPath $probe -Force -ErrorAction SilentlyContinue",
    "}",
    "exit $code",
  ];
}

/** The action run command that runs the probe on a seat of `os`, with `args`. */
export function probeRunCommand(os: "ubuntu" | "windows", args: readonly string[]): { commandId: string; script: string[] } {
  return os === "windows"
    ? { commandId: "RunPowerShellScript", script: probePowerShellScript(readPsProbe(), args) }
    : { commandId: "RunShellScript", script: probeShellScript(readProbe(), args) };
}

interface InstanceViewStatus {
  readonly code?: string;
  readonly displayStatus?: string;
  readonly message?: string;
}

/**
 * stdout and stderr of a run command. Linux puts both in one message ("Enable succeeded: \n[stdout]\n...\n[stderr]\n..."),
 * Windows in StdOut/StdErr components.
 */
export function runCommandStreams(value: readonly InstanceViewStatus[] | undefined): { stdout: string; stderr: string; state: string } {
  const all = value ?? [];
  const state = all.map((s) => s.displayStatus ?? s.code ?? "").filter(Boolean).join(", ") || "no status";
  const out = all.find((s) => /StdOut/i.test(s.code ?? ""));
  if (out) return { stdout: out.message ?? "", stderr: all.find((s) => /StdErr/i.test(s.code ?? ""))?.message ?? "", state };
  const msg = all.map((s) => s.message ?? "").join("\n");
  const m = /\[stdout\]\n([\s\S]*?)\n\[stderr\]\n([\s\S]*)$/.exec(msg);
  return m ? { stdout: m[1], stderr: m[2], state } : { stdout: "", stderr: msg, state };
}

/** The probe's report out of its stdout (its last JSON line), checked for shape; undefined when there is none. */
export function parseProbeReport(stdout: string): ProbeReport | undefined {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{"));
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
      (c: any) => typeof c.ok === "boolean" && ["passed", "failed", "skipped"].includes(c.status) && typeof c.detail === "string" && typeof c.attempts === "number" && typeof c.seconds === "number",
    );
    if (wellFormed && JSON.stringify(names) === JSON.stringify(PROBE_CHECKS)) return v as ProbeReport;
  }
  return undefined;
}
