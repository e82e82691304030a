// The pure half of `npm run bench`: statistics, the largest lab the config allows, the targets and the Markdown.
// scripts/bench/index.ts does the measuring; everything here is tested without timing anything.
import { ConfigError, subnetPrefixFor, validateConfig } from "../../lib/config";
import { AZURE_NATIVE_PREFIX, LIMITS } from "../../lib/azure";
import { markdownTable } from "../shared/text-table";

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of nothing");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `2.31×`; a ratio to nothing is shown as n/a. */
export function formatRatio(value: number, base: number): string {
  return base > 0 && Number.isFinite(value) ? `${(value / base).toFixed(2)}×` : "n/a";
}

export function formatSeconds(ms: number): string {
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatMb(kb: number): string {
  return `${Math.round(kb / 1024)} MB`;
}

/**
 * The config overrides for a plan of `seats` seats: the subnet is widened (inside the default address space) when the
 * default /24 cannot hold them, as an operator would.
 */
export function seatsOverrides(seats: number, base: Readonly<Record<string, string>>): Record<string, string> {
  const prefix = subnetPrefixFor(seats);
  const current = Number((base.subnetPrefix ?? "").split("/")[1]);
  return prefix < current ? { seats: String(seats), subnetPrefix: `10.42.0.0/${prefix}` } : { seats: String(seats) };
}

/** The largest seat count that validates with `base` (widening the subnet as needed): what the config allows. */
export function largestSeats(base: Readonly<Record<string, string>>): number {
  const ok = (n: number) => {
    try {
      validateConfig({ ...base, ...seatsOverrides(n, base) });
      return true;
    } catch (e) {
      if (e instanceof ConfigError) return false;
      throw e;
    }
  };
  let lo = 1;
  let hi = LIMITS.roleAssignmentsPerSubscription;
  if (!ok(lo)) throw new Error("the base config does not validate even with 1 seat");
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What `-r scripts/bench/rss.js` wrote: the process's peak resident set, KiB. */
export function parseRss(text: string): number {
  const v = JSON.parse(text) as { maxRssKb?: unknown };
  if (typeof v?.maxRssKb !== "number" || !(v.maxRssKb > 0)) throw new Error(`not an RSS record: ${text.slice(0, 80)}`);
  return v.maxRssKb;
}

export interface Sample {
  readonly ms: number;
  readonly rssKb: number;
}

export interface Measured {
  readonly label: string;
  readonly seats?: number;
  readonly resources?: number;
  readonly samples: readonly Sample[];
}

export const summarize = (m: Measured) => ({ ms: median(m.samples.map((s) => s.ms)), rssKb: Math.max(...m.samples.map((s) => s.rssKb)) });

export interface Target {
  readonly name: string;
  readonly limit: string;
  readonly actual: string;
  readonly met: boolean;
  /** How far off, when missed: "by 17%". */
  readonly miss?: string;
}

/** `actual <= limit`, with the miss as a percentage of the limit. */
export function target(name: string, actual: number, limit: number, show: (v: number) => string): Target {
  const met = actual <= limit;
  return {
    name,
    limit: show(limit),
    actual: show(actual),
    met,
    ...(met ? {} : { miss: `by ${Math.round(((actual - limit) / limit) * 100)}%` }),
  };
}

export interface CriticalStep {
  readonly type: string;
  readonly name: string;
  readonly minimumStep: string | null;
  readonly typical: { readonly seconds: number; readonly basis: string; readonly source: string } | null;
  readonly reason?: string;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly os: string };
  readonly runs: number;
  readonly floor: Measured;
  readonly plans: readonly Measured[];
  readonly largest: number;
  readonly criticalPath: {
    readonly length: number;
    readonly minimum: number;
    readonly minimumChain: readonly string[];
    readonly chain: readonly CriticalStep[];
  };
  readonly tests?: TestRun;
  readonly probe?: { readonly probe: Measured; readonly verify1: Measured; readonly verify2?: Measured; readonly verify10: Measured };
}

/** `npm test` in a fresh clone: the whole run, and each check tests/run.js ran beside the others. */
export interface TestRun {
  readonly ms: number;
  readonly passed: boolean;
  /** Peak RSS of its largest process, and CPU seconds (user + system) of the whole process tree, from /usr/bin/time. */
  readonly rssKb?: number;
  readonly cpuSeconds?: number;
  /** What was measured: the clone, its commit, and what stood beside it. */
  readonly where: string;
  /** Each check's wall time as tests/run.js printed it ("ok: jest (41.2 s)"). */
  readonly checks: readonly { readonly name: string; readonly seconds: number; readonly ok: boolean }[];
  /** jest's own summary lines (suites and tests passed or skipped). */
  readonly summary: readonly string[];
}

/** The `ok: NAME (S s)` / `FAILED: NAME (S s)` lines tests/run.js prints, and jest's summary lines. */
export function parseTestOutput(out: string): Pick<TestRun, "checks" | "summary"> {
  const checks = [...out.matchAll(/^(ok|FAILED): (\S+) \((\d+(?:\.\d+)?) s\)$/gm)].map((m) => ({
    name: m[2],
    seconds: Number(m[3]),
    ok: m[1] === "ok",
  }));
  const summary = out
    .split("\n")
    .filter((l) => /^(Test Suites|Tests):/.test(l))
    .map((l) => l.trim());
  return { checks, summary };
}

export function evaluateTargets(r: BenchResults): Target[] {
  const floor = summarize(r.floor);
  const plan = (n: number) => r.plans.find((p) => p.seats === n);
  const out: Target[] = [];
  const ratio = (v: number) => `${v.toFixed(2)}×`;
  const p1 = plan(1);
  if (p1) out.push(target("plan(1 seat) / floor, wall time", summarize(p1).ms / floor.ms, 2, ratio));
  const p100 = plan(100);
  if (p1 && p100) out.push(target("plan(100 seats) / plan(1 seat), wall time", summarize(p100).ms / summarize(p1).ms, 3, ratio));
  const p500 = plan(500);
  if (p500) out.push(target("peak RSS of plan(500 seats)", summarize(p500).rssKb / 1024, 600, (v) => `${Math.round(v)} MB`));
  out.push(target("critical path, creations one after another", r.criticalPath.length, r.criticalPath.minimum, (v) => String(v)));
  if (r.tests) out.push(target("npm test in a fresh clone, wall time", r.tests.ms / 1000, 60, (v) => `${Math.round(v)} s`));
  if (r.probe)
    out.push(
      target("verify(10 seats) / verify(1 seat), wall time", summarize(r.probe.verify10).ms / summarize(r.probe.verify1).ms, 2, ratio),
    );
  return out;
}

/** docs/benchmarks.md: the measured tables, then `notes` (what was profiled and fixed, written by hand). */
export function renderMarkdown(r: BenchResults, notes: string): string {
  const floor = summarize(r.floor);
  const targets = evaluateTargets(r);
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (scripts/bench/index.ts); do not edit the tables by hand. Every figure is measured on the",
    "machine named below, in one run, so ratios compare like with like. Wall times are medians of the runs after a",
    "warm-up; peak RSS is the largest `maxRSS` the measured process reported (`-r scripts/bench/rss.js`).",
    "",
    ...markdownTable(
      ["date (UTC)", "CPUs", "CPU", "Node", "OS", "runs per figure"],
      [[r.date, String(r.machine.cpus), r.machine.cpuModel, r.machine.node, r.machine.os, String(r.runs)]],
    ),
    "",
    "## Targets",
    "",
    ...markdownTable(
      ["target", "limit", "measured", "met"],
      targets.map((t) => [t.name, `≤ ${t.limit}`, t.actual, t.met ? "yes" : `**no**, missed ${t.miss}`]),
    ),
    "",
    "## Offline plan (`npm run plan -- --config seats=N`)",
    "",
    "The floor is a `node` process that loads every module the plan loads (the program's components and libraries, the",
    "Pulumi SDK and providers, the harness, the policy rules) and creates nothing.",
    "",
    ...markdownTable(
      ["what", "resources", "median wall time", "× floor", "peak RSS", "× floor RSS"],
      [
        ["floor (load only)", "0", formatSeconds(floor.ms), "1.00×", formatMb(floor.rssKb), "1.00×"],
        ...r.plans.map((p) => {
          const s = summarize(p);
          return [
            `${p.label}${p.seats === r.largest ? " (largest the config allows)" : ""}`,
            String(p.resources ?? "?"),
            formatSeconds(s.ms),
            formatRatio(s.ms, floor.ms),
            formatMb(s.rssKb),
            formatRatio(s.rssKb, floor.rssKb),
          ];
        }),
      ],
      [1, 2, 3, 4, 5],
    ),
    "",
    "## Critical path",
    "",
    `${r.criticalPath.length} creations must run one after another; Azure's minimum is ${r.criticalPath.minimum} (${r.criticalPath.minimumChain.join(" → ")}).`,
    "",
    ...markdownTable(
      ["#", "resource", "step of the minimum", "typical time", "basis", "source"],
      r.criticalPath.chain.map((s, i) => [
        String(i + 1),
        `${s.type.replace(AZURE_NATIVE_PREFIX, "")} ${s.name}`,
        s.minimumStep ?? `added: ${s.reason ?? ""}`,
        s.typical ? `${s.typical.seconds} s` : "?",
        s.typical?.basis ?? "?",
        s.typical?.source ?? "?",
      ]),
      [3],
    ),
    "",
    "## Test suite (`npm test`)",
    "",
    ...(r.tests ? testLines(r.tests) : ["Not measured in this run (`--skip-tests`)."]),
    "",
    "## In-VM probe and verify against the local Azure twin (twin/)",
    "",
    ...(r.probe
      ? [
          ...markdownTable(
            ["what", "median wall time", "runs"],
            [r.probe.probe, r.probe.verify1, r.probe.verify2, r.probe.verify10].flatMap((m) =>
              m ? [[m.label, formatSeconds(summarize(m).ms), String(m.samples.length)]] : [],
            ),
            [1, 2],
          ),
        ]
      : ["Not measured in this run."]),
    "",
    notes.trim(),
    "",
  ];
  return lines.join("\n");
}

function testLines(t: TestRun): string[] {
  return [
    `${t.passed ? "Passed" : "**Failed**"} in ${formatSeconds(t.ms)} of wall time` +
      (t.cpuSeconds !== undefined ? `, ${t.cpuSeconds.toFixed(0)} s of CPU (user + system, every process)` : "") +
      `; peak RSS of its largest process ${t.rssKb ? formatMb(t.rssKb) : "n/a (no /usr/bin/time)"}. ${t.where}.`,
    "",
    ...(t.summary.length ? [...t.summary.map((l) => `- ${l}`), ""] : []),
    "The checks run at once (tests/run.js), so their times overlap:",
    "",
    ...markdownTable(
      ["check", "wall time", "result"],
      t.checks.map((c) => [c.name, `${c.seconds.toFixed(1)} s`, c.ok ? "ok" : "**failed**"]),
      [1],
    ),
  ];
}
