// The probe wrapped in an action run command (RunShellScript on Ubuntu, RunPowerShellScript on Windows), as verify
// sends it. The probe travels inside the script; its arguments are quoted words (Linux) or named parameters (Windows).
import { PROBE_FLAGS, psParameterName } from "./contract";
import { readProbe, readPsProbe } from "./scripts";

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
