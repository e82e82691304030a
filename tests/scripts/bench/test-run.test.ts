// How the bench reads and reports `npm test` in a fresh clone (scripts/bench/results.ts): each check's time from the
// lines tests/run.js prints, jest's summary, and the 60-second target, met or missed by the measured figure.
import { BenchResults, evaluateTargets, parseTestOutput, renderMarkdown, TestRun } from "../../../scripts/bench/results";

const OUTPUT = [
  "ok: layers (4.1 s)",
  "ok: eslint (9.8 s)",
  "FAILED: tsc (12.0 s)",
  "Test Suites: 1 skipped, 80 passed, 80 of 81 total",
  "Tests:       32 skipped, 1600 passed, 1632 total",
  "not a check: x (1 s)",
].join("\n");

const run = (ms: number): TestRun => ({
  ms,
  passed: true,
  cpuSeconds: 95.4,
  rssKb: 900 * 1024,
  where: "A fresh clone of abc1234",
  ...parseTestOutput(OUTPUT),
});

const results = (tests?: TestRun): BenchResults => ({
  date: "2025-01-31T09:00:00Z",
  machine: { cpus: 2, cpuModel: "Test CPU", node: "v20.0.0", os: "Linux" },
  runs: 5,
  floor: { label: "floor", samples: [{ ms: 1000, rssKb: 1 }] },
  plans: [],
  largest: 1000,
  criticalPath: { length: 6, minimum: 6, minimumChain: [], chain: [] },
  tests,
});

describe("npm test in the bench", () => {
  it("reads each check's wall time and result, and jest's summary, and nothing else", () => {
    expect(parseTestOutput(OUTPUT)).toEqual({
      checks: [
        { name: "layers", seconds: 4.1, ok: true },
        { name: "eslint", seconds: 9.8, ok: true },
        { name: "tsc", seconds: 12, ok: false },
      ],
      summary: ["Test Suites: 1 skipped, 80 passed, 80 of 81 total", "Tests:       32 skipped, 1600 passed, 1632 total"],
    });
  });

  it("holds the run to 60 s: met at 60 s, missed above it, and absent when not measured", () => {
    const t = (ms: number) => evaluateTargets(results(run(ms))).find((x) => x.name.startsWith("npm test"));
    expect(t(60000)).toMatchObject({ met: true, actual: "60 s", limit: "60 s" });
    expect(t(90000)).toMatchObject({ met: false, miss: "by 50%" });
    expect(evaluateTargets(results()).some((x) => x.name.startsWith("npm test"))).toBe(false);
  });

  it("writes the run, its CPU and memory, where it ran, and each check", () => {
    const md = renderMarkdown(results(run(48200)), "");
    expect(md).toContain(
      "Passed in 48.2 s of wall time, 95 s of CPU (user + system, every process); peak RSS of its largest process 900 MB. A fresh clone of abc1234.",
    );
    expect(md).toContain("| tsc | 12.0 s | **failed** |");
    expect(md).toContain("- Tests:       32 skipped, 1600 passed, 1632 total");
  });
});
