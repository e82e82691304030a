// jest's `setupFiles` entry: stack traces keep source maps for our own files, not for installed packages.
//
// jest formats every stack with source-map-support, frame by frame, and the Pulumi SDK takes a stack of unlimited
// depth at every resource registration (Resource.callsites). Mapping those frames of node_modules means parsing the
// inline maps of azure-native and the .js.map files of @pulumi/pulumi in every test file: CPU for positions nobody
// reads (jest leaves node_modules frames out of failure messages; the harness records no source positions). Frames
// of installed packages are handed to it as unmappable, so it prints them as V8 does; every other frame is mapped as
// before. Only source-map-support's formatter is wrapped: code that sets its own (to read raw call sites) gets it as is.
//
// The SDK's own stack (taken in Resource.callsites) is left unmapped whole: the SDK only parses file:line:column out
// of it for the engine's source positions, which the mock monitor ignores and nothing of ours reads.
"use strict";

const PACKAGE = /[\\/]node_modules[\\/]/;
const SDK_RESOURCE = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/;
const INSTALLED = Symbol.for("dsvm-lab.stackMaps");

/** A call site source-map-support cannot map: no file, so it keeps V8's own text for it. */
function unmappable(site) {
  return {
    isNative: () => false,
    isEval: () => false,
    getFileName: () => null,
    getScriptNameOrSourceURL: () => null,
    toString: () => site.toString(),
  };
}

const wrapped = new WeakMap();
function wrap(prepare) {
  if (typeof prepare !== "function" || !/\bwrapCallSite\(/.test(Function.prototype.toString.call(prepare))) return prepare;
  if (!wrapped.has(prepare))
    wrapped.set(prepare, function prepareStackTrace(error, sites) {
      const sdkCallsites =
        sites.length > 0 && sites[0].getFunctionName() === "callsites" && SDK_RESOURCE.test(sites[0].getFileName() ?? "");
      return prepare.call(
        this,
        error,
        sites.map((s) => (sdkCallsites || PACKAGE.test(s.getFileName() ?? "") ? unmappable(s) : s)),
      );
    });
  return wrapped.get(prepare);
}

// The vm context outlives a test file (tests/jest/shared-modules.js): install once.
if (!Error[INSTALLED]) {
  let current = wrap(Error.prepareStackTrace);
  Object.defineProperty(Error, "prepareStackTrace", {
    configurable: true,
    enumerable: false,
    get: () => current,
    set: (fn) => {
      current = wrap(fn);
    },
  });
  Object.defineProperty(Error, INSTALLED, { value: true });
}
