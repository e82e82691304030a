// npm run bench [-- --skip-tests] [--runs N] [--out FILE] [--max-seats N]
// Measures, on this machine, in one run: the offline plan at 1, 10, 100, 500 seats and the largest lab the config
// allows, beside the floor (the same modules loaded, nothing created); the critical path; `npm test`; the in-VM probe
// and `verify` over 1 and 10 seats against the local Azure twin. Writes docs/benchmarks.md. Not part of `npm test`.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { parseCommandFlags, runMain, UsageError } from "../shared/cli";
import {
  BenchResults,
  evaluateTargets,
  largestSeats,
  Measured,
  parseRss,
  parseTestOutput,
  renderMarkdown,
  Sample,
  seatsOverrides,
  TestRun,
} from "./results";
import { readStackConfig } from "../../offline/stack-config";
import type { VerifyOutputs } from "../verify/outputs";
import { twinOutputs } from "../../twin/outputs";

const ROOT = path.resolve(__dirname, "../..");
const USAGE =
  "usage: npm run bench -- [--skip-tests] [--runs N] [--out FILE] [--max-seats N]\n" +
  "  --skip-tests  do not time `npm test` in a fresh clone\n" +
  "  --runs N      measured runs per figure after the warm-up, 5 or more (default 5)\n" +
  "  --out FILE    where to write the report (default docs/benchmarks.md)\n" +
  "  --max-seats N plan at most N seats (500 or more; default: the largest lab the config allows)";
const NOTES = path.join(__dirname, "notes.md");

