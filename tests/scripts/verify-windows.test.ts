// Windows seats in verify: the run command and its script. No PowerShell runs here (none installs on this machine),
// so this checks what verify sends; the probe's own behaviour is covered by tests/scripts/vm-probe-ps1.test.ts.
import { spawnSync } from "child_process";
import { parseOutputs } from "../../scripts/lib/outputs";
import { probePowerShellScript, probeRunCommand, psQuote, readPsProbe } from "../../lib/probe";

const ARGS = ["--vault-uri", "https://kv.vault.azure.net/", "--secret", "SQLPasswd", "--nonce", "it's-a-nonce"];

describe("verify on Windows seats", () => {
  it("uses RunPowerShellScript with vm-probe.ps1, and RunShellScript with the Python probe on Ubuntu", () => {
    const win = probeRunCommand("windows", ARGS);
    expect(win.commandId).toBe("RunPowerShellScript");
    expect(win.script.join("\n")).toContain(readPsProbe().split("\n")[0]);
    const linux = probeRunCommand("ubuntu", ARGS);
    expect(linux.commandId).toBe("RunShellScript");
    expect(linux.script.join("\n")).toContain("#!/usr/bin/env python3");
    expect(linux.script.join("\n")).not.toContain("$CHECKS = @(");
  });

  it("writes the probe verbatim inside a literal here-string, runs it with quoted flags, and exits with its code", () => {
    const lines = probePowerShellScript("line 1\n$x = 'y'\n", ARGS);
    const start = lines.indexOf("Set-Content -LiteralPath $probe -Encoding UTF8 -Value @'");
    expect(lines.slice(start + 1, start + 4)).toEqual(["line 1", "$x = 'y'", "'@"]);
    expect(lines).toContain("  & $probe '--vault-uri' 'https://kv.vault.azure.net/' '--secret' 'SQLPasswd' '--nonce' 'it''s-a-nonce'");
    expect(lines[lines.length - 1]).toBe("exit $code");
    expect(lines.join("\n")).toMatch(/finally \{\n {2}Remove-Item -LiteralPath \$probe/);
  });

  it("refuses a probe that would end the here-string early", () => {
    expect(() => probePowerShellScript("ok\n'@ oops\n", ARGS)).toThrow(/here-string/);
  });

  it("quotes for PowerShell by doubling single quotes", () => {
    expect(psQuote("a'b")).toBe("'a''b'");
    expect(psQuote("")).toBe("''");
  });

  it("reads os from the outputs, and refuses an unknown one", () => {
    const base = { resourceGroupName: "rg", vaultUri: "https://kv.vault.azure.net/", secretName: "S", storageAccountId: "/x", blobEndpoint: "https://b/", seatVms: [{ seat: 1, vmName: "v", vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v" }] };
    expect(parseOutputs({ ...base, os: "windows" }, "test").os).toBe("windows");
    expect(parseOutputs(base, "test").os).toBeUndefined();
    expect(() => parseOutputs({ ...base, os: "macos" }, "test")).toThrow(/os: expected ubuntu or windows, got "macos"/);
  });

  it("the shell form still round-trips its arguments through sh (the Linux path is unchanged)", () => {
    const { script } = probeRunCommand("ubuntu", ARGS);
    const echo = script.map((l) => l.replace(/^python3 "\$probe"/, 'printf "%s\\n"'));
    const r = spawnSync("sh", ["-c", echo.join("\n")], { encoding: "utf8" });
    expect(r.stdout.trim().split("\n")).toEqual(ARGS);
  });
});
