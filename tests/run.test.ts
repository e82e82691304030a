// tests/run.js, what `npm test` and `npm run lint` run: every check at once, the first failure's exit code, the others
// stopped; and the layer rules cover every top-level folder without a list to forget one in.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers/program";

const { runAll, checks, sourceRoots } = require("./run") as {
  runAll(list: Check[], write?: (t: string) => void): Promise<number>;
  checks(mode: string, jestArgs: string[]): Check[];
  sourceRoots(): string[];
};

type Check = [string, string[], { priority?: number; live?: boolean }?];

const node = (code: string): string[] => [process.execPath, "-e", code];

describe("tests/run.js", () => {
  it("passes when every check passes, printing each one's output and result", async () => {
    const out: string[] = [];
    const code = await runAll(
      [
        ["a", node("console.log('from a')")],
        ["b", node("")],
      ],
      (t) => out.push(t),
    );
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/from a\nok: a \(/);
    expect(out.join("")).toMatch(/ok: b \(/);
  });

  it("fails with the failing check's exit code, names it, and stops the checks still running", async () => {
    const out: string[] = [];
    const started = Date.now();
    const code = await runAll(
      [
        ["slow", node("setTimeout(() => {}, 30000)")],
        ["bad", node("console.error('broken'); process.exit(3)")],
      ],
      (t) => out.push(t),
    );
    expect(code).toBe(3);
    expect(out.join("")).toContain("broken\nFAILED: bad");
    expect(out.join("")).toContain("bad failed (exit 3)");
    expect(Date.now() - started).toBeLessThan(20000); // the slow one was stopped, not waited for
  });

  it("npm test runs the linters, tsc and jest; npm run lint the linters only", () => {
    expect(checks("all", []).map(([name]) => name)).toEqual([
      "eslint",
      "prettier",
      "layers",
      ...checks("lint", [])
        .slice(3)
        .map(([n]) => n),
      "tsc",
      "jest",
    ]);
    expect(checks("lint", []).map(([name]) => name)).not.toContain("jest");
    expect(
      checks("all", ["-t", "x"])
        .find(([n]) => n === "jest")![1]
        .slice(-2),
    ).toEqual(["-t", "x"]);
  });

  it("runs a check at the priority it asks for", async () => {
    const out: string[] = [];
    const own = "console.log('priority ' + require('os').getPriority())";
    const code = await runAll(
      [
        ["low", node(own), { priority: 10 }],
        ["normal", node(own)],
      ],
      (t) => out.push(t),
    );
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).toMatch(/priority 10\nok: low/);
    expect(text).toMatch(new RegExp(`priority ${require("os").getPriority()}\\nok: normal`));
  });

  it("beside jest, runs the linters in the background and prettier on one thread; tsc, jest and npm run lint at full speed", () => {
    for (const [name, argv, opts] of checks("all", [])) {
      if (name === "jest" || name === "tsc") {
        expect(opts?.priority).toBeUndefined();
        expect(argv).not.toContain("--single-threaded");
      } else expect(opts?.priority).toBe(10);
    }
    const threads = (mode: string, name: string) =>
      checks(mode, [])
        .find(([n]) => n === name)![1]
        .includes("--single-threaded");
    expect(threads("all", "prettier")).toBe(true);
    expect(threads("lint", "prettier")).toBe(false);
    for (const [, , opts] of checks("lint", [])) expect(opts?.priority).toBeUndefined();
  });

  it("puts every top-level folder of ours under the layer rules", () => {
    const ours = fs
      .readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
      .filter((d) => fs.readdirSync(path.join(ROOT, d.name), { recursive: true }).some((f) => String(f).endsWith(".ts")))
      .map((d) => d.name);
    expect(ours.length).toBeGreaterThan(5);
    for (const dir of ours) expect(sourceRoots()).toContain(dir);
    expect(sourceRoots()).toContain("index.ts");
    expect(checks("lint", []).find(([n]) => n === "layers")![1]).toEqual(expect.arrayContaining(sourceRoots()));
  });
});