interface Child {
  readonly ms: number;
  readonly rssKb: number;
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs `node -r register -r bench-rss <args>` and returns its wall time, peak RSS and exit code. */
function node(args: readonly string[], keepStdout = false): Promise<Child> {
  const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-r", "./scripts/bench/rss.js", "-r", "./scripts/register.js", ...args], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", keepStdout ? "pipe" : "ignore", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      try {
        const rssKb = parseRss(fs.readFileSync(rssFile, "utf8"));
        fs.rmSync(rssFile, { force: true });
        if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.trim().slice(-500)}`));
        resolve({ ms, rssKb, code, stdout });
      } catch (e) {
        reject(new Error(`node ${args.join(" ")}: no RSS record (${(e as Error).message}); stderr: ${stderr.trim().slice(-500)}`));
      }
    });
  });
}

const planArgs = (overrides: Record<string, string>) => [
  "scripts/plan/index.ts",
  ...Object.entries(overrides).flatMap(([k, v]) => ["--config", `${k}=${v}`]),
];

async function sample(label: string, runs: number, once: () => Promise<Sample>, extra: Partial<Measured> = {}): Promise<Measured> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  process.stderr.write(`bench: ${label}: ${samples.map((s) => `${Math.round(s.ms)} ms`).join(", ")}\n`);
  return { label, samples, ...extra };
}

/**
 * `npm test` as a new user runs it: in a fresh clone of HEAD with nothing beside it, so every cache (jest's transforms
 * among them) starts cold. node_modules is hard-linked from this checkout (the same files `npm ci` installs from the
 * lockfile) because this machine may not reach the registry. /usr/bin/time gives the peak RSS and the CPU of the tree.
 */
function npmTest(): Promise<TestRun> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-clone-"));
  const repo = path.join(scratch, "repo");
  execFileSync("git", ["clone", "--quiet", ROOT, repo]);
  execFileSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(repo, "node_modules")]);
  const commit = execFileSync("git", ["-C", repo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const time = fs.existsSync("/usr/bin/time");
  const timing = path.join(scratch, "time.txt");
  const [cmd, args] = time ? ["/usr/bin/time", ["-f", "%M %U %S", "-o", timing, "npm", "test", "--silent"]] : ["npm", ["test", "--silent"]];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args as string[], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => out.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const [rss, user, sys] =
        time && fs.existsSync(timing) ? fs.readFileSync(timing, "utf8").trim().split("\n").pop()!.split(" ").map(Number) : [];
      fs.rmSync(scratch, { recursive: true, force: true });
      resolve({
        ms,
        passed: code === 0,
        ...(rss > 0 ? { rssKb: rss } : {}),
        ...(user >= 0 && sys >= 0 ? { cpuSeconds: user + sys } : {}),
        where: `A fresh clone of ${commit} with nothing beside it (no ../shared), node_modules hard-linked from this checkout`,
        ...parseTestOutput(Buffer.concat(out).toString()),
      });
    });
  });
}

/** The probe and verify against the local twin (the same twin the tests use), every seat with exactly the lab's grants. */
async function twinBench(runs: number): Promise<NonNullable<BenchResults["probe"]>> {
  const { AzureTwin } = await import("../../twin/twin");
  const { TwinCredential } = await import("../../twin/credential");
  const { probeAs } = await import("../../twin/probe");
  const { grantLab } = await import("../../twin/grants");
  const { verifyCli } = await import("../verify/cli");
  const twin = await AzureTwin.start();
  try {
    const SECRET = "SQLPasswd";
    const operator = await twin.addIdentity("operator");
    const seats: Awaited<ReturnType<typeof twin.addIdentity>>[] = [];
    for (let n = 1; n <= 10; n++) seats.push(await twin.addIdentity(`seat${n}`, `dsvmlab-vm${n}`));
    const grant = () => grantLab(twin, operator, seats, SECRET);
    const outputsFile = path.join(twin.dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(twinOutputs(twin, seats, SECRET, { seatVaultUri: true }) satisfies VerifyOutputs));
    const agent = new https.Agent({ ca: twin.certs.ca });
    const deps = {
      credential: new TwinCredential(operator),
      armEndpoint: twin.armUrl,
      additionalPolicies: [
        {
          position: "perCall" as const,
          policy: { name: "trust-twin-ca", sendRequest: (req: any, next: any) => ((req.agent = agent), next(req)) },
        },
      ],
      // Poll often: with the SDK's 2 s (or the tests' 200 ms) every figure rounds up to whole poll intervals, and the
      // ratio of 10 seats to 1 measures the poll, not the work.
      pollIntervalMs: 20,
      progressEveryMs: 600000,
    };
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    const timed = async (fn: () => Promise<boolean>): Promise<Sample> => {
      grant();
      const t0 = process.hrtime.bigint();
      const ok = await fn();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!ok) throw new Error("a benchmarked probe or verify run did not pass; the twin or the probe is broken");
      return { ms, rssKb: 0 };
    };
    const probeOnce = () => timed(async () => (await probeAs(twin, seats[0], SECRET, 30)).code === 0);
    const verifyOnce = (which: string) => () =>
      timed(
        async () =>
          (await verifyCli(
            ["--outputs", outputsFile, "--seats", which, "--deadline-seconds", "30"],
            quiet,
            () => deps,
            (await import("../../twin/endpoints")).TWIN_ENDPOINTS,
          )) === 0,
      );
    const all = seats.map((_, i) => i + 1).join(",");
    await probeOnce();
    await verifyOnce("1")(); // warm-up
    return {
      probe: await sample("probe, one full passing run", runs, probeOnce),
      verify1: await sample("verify, 1 seat", runs, verifyOnce("1")),
      verify2: await sample("verify, 2 seats (in parallel; one per core here)", runs, verifyOnce("1,2")),
      verify10: await sample("verify, 10 seats (in parallel)", runs, verifyOnce(all)),
    };
  } finally {
    await twin.stop();
  }
}

/** The command; exported so a test can check its flags in process. */
export async function main(argv: string[]): Promise<number> {
  const values = parseCommandFlags(
    argv,
    {
      "skip-tests": { type: "boolean", default: false },
      runs: { type: "string", default: "5" },
      out: { type: "string", default: "docs/benchmarks.md" },
      "max-seats": { type: "string" },
    },
    USAGE,
    process.stdout,
  );
  if (!values) return 0;
  if (!/^\d+$/.test(values.runs!) || Number(values.runs) < 5 || Number(values.runs) > 50)
    throw new UsageError(`--runs ${JSON.stringify(values.runs)}: expected a whole number from 5 to 50`);
  const runs = Number(values.runs);

  const base = readStackConfig(ROOT, "dev");
  if (values["max-seats"] !== undefined && (!/^\d+$/.test(values["max-seats"]) || Number(values["max-seats"]) < 500))
    throw new UsageError(`--max-seats ${JSON.stringify(values["max-seats"])}: expected a whole number of seats, 500 or more`);
  // The largest lab's plan takes minutes; --max-seats caps it for a quicker run (the report names the cap).
  const largest = Math.min(largestSeats(base), values["max-seats"] !== undefined ? Number(values["max-seats"]) : Infinity);
  const counts = [...new Set([1, 10, 100, 500, largest])].sort((a, b) => a - b);
  process.stderr.write(`bench: ${runs} runs per figure; seats ${counts.join(", ")} (largest the config allows: ${largest})\n`);

  // The twin first: quick, and it fails fast if the probe or the twin is broken.
  const probe = await twinBench(runs);

  // Warm-up: the file cache and the swc transform cache, for the floor and the plan alike.
  await node(["scripts/bench/floor.ts"]);
  await node(planArgs(seatsOverrides(1, base)));
  const floor = await sample("floor", runs, () => node(["scripts/bench/floor.ts"]));
  const plans: Measured[] = [];
  for (const seats of counts) {
    const overrides = seatsOverrides(seats, base);
    const shape = JSON.parse((await node([...planArgs(overrides), "--json"], true)).stdout) as { summary: { resources: number } };
    plans.push(
      await sample(`plan, ${seats} seat${seats === 1 ? "" : "s"}`, runs, () => node(planArgs(overrides)), {
        seats,
        resources: shape.summary.resources,
      }),
    );
  }
  const cp = JSON.parse((await node([...planArgs({ seats: "2" }), "--json"], true)).stdout).criticalPath;

  const tests = values["skip-tests"] ? undefined : await npmTest();
  if (tests) process.stderr.write(`bench: npm test ${tests.passed ? "passed" : "FAILED"} in ${Math.round(tests.ms / 1000)} s\n`);
  const cpus = os.cpus();
  const results: BenchResults = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
    },
    runs,
    floor,
    plans,
    largest,
    criticalPath: { length: cp.length, minimum: cp.azureMinimum.length, minimumChain: cp.azureMinimum.chain, chain: cp.chain },
    tests,
    probe,
  };
  const notes = fs.existsSync(NOTES) ? fs.readFileSync(NOTES, "utf8") : "";
  const out = path.resolve(ROOT, values.out!);
  fs.writeFileSync(out, renderMarkdown(results, notes));
  const missed = evaluateTargets(results).filter((t) => !t.met);
  process.stderr.write(
    `bench: wrote ${path.relative(ROOT, out)}; ${missed.length ? `targets missed: ${missed.map((t) => `${t.name} (${t.miss})`).join("; ")}` : "every target met"}\n`,
  );
  return 0;
}

if (require.main === module) runMain(main);
