// The bench's pure helpers (scripts/bench/results.ts). Nothing here is timed: the bench itself is not part of npm test.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  BenchResults,
  evaluateTargets,
  formatRatio,
  largestSeats,
  median,
  parseRss,
  renderMarkdown,
  seatsOverrides,
  target,
} from "../../../scripts/bench/results";
import { devConfig, ROOT } from "../../helpers/program";
import { runInProcess } from "../shared/command";

const m = (label: string, ms: number[], rssKb: number[], extra = {}) => ({
  label,
  samples: ms.map((x, i) => ({ ms: x, rssKb: rssKb[i] ?? rssKb[0] })),
  ...extra,
});

function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    date: "2025-01-31T09:00:00Z",
    machine: { cpus: 2, cpuModel: "Test CPU", node: "v20.0.0", os: "Linux" },
    runs: 5,
    floor: m("floor", [1000, 1100, 900, 1000, 1000], [200 * 1024]),
    plans: [
      m("plan, 1 seat", [1500, 1500, 1600, 1400, 1500], [210 * 1024], { seats: 1, resources: 25 }),
      m("plan, 100 seats", [3000, 3000, 3000, 3000, 3000], [320 * 1024], { seats: 100, resources: 817 }),
      m("plan, 500 seats", [6000, 6000, 6000, 6000, 6000], [700 * 1024], { seats: 500, resources: 4017 }),
    ],
    largest: 4000,
    criticalPath: {
      length: 8,
      minimum: 6,
      minimumChain: ["resource group", "VNet/subnet", "NIC", "VM", "grants", "in-VM check"],
      chain: [],
    },
    probe: { probe: m("probe", [300], [0]), verify1: m("verify, 1 seat", [400], [0]), verify10: m("verify, 10 seats", [900], [0]) },
    ...over,
  };
}

describe("statistics and formatting", () => {
  it("takes the median of odd and even counts, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/median of nothing/);
  });

  it("formats ratios to two places, and refuses a ratio to nothing", () => {
    expect(formatRatio(3, 2)).toBe("1.50×");
    expect(formatRatio(1, 0)).toBe("n/a");
  });

  it("reads the RSS record the preload writes, and refuses anything else", () => {
    expect(parseRss('{"maxRssKb":204800}')).toBe(204800);
    expect(() => parseRss('{"maxRssKb":0}')).toThrow(/not an RSS record/);
    expect(() => parseRss("{}")).toThrow(/not an RSS record/);
  });

  it("says by how much a target is missed", () => {
    expect(target("x", 700, 600, String)).toEqual({ name: "x", limit: "600", actual: "700", met: false, miss: "by 17%" });
    expect(target("x", 600, 600, String)).toEqual({ name: "x", limit: "600", actual: "600", met: true });
  });
});

describe("targets", () => {
  it("checks plan(1) against the floor, plan(100) against plan(1), RSS at 500, the critical path and verify(10)", () => {
    const t = evaluateTargets(results());
    expect(t.map((x) => [x.name, x.actual, x.met])).toEqual([
      ["plan(1 seat) / floor, wall time", "1.50×", true],
      ["plan(100 seats) / plan(1 seat), wall time", "2.00×", true],
      ["peak RSS of plan(500 seats)", "700 MB", false],
      ["critical path, creations one after another", "8", false],
      ["verify(10 seats) / verify(1 seat), wall time", "2.25×", false],
    ]);
  });
});

describe("the largest lab the config allows", () => {
  it("is Azure's 4000 role assignments for the dev stack, with the subnet widened to a /20", () => {
    expect(largestSeats(devConfig())).toBe(4000);
    expect(seatsOverrides(4000, devConfig())).toEqual({ seats: "4000", subnetPrefix: "10.42.0.0/20" });
    expect(seatsOverrides(10, devConfig())).toEqual({ seats: "10" });
  });

  it("halves with lab users (two assignments per seat) and shrinks with assignments already in use", () => {
    expect(largestSeats(devConfig({ labUsersGroupObjectId: "0f0e0d0c-0b0a-4909-8807-060504030201" }))).toBe(2000);
    expect(largestSeats(devConfig({ roleAssignmentsInUse: "1000" }))).toBe(3000);
  });
});

describe("docs/benchmarks.md", () => {
  it("carries the date, the machine, each figure as a ratio to the floor, the targets and the notes", () => {
    const md = renderMarkdown(results(), "## Notes\n\nprofiled.");
    expect(md).toContain("| 2025-01-31T09:00:00Z | 2 | Test CPU | v20.0.0 | Linux | 5 |");
    expect(md).toContain("| floor (load only) | 0 | 1.00 s | 1.00× | 200 MB | 1.00× |");
    expect(md).toContain("| plan, 100 seats | 817 | 3.00 s | 3.00× | 320 MB | 1.60× |");
    expect(md).toContain("| peak RSS of plan(500 seats) | ≤ 600 MB | 700 MB | **no**, missed by 17% |");
    expect(md).toContain("Not measured in this run (`--skip-tests`).");
    expect(md.trimEnd().endsWith("profiled.")).toBe(true);
  });

  it("is what the committed file looks like (the bench wrote it)", () => {
    const committed = fs.readFileSync(path.join(ROOT, "docs/benchmarks.md"), "utf8");
    for (const heading of [
      "# Benchmarks",
      "## Targets",
      "## Offline plan",
      "## Critical path",
      "## Test suite",
      "## In-VM probe and verify",
    ])
      expect(committed).toContain(heading);
    expect(committed).toMatch(/\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| \d+ \|/);
  });
});

describe("npm run bench's flags", () => {
  // The first row as a child process (bench through runMain: exit code and stderr), the other through the same
  // runCommand in this process.
  it.each([
    [["--bogus"], /Unknown option '--bogus'/, true],
    [["--runs", "3"], /--runs "3": expected a whole number from 5 to 50/, false],
  ])("exits 2 on %j before measuring anything", async (args, message, child) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const out = path.join(dir, "b.md");
    const argv = [...(args as string[]), "--out", out];
    const r = child
      ? spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/bench/index.ts", ...argv], { cwd: ROOT, encoding: "utf8" })
      : await runInProcess("scripts/bench/index.ts", argv);
    const wrote = fs.readdirSync(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(wrote).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.bench).toBe(
      "node -r ./scripts/register.js scripts/bench/index.ts",
    );
  });
});
