// The probes' lint (probe/lint/, run by npm run lint): the committed probes pass, and each planted fault in a temp copy
// is reported at its line by the rule that should catch it. Nothing here runs Python or PowerShell.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lintProbes } from "../../probe/lint";
import { lintPowerShell } from "../../probe/lint/powershell";
import { lintPython } from "../../probe/lint/python";
import { PROBE_PATH, PS_PROBE_PATH } from "../../probe/scripts";
import { ROOT } from "../helpers/program";

const py = fs.readFileSync(PROBE_PATH, "utf8");
const ps = fs.readFileSync(PS_PROBE_PATH, "utf8");

/** `text` with `from` replaced once by `to`, and the 1-based line where `to` starts. */
function plant(text: string, from: string, to: string): { text: string; line: number } {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`plant: ${JSON.stringify(from)} is not in the file exactly once`);
  return { text: text.slice(0, at) + to + text.slice(at + from.length), line: text.slice(0, at).split("\n").length };
}

const rulesAt = (findings: { line: number; rule: string }[]) => findings.map((f) => `${f.line}:${f.rule}`);

describe("the probes' lint", () => {
  it("passes the committed probes", async () => {
    expect(await lintProbes([PROBE_PATH, PS_PROBE_PATH])).toEqual([]);
  });

  it.each([
    ["an unused import", "import json\n", "import json\nimport socket\n", "ruff/F401", 1],
    ["an undefined name", 'log("internal error: ', 'logg("internal error: ', "ruff/F821", 0],
    [
      "a blind except without its reason",
      "  # noqa: BLE001 - the JSON report must still come out, never a traceback",
      "",
      "ruff/BLE001",
      0,
    ],
    ["a noqa that suppresses nothing", "import json\n", "import json  # noqa: F401\n", "ruff/RUF100", 0],
    ["shell=True", "import json\n", "import json\nimport subprocess\nsubprocess.run(sys.argv[1], shell=True)\n", "ruff/S602", 2],
    ["a syntax error", "def describe(value):", "def describe(value:", "ruff/invalid-syntax", 1],
  ])("reports %s in the Python probe at its line", (_what, from, to, rule, offset) => {
    const planted = plant(py, from, to);
    expect(rulesAt(lintPython("vm-probe.py", planted.text))).toContain(`${planted.line + offset}:${rule}`);
  });

  it.each([
    ["Invoke-Expression", "$vault = $opt.VaultUri.TrimEnd('/')", "Invoke-Expression $opt.Nonce", "ps/no-invoke-expression"],
    ["iex", "$vault = $opt.VaultUri.TrimEnd('/')", "iex $opt.Nonce", "ps/no-invoke-expression"],
    ["[scriptblock]::Create", "$vault = $opt.VaultUri.TrimEnd('/')", "$f = [scriptblock]::Create($opt.Nonce)", "ps/no-invoke-expression"],
    ["an alias (curl is Invoke-WebRequest in 5.1)", "$vault = $opt.VaultUri.TrimEnd('/')", "$r = curl $opt.VaultUri", "ps/no-alias"],
    [
      "Write-Host, which run command returns as stdout",
      "$vault = $opt.VaultUri.TrimEnd('/')",
      "Write-Host $opt.Secret",
      "ps/no-host-output",
    ],
    ["a PowerShell 7 pipeline chain", "$vault = $opt.VaultUri.TrimEnd('/')", "Get-Item a && Get-Item b", "ps/windows-powershell-5.1"],
    ["a PowerShell 7 ?? operator", "$vault = $opt.VaultUri.TrimEnd('/')", "$vault = $opt.VaultUri ?? 'x'", "ps/parse-error"],
    ["an unclosed brace", "function Get-ShortHash([byte[]]$Bytes) {", "function Get-ShortHash([byte[]]$Bytes) { {", "ps/parse-error"],
  ])("reports %s in the PowerShell probe at its line", async (_what, from, to, rule) => {
    const planted = plant(ps, from, to);
    const found = rulesAt(await lintPowerShell("vm-probe.ps1", planted.text));
    expect(found.some((f) => f.endsWith(`:${rule}`))).toBe(true);
    if (rule !== "ps/parse-error") expect(found).toContain(`${planted.line}:${rule}`);
  });

  it.each([
    ["no Set-StrictMode", "Set-StrictMode -Version 2.0\n", "", "ps/strict-mode"],
    ["Set-StrictMode 1.0", "Set-StrictMode -Version 2.0\n", "Set-StrictMode -Version 1.0\n", "ps/strict-mode"],
    ["no $ErrorActionPreference = 'Stop'", "$ErrorActionPreference = 'Stop'\n", "", "ps/error-action-stop"],
  ])("reports %s in the PowerShell probe", async (_what, from, to, rule) => {
    const found = await lintPowerShell("vm-probe.ps1", plant(ps, from, to).text);
    expect(found.map((f) => f.rule)).toEqual([rule]);
  });

  it("runs as a command: file:line:column: rule for each finding, exit 1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-lint-"));
    try {
      const pyPlant = plant(py, "import json\n", "import json\nimport socket\n");
      const psPlant = plant(ps, "$vault = $opt.VaultUri.TrimEnd('/')", "Invoke-Expression $opt.Nonce");
      fs.writeFileSync(path.join(dir, "vm-probe.py"), pyPlant.text);
      fs.writeFileSync(path.join(dir, "vm-probe.ps1"), psPlant.text);
      const r = spawnSync(
        process.execPath,
        ["-r", "./scripts/register.js", "probe/lint/index.ts", ...["vm-probe.py", "vm-probe.ps1"].map((f) => path.join(dir, f))],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
      expect(r.status).toBe(1);
      const rel = (f: string) => path.relative(ROOT, path.join(dir, f));
      expect(r.stdout.trim().split("\n")).toEqual([
        `${rel("vm-probe.py")}:${pyPlant.line + 1}:8: ruff/F401 \`socket\` imported but unused`,
        `${rel("vm-probe.ps1")}:${psPlant.line}:1: ps/no-invoke-expression invoke-expression runs text as code`,
      ]);
      expect(r.stderr).toBe("probe lint: 2 finding(s)\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
