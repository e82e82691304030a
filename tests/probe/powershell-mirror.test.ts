// probe/vm-probe.ps1, checked statically against probe/vm-probe.py (no PowerShell installs here; where `pwsh` exists,
// tests/probe/table.test.ts also runs it against the twin). Same checks in the same order, same flags, same
// environment overrides, same JSON fields, same constants; Windows PowerShell 5.1 syntax only; no secret ever written.
import * as fs from "fs";
import { secretLiteralsIn } from "../../policy/rules";
import { PROBE_CHECKS, psParameterName } from "../../probe/contract";
import { PROBE_PATH, PS_PROBE_PATH } from "../../probe/scripts";
import { BAD_STORAGE_IDS, GOOD_STORAGE_IDS } from "./storage-ids";

const py = fs.readFileSync(PROBE_PATH, "utf8");
const ps = fs.readFileSync(PS_PROBE_PATH, "utf8");
/** The script without comments: what PowerShell runs. */
const code = ps.replace(/<#[\s\S]*?#>/g, "").replace(/(^|\s)#.*$/gm, "$1");

const all = (re: RegExp, text: string) => [...text.matchAll(re)].map((m) => m[1]);
/** Each text stands in the Python probe and in the PowerShell one's code. */
function expectInBoth(texts: readonly string[]) {
  for (const text of texts) {
    expect(py).toContain(text);
    expect(code).toContain(text);
  }
}

describe("vm-probe.ps1 mirrors vm-probe", () => {
  it("declares the same checks in the same order", () => {
    const declared = all(/'([a-z-]+)'/g, /\$CHECKS = @\(([^)]*)\)/.exec(code)![1]);
    expect(declared).toEqual([...PROBE_CHECKS]);
    expect(all(/"([a-z-]+)"/g, /^CHECKS = \[([^\]]*)\]/m.exec(py)![1])).toEqual([...PROBE_CHECKS]);
  });

  it("runs and skips them in that order, skipping with the Python probe's reasons", () => {
    const run = code.slice(code.indexOf("# ---- the run") >= 0 ? code.indexOf("$vaultOk") : 0);
    const named = all(
      /(?:Invoke-Check|Skip-Check) '([a-z-]+)'|@\('([a-z-]+)', \$/g,
      run.replace(/@\('([a-z-]+)', \$/g, "Invoke-Check '$1'"),
    );
    expect([...new Set(named)]).toEqual([...PROBE_CHECKS]);
    expectInBoth([
      "vault-token failed, so there is no token for Key Vault",
      "storage-listkeys failed, so there is no key",
      "arm-token failed, so there is no token for ARM",
      "arm-token failed, so there is no key",
    ]);
  });

  it("takes the same flags (and PowerShell-style names for run command's named parameters)", () => {
    const pyFlags = all(/add_argument\("(--[a-z-]+)"/g, py).sort();
    const names = all(/'(\w+)'/g, /\$OPTION_NAMES = @\(([^)]*)\)/.exec(code)![1]);
    // The script's own rule: kebab case of the PowerShell name; InVmCheck maps the other way (psParameterName).
    expect(names.map((n) => `--${n.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}`).sort()).toEqual(pyFlags);
    expect(code).toContain("$FLAGS['--' + ($n -creplace '([a-z])([A-Z])', '$1-$2').ToLowerInvariant()] = $n");
    expect(pyFlags.map(psParameterName).sort()).toEqual([...names].sort());
    expect(pyFlags).toEqual(["--blob-endpoint", "--deadline-seconds", "--nonce", "--secret", "--storage-account-id", "--vault-uri"]);
  });

  it("refuses bad input with the Python probe's messages and exit 2", () => {
    expectInBoth([
      "expected 1-121 letters, digits and hyphens (a Key Vault secret name; the probe adds -probe)",
      "expected /subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME (RG: 1-90 letters, digits, _ . ( ) -, not ending in '.'; NAME: 3-24 lowercase letters and digits)",
      "expected a number of seconds above 0",
      "(http:// only on a loopback address, for tests)",
      "expected 1-200 characters",
    ]);
    expect(code).toMatch(/exit 2/);
    expect(code).toMatch(/if \(\$allOk\) \{ exit 0 \} else \{ exit 1 \}/);
  });

  it("validates --storage-account-id exactly, as the Python probe does, before building the listKeys URL from it", () => {
    const source = /^\$STORAGE_ACCOUNT_ID = '([^']+)'$/m.exec(code)![1];
    // .NET's \A and \z as JavaScript anchors; the rest of the pattern is the same in both dialects.
    expect(source.startsWith("\\A") && source.endsWith("\\z")).toBe(true);
    const re = new RegExp(`^${source.slice(2, -2)}$`);
    for (const id of GOOD_STORAGE_IDS) expect([id, re.test(id)]).toEqual([id, true]);
    for (const [why, id] of BAD_STORAGE_IDS) expect([why, re.test(id)]).toEqual([why, false]);
    // Case-sensitive (-cnotmatch: -notmatch ignores case) and checked before the id is used anywhere.
    const test = code.indexOf("if ($opt.StorageAccountId -cnotmatch $STORAGE_ACCOUNT_ID) {");
    expect(test).toBeGreaterThan(0);
    expect(code.slice(test, code.indexOf("}", test))).toMatch(/Fail-Usage \("--storage-account-id/);
    const uses = [...code.matchAll(/\$opt\.StorageAccountId/g)].map((m) => m.index!);
    expect(uses.filter((i) => i < test)).toEqual([]);
  });

  it("reads the same test-only environment overrides", () => {
    const vars = (text: string) => [...new Set(all(/(PROBE_[A-Z_]+)/g, text))].sort();
    expect(vars(code)).toEqual(vars(py));
    expect(vars(code)).toEqual(["PROBE_ARM_URL", "PROBE_BACKOFF_FIRST", "PROBE_CA_FILE", "PROBE_IMDS_URL"]);
    // The backoff override: test mode only, never longer than the VM's, refused with the same message.
    expect(ps).toContain("PROBE_BACKOFF_FIRST '{0}': expected seconds above 0, at most {1} (only while PROBE_CA_FILE is set, for tests)");
    expect(py).toContain("PROBE_BACKOFF_FIRST %r: expected seconds above 0, at most %g (only while PROBE_CA_FILE is set, for tests)");
    expect(code).toMatch(/if \(-not \(\$testMode -and \[double\]::TryParse\(\$backoffText, .*\$b -gt 0 -and \$b -le \$BACKOFF_FIRST\)\)/);
    expect(py).toContain("if test_mode(env) and seconds is not None and 0 < seconds <= BACKOFF_FIRST:");
    expect(code).toContain("[Math]::Min($BACKOFF_CAP, $backoffFirst * [Math]::Pow(2, $attempts - 1))");
    expect(py).toContain("min(BACKOFF_CAP, self.backoff_first * 2 ** (attempts - 1))");
  });

  it("uses the same API versions, retry constants, detail bound and denial codes", () => {
    const constant = (text: string, re: RegExp) => re.exec(text)?.[1];
    for (const name of ["IMDS_API", "KEYVAULT_API", "STORAGE_ARM_API", "BLOB_API", "VAULT_RESOURCE", "ARM_RESOURCE"]) {
      const a = constant(py, new RegExp(`^${name} = "([^"]+)"`, "m"));
      expect([name, constant(code, new RegExp(`^\\$${name} = '([^']+)'`, "m"))]).toEqual([name, a]);
    }
    expect(/^\$DETAIL_MAX = (\d+)/m.exec(code)![1]).toBe(/^DETAIL_MAX = (\d+)/m.exec(py)![1]);
    expect(/^\$BACKOFF_FIRST = ([\d.]+)/m.exec(code)![1]).toBe(/BACKOFF_FIRST, BACKOFF_CAP = ([\d.]+)/.exec(py)![1]);
  });

  it("holds secret-list-denied to the same rule: permission refusals pass, network refusals fail (kv-list-denied-inner-code-varies, kv-firewall-refusal)", () => {
    // The same inner codes in each table, read out of each probe's own declaration.
    const pyKeys = (name: string) => all(/"(\w+)":/g, new RegExp(`^${name} = \\{([\\s\\S]*?)\\}`, "m").exec(py)![1]).sort();
    const psKeys = (name: string) => all(/'(\w+)' =/g, new RegExp(`^\\$${name} = @\\{([\\s\\S]*?)\\}`, "m").exec(code)![1]).sort();
    expect(pyKeys("DENIED_BY_MODEL")).toEqual(["AccessDenied", "ForbiddenByPolicy", "ForbiddenByRbac"]);
    expect(psKeys("DENIED_BY_MODEL")).toEqual(pyKeys("DENIED_BY_MODEL"));
    expect(pyKeys("NETWORK_REFUSALS")).toEqual(["ForbiddenByConnection", "ForbiddenByFirewall"]);
    expect(psKeys("NETWORK_REFUSALS")).toEqual(pyKeys("NETWORK_REFUSALS"));
    const messages = (text: string, re: RegExp) => all(/["']([a-z ]+)["']/g, re.exec(text)![1]);
    expect(messages(code, /^\$NETWORK_MESSAGES = @\(([^)]*)\)/m)).toEqual(messages(py, /^NETWORK_MESSAGES = \(([^)]*)\)/m));
    // The same words in each verdict, so the table's regexps hold for both.
    for (const text of [
      "the vault's firewall refused this client's address",
      "the vault takes no public network connection and this one is no approved private link",
      "the network refused the list (",
      "), which proves nothing about the identity's permission",
      "that is not Key Vault's error body (",
      ", as it must be: the identity cannot list (",
      " refusal, inner code ",
      "no inner code: ",
      " (the vault's network rules refused this client)",
      "; read back: ",
      ", which is NOT what was written",
      "secret-set-version",
    ]) {
      expect([text, py.includes(text)]).toEqual([text, true]);
      expect([text, code.includes(text)]).toEqual([text, true]);
    }
    // Only Key Vault's own Forbidden body counts, case as Azure writes it.
    expect(code).toContain("[string](Get-Member-Value $err 'code') -cne 'Forbidden'");
    expect(py).toContain('err.get("code") != "Forbidden"');
  });

  it("writes one JSON report with the same fields, through ConvertTo-Json", () => {
    const records = all(/\[ordered\]@\{ (name = .*)\}/g, code);
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const r of records) expect(all(/(?:^|; )(\w+) = /g, r)).toEqual(["name", "ok", "status", "detail", "attempts", "seconds"]);
    expect(code).toMatch(/\$report = \[ordered\]@\{ ok = \$allOk; checks = \$checks \}/);
    expect(code).toMatch(/\[Console\]::Out\.WriteLine\(\(\$report \| ConvertTo-Json -Compress -Depth 4\)\)/);
    expect(code.match(/\[Console\]::Out/g)).toHaveLength(1);
  });

  it("holds nothing the policy pack would take for a credential literal (it travels as a run command script)", () => {
    expect(secretLiteralsIn(ps)).toEqual([]);
  });

  it("never writes a secret: no Write-Output or Write-Host, and no log line carries a value, key or token", () => {
    expect(code).not.toMatch(/Write-(Output|Host|Information|Verbose)|\becho\b|Out-Host/i);
    const logged = all(/Write-Log \(?([^\n]*)/g, code).join("\n");
    expect(logged.length).toBeGreaterThan(100);
    expect(logged).not.toMatch(/\$(value|key|token|state|keys)\b/i);
    // Values are described by length and hash only.
    expect(code).toMatch(/'\{0\} chars, sha256 \{1\}'/);
    expect(py).toContain('"%d chars, sha256 %s"');
  });

  it("signs Shared Key requests with HMAC-SHA256 over the same string-to-sign", () => {
    expect(code).toContain("System.Security.Cryptography.HMACSHA256");
    expect(code).toMatch(/@\(\$Method, '', '', \$lengthText, '', \$contentType, '', '', '', '', '', ''\) -join "`n"/);
    expect(py).toMatch(/\[method, "", "", str\(length\) if length else "", "", content_type, "", "", "", "", "", ""\]/);
  });

  it("is Windows PowerShell 5.1: Invoke-WebRequest -UseBasicParsing, no PowerShell 7 syntax", () => {
    expect(code).toMatch(/UseBasicParsing = \$true/);
    expect(code).toContain("Invoke-WebRequest @params");
    // PS7-only operators and parameters: ?? ?. ternary, && and || chains, -Parallel, -SkipHttpErrorCheck, clean blocks.
    expect(code).not.toMatch(/\?\?|\?\.|\s&&\s|\s\|\|\s|-Parallel|SkipHttpErrorCheck|^\s*clean\s*\{/m);
    expect(code).not.toMatch(/\)\s*\?\s*[^:]+\s*:\s/);
    // -SkipCertificateCheck exists only in PowerShell 6+: used only behind the version check, for the test CA.
    const skip = code.indexOf("SkipCertificateCheck");
    expect(code.lastIndexOf("$PSVersionTable.PSVersion.Major -ge 6", skip)).toBeGreaterThan(code.lastIndexOf("PROBE_CA_FILE", skip) - 2000);
  });
});
