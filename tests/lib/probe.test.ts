// Reading the probe back out of a run command: never trust the state, only the probe's own JSON report.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseProbeReport, PROBE_CHECKS, probeArgs, probeShellScript, readProbe, runCommandStreams, shellQuote } from "../../lib/probe";

const report = (over: object = {}) => ({
  ok: true,
  checks: PROBE_CHECKS.map((name) => ({ name, ok: true, status: "passed", detail: "d", attempts: 1, seconds: 0.1 })),
  ...over,
});

describe("runCommandStreams", () => {
  it("splits Linux's single message into stdout and stderr", () => {
    const s = runCommandStreams([
      {
        code: "ProvisioningState/succeeded",
        displayStatus: "Provisioning succeeded",
        message: 'Enable succeeded: \n[stdout]\n{"a":1}\n\n[stderr]\nlog line\n',
      },
    ]);
    expect(s).toEqual({ stdout: '{"a":1}\n', stderr: "log line\n", state: "Provisioning succeeded" });
  });
  it("reads Windows' StdOut and StdErr components", () => {
    const s = runCommandStreams([
      { code: "ComponentStatus/StdOut/succeeded", displayStatus: "Provisioning succeeded", message: "out" },
      { code: "ComponentStatus/StdErr/succeeded", displayStatus: "Provisioning succeeded", message: "err" },
    ]);
    expect([s.stdout, s.stderr]).toEqual(["out", "err"]);
  });
  it("gives no stdout when the message has no stream markers", () => {
    expect(runCommandStreams([{ code: "ProvisioningState/failed", message: "VM agent not ready" }])).toMatchObject({
      stdout: "",
      stderr: "VM agent not ready",
    });
    expect(runCommandStreams(undefined)).toMatchObject({ stdout: "", state: "no status" });
  });
});

describe("parseProbeReport", () => {
  it("finds the report on the last JSON line, after other output", () => {
    expect(parseProbeReport(`Welcome\n{"not":"it"}\n${JSON.stringify(report())}\n`)).toEqual(report());
  });
  it.each([
    ["nothing", ""],
    ["a traceback", "Traceback (most recent call last):\n  File ..."],
    ["truncated JSON", JSON.stringify(report()).slice(0, 200)],
    ["checks out of order", JSON.stringify({ ...report(), checks: [...report().checks].reverse() })],
    ["a check missing", JSON.stringify({ ...report(), checks: report().checks.slice(1) })],
    ["a bad status", JSON.stringify({ ...report(), checks: report().checks.map((c, i) => (i ? c : { ...c, status: "maybe" })) })],
    ["ok not boolean", JSON.stringify(report({ ok: "yes" }))],
  ])("refuses %s", (_label, stdout) => {
    expect(parseProbeReport(stdout)).toBeUndefined();
  });
});

// Conformance: run-command-linux-exec (verify's RunShellScript runs the probe with python3 -I in a private directory).
describe("parseProbeReport: a check passes only when ok is true and status is passed", () => {
  it.each([
    [false, "passed"],
    [true, "skipped"],
    [true, "failed"],
  ])("a check with ok %s and status %s comes back failed, saying the report was inconsistent, and so does the report", (ok, status) => {
    const r = report();
    r.checks[3] = { ...r.checks[3], ok: ok as boolean, status: status as string };
    const parsed = parseProbeReport(JSON.stringify(r))!;
    expect(parsed.checks[3]).toMatchObject({
      name: "secret-list-denied",
      ok: false,
      status: "failed",
      detail: `the VM's report was inconsistent (ok ${ok}, status ${status}): d`,
    });
    expect(parsed.ok).toBe(false);
    expect(parsed.checks.filter((c) => c.name !== "secret-list-denied").every((c) => c.ok && c.status === "passed")).toBe(true);
  });

  it("keeps consistent checks as they are: ok false with failed or skipped", () => {
    const r = report({ ok: false });
    r.checks[0] = { ...r.checks[0], ok: false, status: "failed" };
    r.checks[1] = { ...r.checks[1], ok: false, status: "skipped" };
    const parsed = parseProbeReport(JSON.stringify(r))!;
    expect(parsed.checks.slice(0, 2).map((c) => [c.ok, c.status, c.detail])).toEqual([
      [false, "failed", "d"],
      [false, "skipped", "d"],
    ]);
  });
});

describe("probeShellScript", () => {
  it("carries the probe and quoted arguments; runs it isolated in a private directory; exit code and stdout are the probe's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-script-"));
    try {
      const fakeProbe = [
        "#!/usr/bin/env python3",
        "import json, os, stat, sys",
        "here = os.path.dirname(sys.argv[0])",
        "st = os.stat(here)",
        "print(json.dumps({'argv': sys.argv, 'mode': stat.S_IMODE(st.st_mode), 'uid': st.st_uid, 'cwd': os.getcwd() == here, 'isolated': sys.flags.isolated, 'path': sys.path}))",
        "sys.exit(1)",
      ].join("\n");
      const script = path.join(dir, "run.sh");
      fs.writeFileSync(script, probeShellScript(fakeProbe, ["--secret", "it's $HOME `x`"]).join("\n"));
      let out = "";
      let code = 0;
      try {
        execFileSync("/bin/bash", [script], { encoding: "utf8" });
      } catch (e: any) {
        out = e.stdout;
        code = e.status;
      }
      expect(code).toBe(1);
      const seen = JSON.parse(out);
      const [self, ...args] = seen.argv;
      expect(args).toEqual(["--secret", "it's $HOME `x`"]);
      // In a fresh directory that only its owner may enter, which is also the working directory.
      expect(self).toMatch(/^\/tmp\/vm-probe\.[A-Za-z0-9]{6}\/vm-probe$/);
      expect(seen.mode).toBe(0o700);
      expect(seen.uid).toBe(process.getuid!());
      expect(seen.cwd).toBe(true);
      // Isolated: neither that directory nor the working directory is on sys.path.
      expect(seen.isolated).toBe(1);
      expect(seen.path).not.toContain(path.dirname(self));
      expect(seen.path).not.toContain("");
      // The directory and the copy of the probe are gone once the script ends.
      expect(fs.existsSync(path.dirname(self))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("embeds the real probe unchanged and runs it with python3 -I", () => {
    const lines = probeShellScript(
      readProbe(),
      probeArgs({ vaultUri: "https://v.vault.azure.net/", secretName: "S", storageAccountId: "/x", blobEndpoint: "https://b/" }),
    );
    expect(lines.join("\n")).toContain(readProbe().trimEnd());
    expect(lines[lines.length - 1]).toBe(
      `python3 -I "$dir/vm-probe" ${["--vault-uri", "https://v.vault.azure.net/", "--secret", "S", "--storage-account-id", "/x", "--blob-endpoint", "https://b/"].map(shellQuote).join(" ")}`,
    );
    expect(() => probeShellScript("x\nVM_PROBE_EOF\n", [])).toThrow(/here-document/);
  });
});
