// Reading the probe back out of a run command: never trust the state, only the probe's own JSON report.
import { parseProbeReport, runCommandStreams } from "../../probe/report";
import { PROBE_CHECKS } from "../../probe/contract";

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
