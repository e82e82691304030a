// tests/jest/stack-maps.js: failure messages still point at the TypeScript lines of our own files, while frames of
// installed packages are left as V8 prints them, and code that reads raw call sites still gets them.
import * as fs from "fs";
import * as path from "path";
import { validateConfig } from "../../lib/config";

const ROOT = path.resolve(__dirname, "../..");

/** The 1-based line of the first line of `file` that contains `marker`. */
function lineOf(file: string, marker: string): number {
  const index = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(marker));
  if (index < 0) throw new Error(`${marker} not in ${file}`);
  return index + 1;
}

/** The `file:line` of each frame of a stack that names `file`. */
const framesOf = (stack: string, file: string) =>
  stack
    .split("\n")
    .filter((l) => l.includes(file))
    .map((l) => Number(/:(\d+):\d+\)?$/.exec(l)?.[1]));

// Type-only declarations the transpiler drops, so the emitted lines below no longer match this file's.
interface Padding {
  readonly a: string;
  readonly b: string;
  readonly c: string;
  readonly d: string;
}
type MorePadding = Padding & { readonly e: string };

function throwHere(_unused?: MorePadding): never {
  throw new Error("thrown from a .ts file"); // marker: throw-here
}

/** The raw V8 line of a call site in this file, as code that reads call sites itself sees it. */
function rawLineOfThrow(): number {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, sites) => sites;
  try {
    throwHere();
  } catch (e) {
    const sites = (e as { stack: unknown }).stack as unknown as NodeJS.CallSite[];
    return sites[0].getLineNumber()!;
  } finally {
    Error.prepareStackTrace = saved;
  }
  throw new Error("unreachable");
}

describe("stack traces under jest", () => {
  const here = path.join(ROOT, "tests/jest/stack-maps.test.ts");

  it("point at the TypeScript line of a throw in a test file (not the transpiled one)", () => {
    const expected = lineOf(here, "marker: throw-here");
    let stack = "";
    try {
      throwHere();
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(framesOf(stack, "stack-maps.test.ts")[0]).toBe(expected);
    // The transpiled line differs, so the check above can tell a mapped stack from an unmapped one.
    expect(rawLineOfThrow()).not.toBe(expected);
  });

  it("point at the TypeScript line of a throw in a module of ours (lib/config.ts)", () => {
    let stack = "";
    try {
      validateConfig({});
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(framesOf(stack, `lib${path.sep}config.ts`)[0]).toBe(lineOf(path.join(ROOT, "lib/config.ts"), "throw new ConfigError(problems)"));
  });

  it("leave frames of installed packages unmapped (their .js), and still map ours in the same stack", () => {
    // @pulumi/pulumi/utils.js has a .js.map; isInstance reads the property, so the getter runs under its frame.
    const { isInstance } = require("@pulumi/pulumi/utils") as { isInstance: (o: unknown, name: string) => boolean };
    let stack = "";
    isInstance(
      {
        get probe() {
          stack = new Error("inside a package's frame").stack ?? ""; // marker: getter
          return true;
        },
      },
      "probe",
    );
    const pkgFrame = stack.split("\n").find((l) => l.includes(`@pulumi${path.sep}pulumi${path.sep}`));
    expect(pkgFrame).toMatch(/utils\.js:\d+:\d+\)?$/);
    expect(framesOf(stack, "stack-maps.test.ts")[0]).toBe(lineOf(here, "marker: getter"));
  });

  it("leave the SDK's own stack (Resource.callsites) unmapped whole, frames of ours included", () => {
    // Call sites as V8 hands them over; only what the formatter reads is given.
    const site = (fn: string, file: string, line: number) =>
      ({
        getFunctionName: () => fn,
        getFileName: () => file,
        getScriptNameOrSourceURL: () => file,
        getLineNumber: () => line,
        getColumnNumber: () => 1,
        isNative: () => false,
        isEval: () => false,
        toString: () => `${fn} (${file}:${line}:1)`,
      }) as unknown as NodeJS.CallSite;
    const sdk = path.join(ROOT, "node_modules/@pulumi/pulumi/resource.js");
    const sites = [site("callsites", sdk, 327), site("throwHere", here, 2)];
    const text = String(Error.prepareStackTrace!(new Error(), sites));
    expect(text.split("\n").slice(1)).toEqual([`    at callsites (${sdk}:327:1)`, `    at throwHere (${here}:2:1)`]);
  });

  it("hand raw call sites to code that sets its own formatter", () => {
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = (_e, sites) => sites;
    try {
      const sites = new Error().stack as unknown as NodeJS.CallSite[];
      expect(typeof sites[0].getFileName).toBe("function");
      expect(sites[0].getFileName()).toBe(here);
    } finally {
      Error.prepareStackTrace = saved;
    }
    expect(Error.prepareStackTrace).toBe(saved);
  });
});
