// tests/jest/shared-modules.js: installed packages are loaded once per worker, our own sources once per test file, and
// jest.isolateModules still isolates both. Two scratch test files run in one jest process to show it across files.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const { Registry, packages } = require("./shared-modules") as {
  Registry: new () => Map<string, unknown>;
  packages: Map<string, unknown>;
};

describe("a file's registry", () => {
  const pkg = path.join(ROOT, "node_modules", "x-test-only", "index.js");
  const ours = path.join(ROOT, "lib", "x-test-only.ts");
  afterEach(() => packages.delete(pkg));

  it("keeps packages in the worker's map and our sources in the file's own", () => {
    const a = new Registry();
    a.set(pkg, "package").set(ours, "ours");
    expect(packages.get(pkg)).toBe("package");
    expect(packages.has(ours)).toBe(false);
    const b = new Registry();
    expect(b.get(pkg)).toBe("package");
    expect(b.has(ours)).toBe(false);
    expect(a.get(ours)).toBe("ours");
  });

  it("clearing a file's registry (jest.resetModules, teardown) leaves the worker's packages", () => {
    const a = new Registry();
    a.set(pkg, "package").set(ours, "ours");
    a.clear();
    expect(a.has(ours)).toBe(false);
    expect(new Registry().get(pkg)).toBe("package");
  });
});

describe("jest.isolateModules", () => {
  it("still gives a fresh copy of a package", () => {
    const top = require("yaml");
    let isolated: unknown;
    jest.isolateModules(() => {
      isolated = require("yaml");
    });
    expect(isolated).not.toBe(top);
    expect(require("yaml")).toBe(top);
  });
});

describe("across test files in one worker", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-modules-"));
    fs.writeFileSync(path.join(dir, "ours.js"), "module.exports = { loads: 0 };\n");
    // Each file marks the package and our module, then reports what the file before it left.
    const body = (name: string) => `
      const fs = require("fs");
      it("${name}", () => {
        const pkg = require("yaml");
        const ours = require("./ours");
        ours.loads += 1;
        fs.appendFileSync(${JSON.stringify(path.join(dir, "seen.txt"))}, JSON.stringify({ file: "${name}", pkgMark: pkg.__mark ?? null, ours: ours.loads, realm: Array === globalThis.__firstArray }) + "\\n");
        pkg.__mark = pkg.__mark ?? "${name}";
        globalThis.__firstArray = globalThis.__firstArray ?? Array;
      });`;
    fs.writeFileSync(path.join(dir, "a.test.js"), body("a"));
    fs.writeFileSync(path.join(dir, "b.test.js"), body("b"));
    fs.writeFileSync(
      path.join(dir, "jest.config.js"),
      `module.exports = ${JSON.stringify({
        rootDir: dir,
        testMatch: ["**/*.test.js"],
        transform: {},
        modulePaths: [path.join(ROOT, "node_modules")],
        testEnvironment: path.join(__dirname, "environment.js"),
        runtime: path.join(__dirname, "runtime.js"),
      })};\n`,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the second file sees the package the first loaded, in the same realm, and a fresh copy of our module", () => {
    const r = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "--config", path.join(dir, "jest.config.js"), "--runInBand"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const seen = fs
      .readFileSync(path.join(dir, "seen.txt"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(seen).toHaveLength(2);
    const [first, second] = seen;
    expect(first.pkgMark).toBeNull();
    expect(second.pkgMark).toBe(first.file); // the package object is the one the first file marked
    expect(second.realm).toBe(true); // the same Array: one vm context
    expect([first.ours, second.ours]).toEqual([1, 1]); // our module was evaluated afresh
  });
});
