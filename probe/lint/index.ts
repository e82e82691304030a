// The probes' lint (npm run lint runs it): Ruff for probe/vm-probe.py, tree-sitter and the rules in powershell.ts for
// probe/vm-probe.ps1. Prints file:line:column: rule message for each finding; exits 1 when there is one, 2 for a file
// it cannot read. With arguments, lints those files instead (.py with Ruff, .ps1 with the PowerShell rules).
import * as fs from "fs";
import * as path from "path";
import { PROBE_PATH, PS_PROBE_PATH } from "../scripts";
import { Finding, formatFinding } from "./finding";
import { lintPowerShell } from "./powershell";
import { lintPython } from "./python";

/** Findings for each file, by its extension. */
export async function lintProbes(files: readonly string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const name = path.relative(process.cwd(), file) || file;
    if (file.endsWith(".ps1")) out.push(...(await lintPowerShell(name, text)));
    else out.push(...lintPython(name, text));
  }
  return out;
}

async function main(args: readonly string[]): Promise<number> {
  const files = args.length ? args.map((a) => path.resolve(a)) : [PROBE_PATH, PS_PROBE_PATH];
  const unreadable = files.filter((f) => !fs.existsSync(f));
  if (unreadable.length) {
    process.stderr.write(`probe lint: no such file: ${unreadable.join(", ")}\n`);
    return 2;
  }
  const findings = await lintProbes(files);
  for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
  if (findings.length) process.stderr.write(`probe lint: ${findings.length} finding(s)\n`);
  return findings.length ? 1 : 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
