// Pulumi's SDK loads the TypeScript compiler and npm's Arborist as it starts, for closure serialization (turning a
// JavaScript function into code for a dynamic provider). The lab serializes no function, so every command and test
// process defers both until first use: about 0.6 s of each start on this machine (docs/benchmarks.md).
"use strict";

/** Modules the SDK loads eagerly and the lab never uses, as the SDK's files request them. */
const DEFERRED = ["typescript", "@npmcli/arborist"];

/** True when `parentFile` is one of the SDK's own files (only its requests are deferred). */
function fromSdk(parentFile) {
  return typeof parentFile === "string" && /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/.test(parentFile);
}

/**
 * A stand-in that loads the real module on first use. It says it is an ES module, so TypeScript's `__importStar`
 * hands it back as is instead of copying (and so loading) every export.
 */
function deferred(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** Plain node: the SDK's requests for DEFERRED modules get a stand-in; everyone else's are untouched. */
function deferForNode() {
  const Module = require("module");
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (DEFERRED.includes(request) && fromSdk(parent && parent.filename)) {
      return deferred(() => load.call(this, request, parent, isMain));
    }
    return load.apply(this, arguments);
  };
}

module.exports = { DEFERRED, fromSdk, deferred, deferForNode };
