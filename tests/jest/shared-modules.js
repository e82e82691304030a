// One registry of installed packages per jest worker, instead of one per test file.
//
// jest gives every test file a fresh module registry and a fresh vm context. For this project that means loading the
// Pulumi SDK, azure-native and their protobuf code again in every file that runs the program: about 1 s of CPU each,
// most of what `npm test` spent (docs/benchmarks.md). Here, files under node_modules are evaluated once per worker
// and shared by the files it runs; our own modules (lib/, components/, index.ts, tests) stay fresh per file, and
// `jest.isolateModules` still isolates everything. Sharing modules means sharing their realm, so the worker keeps one
// vm context and each file installs its globals (process, timers, expect) into it afresh.
//
// What a file may not assume, then: that a package's module state is fresh. The harness keeps its own state per run
// (offline/harness.ts), and tests that need a pristine package load it in jest.isolateModules.
// Internal API of jest-runtime and jest-environment-node 29 (the registry Map, createContext); pinned by package.json.
"use strict";
const vm = require("vm");
const Runtime = require("jest-runtime").default;
const { TestEnvironment } = require("jest-environment-node");

/** What is shared: anything installed, never our own sources. */
const PACKAGE = /[\\/]node_modules[\\/]/;

/** Module path to module, for this worker. */
const packages = new Map();

/** The runtime of the file running now: a shared module's lazy require() made under an earlier file lands here. */
const running = { runtime: undefined };

/** The worker's vm context, made by the first file. */
let context;

/** A file's module registry: package paths read and write the worker's map, everything else the file's own. */
class Registry extends Map {
  get(key) {
    return PACKAGE.test(key) ? packages.get(key) : super.get(key);
  }
  has(key) {
    return PACKAGE.test(key) ? packages.has(key) : super.has(key);
  }
  set(key, value) {
    if (PACKAGE.test(key)) packages.set(key, value);
    else super.set(key, value);
    return this;
  }
  delete(key) {
    return PACKAGE.test(key) ? packages.delete(key) : super.delete(key);
  }
}

class SharedRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    this._moduleRegistry = new Registry();
    running.runtime = this;
  }
  // A shared module keeps the require() of the file that first loaded it; after that file, its runtime is torn down.
  requireModuleOrMock(from, name) {
    const current = running.runtime;
    if (this.isTornDown && current && current !== this) return current.requireModuleOrMock(from, name);
    return super.requireModuleOrMock(from, name);
  }
  requireModule(from, name, options, isRequireActual) {
    const current = running.runtime;
    if (this.isTornDown && current && current !== this) return current.requireModule(from, name, options, isRequireActual);
    return super.requireModule(from, name, options, isRequireActual);
  }
}

class SharedContextEnvironment extends TestEnvironment {
  constructor(config, testContext) {
    const createContext = vm.createContext;
    const defineProperties = Object.defineProperties;
    if (context) {
      const global = vm.runInContext("this", context);
      vm.createContext = () => context;
      // jest pins a few non-configurable globals (its own Promise and clock); the first file's stay.
      Object.defineProperties = (target, props) => {
        if (target !== global) return defineProperties(target, props);
        const fresh = {};
        for (const key of Reflect.ownKeys(props))
          if (Object.getOwnPropertyDescriptor(target, key)?.configurable !== false) fresh[key] = props[key];
        return defineProperties(target, fresh);
      };
    }
    try {
      super(config, testContext);
    } finally {
      vm.createContext = createContext;
      Object.defineProperties = defineProperties;
    }
    context = this.context;
  }
}

module.exports = { SharedRuntime, SharedContextEnvironment, Registry, PACKAGE, packages };
