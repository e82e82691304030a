// tests/jest/sequencer.js: without timings, the files that start the twin run first; with them, jest's own order.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const Sequencer = require("./sequencer") as {
  new (): { sort(tests: any[]): any[]; time(test: any): number | undefined };
  STARTS_TWIN: RegExp;
};

const files = execFileSync("git", ["ls-files", "tests"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((f) => f.endsWith(".test.ts"));

/** A jest Test for `file`, as the sequencer sees it. */
const test = (file: string) => ({
  path: path.join(ROOT, file),
  context: {
    config: { cacheDirectory: "/nonexistent-cache", id: "x" },
    hasteFS: { getSize: () => fs.statSync(path.join(ROOT, file)).size },
  },
});

describe("the twin-first order", () => {
  it("knows the files that start the twin, and only those", () => {
    const twin = files.filter((f) => Sequencer.STARTS_TWIN.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(twin).toEqual(
      expect.arrayContaining(["tests/scripts/verify/verify.test.ts", "tests/probe/table.test.ts", "tests/twin/azurite.test.ts"]),
    );
    expect(twin).not.toContain("tests/policy/mutations-1.test.ts");
    expect(twin).not.toContain("tests/jest/sequencer.test.ts");
  });

  it("puts them first when no file has a timing (a fresh clone)", () => {
    const sorted = new Sequencer().sort(files.map(test)).map((t) => path.relative(ROOT, t.path));
    const twin = sorted.filter((f) => Sequencer.STARTS_TWIN.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(twin.length).toBeGreaterThan(5);
    expect(sorted.slice(0, twin.length)).toEqual(twin);
  });

  it("keeps jest's order when every file has a timing", () => {
    const s = new Sequencer();
    s.time = (t: { path: string }) => (t.path.includes("verify.test") ? 1 : 100);
    const sorted = s.sort(files.map(test)).map((t) => path.relative(ROOT, t.path));
    expect(sorted[sorted.length - 1]).toBe("tests/scripts/verify/verify.test.ts");
  });
});
