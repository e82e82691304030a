// scripts/lazy-sdk-deps.js: the SDK's eager TypeScript and Arborist loads are deferred, in plain node (register.js)
// and in jest (tests/jest/resolver.js), and the deferred modules still work when something does use them.
import { execFileSync } from "child_process";
import { ROOT } from "../helpers/program";

const { deferred } = require("../../scripts/lazy-sdk-deps") as { deferred: <T>(load: () => T) => T };

/** Runs `code` in plain node from the repository's root, with or without register.js; prints what it logs. */
function node(code: string, register: boolean): string {
  return execFileSync(process.execPath, [...(register ? ["-r", "./scripts/register.js"] : []), "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
}

// How many of the two deferred modules are loaded once the SDK is, then whether the SDK's own reference still works,
// then whether a request from outside the SDK gets the real module (not a stand-in).
const PROBE = `require("@pulumi/pulumi");
const loaded = Object.keys(require.cache).filter((f) => /node_modules.(typescript|@npmcli.arborist).lib.(typescript|index)\\.js$/.test(f)).length;
const ts = require("@pulumi/pulumi/typescript-shim");
const own = [typeof ts.createSourceFile, typeof ts.SyntaxKind.Identifier];
const outside = require("util").types.isProxy(require("typescript"));
console.log(JSON.stringify({ loaded, own, outside }))`;

describe("plain node with scripts/register.js", () => {
  it("loads the SDK without the TypeScript compiler or Arborist, loads one on first use, and leaves other requests alone", () => {
    expect(JSON.parse(node(PROBE, true))).toEqual({ loaded: 0, own: ["function", "number"], outside: false });
    // Without register.js the SDK loads both as it starts.
    expect(JSON.parse(node(PROBE, false))).toMatchObject({ loaded: 2 });
  });
});

describe("jest's resolver", () => {
  it("hands the SDK a stand-in, which loads the real compiler on first use", () => {
    const shim = require("@pulumi/pulumi/typescript-shim");
    expect(require("util").types.isProxy(shim)).toBe(true);
    expect(typeof shim.createSourceFile).toBe("function");
    expect(require("util").types.isProxy(require("typescript"))).toBe(false);
  });
});

describe("deferred()", () => {
  it("calls the loader once, on first use, and says it is an ES module so __importStar does not copy it", () => {
    const load = jest.fn(() => ({ a: 1, b: 2 }));
    const m = deferred(load) as { a: number; b: number; __esModule?: boolean };
    expect(load).not.toHaveBeenCalled();
    expect(m.__esModule).toBe(true);
    expect(load).not.toHaveBeenCalled();
    expect([m.a, m.b, "a" in m, Object.keys(m)]).toEqual([1, 2, true, ["a", "b"]]);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
