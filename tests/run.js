#!/usr/bin/env node
// What `npm test` and `npm run lint` run. The checks are independent, so they run at once: on 2 cores the linters,
// tsc and jest together take about as long as jest alone (docs/benchmarks.md). Each check's output is printed whole
// when it ends; the first failure stops the rest, and the exit code is that check's.
//   node tests/run.js        lint, type-check and every jest test
//   node tests/run.js lint   the linters only
//   node tests/run.js ... -- <jest args>   passes the rest to jest (e.g. a file or -t)
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const bin = (name) => path.join(ROOT, "node_modules", ".bin", name);

/** Every top-level folder of ours (and index.ts): a new folder is under the layer rules without anyone listing it. */
function sourceRoots() {
  const skip = new Set(["node_modules", "bin", "coverage"]);
  const dirs = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !skip.has(d.name))
    .map((d) => d.name)
    .sort();
  return ["index.ts", ...dirs];
}

// A larger young generation: the checks allocate briskly, and fewer scavenges save CPU (tsc about a tenth, the jest
// workers more; docs/benchmarks.md).
const YOUNG = ["--max-semi-space-size=64"];

// Beside jest, the linters only need to end before jest does: they run at a lower priority, so jest's workers get a
// core whenever they have work and the linters fill the time the workers spend waiting on the twin; prettier runs on
// one thread (no background GC or compiler threads: about 2 s less CPU). tsc, the longest check, keeps its normal
// priority and threads: at a lower one it was the last to end, seconds after jest.
const ONE_THREAD = ["--single-threaded"];
const BACKGROUND = 10;

/** The linters: formatting, TypeScript rules, the layers, and the probes' own languages. */
function lint(besideJest = false) {
  const one = besideJest ? ONE_THREAD : [];
  const opts = besideJest ? { priority: BACKGROUND } : {};
  return [
    ["eslint", [process.execPath, ...YOUNG, bin("eslint"), "."], opts],
    ["prettier", [process.execPath, ...YOUNG, ...one, bin("prettier"), "--check", "--log-level", "warn", "."], opts],
    ["layers", [process.execPath, ...YOUNG, bin("depcruise"), "--config", ".dependency-cruiser.cjs", ...sourceRoots()], opts],
    ["probes", [process.execPath, "-r", "./scripts/register.js", "probe/lint/index.ts"], opts],
  ];
}

function checks(mode, jestArgs) {
  if (mode === "lint") return lint();
  return [
    ...lint(true),
    ["tsc", [process.execPath, ...YOUNG, bin("tsc"), "--noEmit"]],
    // jest's workers inherit node's flags.
    ["jest", [process.execPath, ...YOUNG, bin("jest"), ...jestArgs], { live: true }],
  ];
}

function run([name, argv, opts = {}]) {
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    stdio: opts.live ? "inherit" : ["ignore", "pipe", "pipe"],
    // Output is piped, so tools would drop their colours; keep them when a person is watching.
    env: process.stdout.isTTY ? { ...process.env, FORCE_COLOR: "1" } : process.env,
  });
  if (opts.priority !== undefined && child.pid !== undefined) {
    try {
      os.setPriority(child.pid, opts.priority);
    } catch {
      // Not permitted here (some platforms): the check runs at normal priority.
    }
  }
  const out = [];
  child.stdout?.on("data", (d) => out.push(d));
  child.stderr?.on("data", (d) => out.push(d));
  const started = Date.now();
  const done = new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output: Buffer.concat(out).toString() })),
  );
  return { name, child, started, done };
}

/** Runs the checks at once; resolves to the first failure's exit code, or 0. */
async function runAll(list, write = (text) => process.stdout.write(text)) {
  const running = list.map(run);
  let failed;
  await Promise.all(
    running.map(async (r) => {
      const { code, output } = await r.done;
      if (failed && code !== 0) return; // stopped because another failed
      const seconds = ((Date.now() - r.started) / 1000).toFixed(1);
      if (output.trim()) write(`${output.trimEnd()}\n`);
      write(`${code === 0 ? "ok" : "FAILED"}: ${r.name} (${seconds} s)\n`);
      if (code !== 0 && !failed) {
        failed = { name: r.name, code };
        for (const other of running) if (other !== r && other.child.exitCode === null) other.child.kill("SIGTERM");
      }
    }),
  );
  if (failed) write(`${failed.name} failed (exit ${failed.code})\n`);
  return failed ? failed.code : 0;
}

async function main() {
  const args = process.argv.slice(2);
  const dash = args.indexOf("--");
  const mode = args[0] === "lint" ? "lint" : "all";
  process.exitCode = await runAll(checks(mode, dash >= 0 ? args.slice(dash + 1) : []));
}

if (require.main === module) main();

module.exports = { runAll, checks, sourceRoots };
