// Windows seats in verify: the run command and its script. No PowerShell runs here (none installs on this machine),
// so this checks what verify sends; the probe's own behaviour is covered by tests/probe/powershell-mirror.test.ts.
import { spawnSync } from "child_process";
import { parseOutputs } from "../../../scripts/verify/outputs";
import { probePowerShellScript, probeRunCommand, psParameters } from "../../../probe/run-command";
import { readPsProbe } from "../../../probe/scripts";

const ARGS = ["--vault-uri", "https://kv.vault.azure.net/", "--secret", "SQLPasswd", "--nonce", "it's-a-nonce"];
// PowerShell ends a '...' string at ' and at each of U+2018-U+201B, not only at ASCII '.
const HOSTILE = ["\u2018", "\u2019", "\u201a", "\u201b"].map((q) => `x${q}; Remove-Item C:\\ -Recurse; ${q}'`);

describe("verify on Windows seats", () => {
  it("uses RunPowerShellScript with vm-probe.ps1, and RunShellScript with the Python probe on Ubuntu", () => {
    const win = probeRunCommand("windows", ARGS);
    expect(win.commandId).toBe("RunPowerShellScript");
    expect(win.script.join("\n")).toContain(readPsProbe().split("\n")[0]);
    const linux = probeRunCommand("ubuntu", ARGS);
    expect(linux.commandId).toBe("RunShellScript");
    expect(linux.script.join("\n")).toContain("#!/usr/bin/env -S python3 -I");
    expect(linux.script.join("\n")).not.toContain("$CHECKS = @(");
    expect(linux.parameters).toBeUndefined();
  });

  // Conformance: run-command-powershell-parameters.
  it("passes every value as a named run command parameter, never inside the script text", () => {
    const args = [
      "--vault-uri",
      "https://kv.vault.azure.net/",
      "--secret",
      "SQLPasswd",
      "--nonce",
      `it's ${HOSTILE.join(" ")}`,
      "--deadline-seconds",
      "600",
    ];
    const win = probeRunCommand("windows", args);
    expect(win.parameters).toEqual([
      { name: "VaultUri", value: "https://kv.vault.azure.net/" },
      { name: "Secret", value: "SQLPasswd" },
      { name: "Nonce", value: args[5] },
      { name: "DeadlineSeconds", value: "600" },
    ]);
    // What the script adds around the probe: not one value in it, and no quote but the here-string's and our own words'.
    const probeLines = readPsProbe()
      .replace(/\r?\n$/, "")
      .split(/\r?\n/);
    const start = win.script.indexOf("Set-Content -LiteralPath $probe -Encoding UTF8 -Value @'");
    const wrapper = [...win.script.slice(0, start + 1), ...win.script.slice(start + 1 + probeLines.length)].join("\n");
    expect(win.script.slice(start + 1, start + 1 + probeLines.length)).toEqual(probeLines);
    for (const value of [...args.filter((_, i) => i % 2 === 1), ...HOSTILE, "it's", "kv.vault.azure.net", "SQLPasswd"])
      expect(wrapper).not.toContain(value);
    expect(wrapper).not.toMatch(/[\u2018-\u201b]/);
    expect(win.script[0]).toBe("param([string]$VaultUri, [string]$Secret, [string]$Nonce, [string]$DeadlineSeconds)");
    expect(win.script).toContain("  & $probe -VaultUri $VaultUri -Secret $Secret -Nonce $Nonce -DeadlineSeconds $DeadlineSeconds");
  });

  it("writes the probe verbatim inside a literal here-string, and exits with its code", () => {
    const lines = probePowerShellScript("line 1\n$x = 'y'\n", ["VaultUri", "Secret"]);
    const start = lines.indexOf("Set-Content -LiteralPath $probe -Encoding UTF8 -Value @'");
    expect(lines.slice(start + 1, start + 4)).toEqual(["line 1", "$x = 'y'", "'@"]);
    expect(lines[lines.length - 1]).toBe("exit $code");
    expect(lines.join("\n")).toMatch(/finally \{\n {2}Remove-Item -LiteralPath \$probe/);
  });

  it("refuses a probe that would end the here-string early", () => {
    expect(() => probePowerShellScript("ok\n'@ oops\n", ["Secret"])).toThrow(/here-string/);
  });

  it("refuses a parameter name that is not one of the probe's, and a flag without its value", () => {
    expect(() => probePowerShellScript("ok\n", ["Secret; Remove-Item C:\\"])).toThrow(/not one of vm-probe.ps1's parameters/);
    expect(() => psParameters(["--vault-uri", "x", "--evil", "y"])).toThrow(/"--evil" is not one of the probe's flags/);
    expect(() => psParameters(["--vault-uri"])).toThrow(/flag\/value pairs/);
  });

  it("reads os from the outputs, and refuses an unknown one", () => {
    const sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/lab-win-rg/providers";
    const base = {
      resourceGroupName: "lab-win-rg",
      vaultUri: "https://lab-kv-abc123.vault.azure.net/",
      secretName: "S",
      storageAccountId: `${sub}/Microsoft.Storage/storageAccounts/labst12345678`,
      blobEndpoint: "https://labst12345678.blob.core.windows.net/",
      seatVms: [{ seat: 1, vmName: "lab-vm1", vmId: `${sub}/Microsoft.Compute/virtualMachines/lab-vm1` }],
    };
    expect(parseOutputs({ ...base, os: "windows" }, "test").os).toBe("windows");
    expect(parseOutputs(base, "test").os).toBeUndefined();
    expect(() => parseOutputs({ ...base, os: "macos" }, "test")).toThrow(/os: expected ubuntu or windows, got "macos"/);
  });

  it("the shell form still round-trips its arguments through sh (the Linux path is unchanged)", () => {
    const { script } = probeRunCommand("ubuntu", ARGS);
    const echo = script.map((l) => l.replace(/^python3 -I "\$dir\/vm-probe"/, 'printf "%s\\n"'));
    const r = spawnSync("sh", ["-c", echo.join("\n")], { encoding: "utf8" });
    expect(r.stdout.trim().split("\n")).toEqual(ARGS);
  });
});
