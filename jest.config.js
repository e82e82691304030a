/** Tests are transpiled only (swc); `npm test` (tests/run.js) type-checks once with `tsc --noEmit` beside jest. */
module.exports = {
  // Installed packages load once per worker, our own sources once per file (tests/jest/shared-modules.js).
  testEnvironment: "<rootDir>/tests/jest/environment.js",
  runtime: "<rootDir>/tests/jest/runtime.js",
  setupFiles: ["<rootDir>/tests/jest/stack-maps.js"],
  // One Azurite per run, started by the first twin that needs it; each twin claims an account of its own (twin/azurite.ts).
  globalSetup: "<rootDir>/tests/jest/azurite-setup.js",
  globalTeardown: "<rootDir>/tests/jest/azurite-teardown.js",
  // Without timings (a fresh clone), the files that start the twin first: they mostly wait.
  testSequencer: "<rootDir>/tests/jest/sequencer.js",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  testTimeout: 60000,
  // jest's default (one worker fewer than the cores) runs everything in one process on a 2-core machine. One worker a
  // core: with packages shared per worker, a third worker on 2 cores gave the same wall time (npm test 80 s either
  // way) for 10 s more CPU, one more SDK load and more contention with the linters running beside jest.
  maxWorkers: require("os").availableParallelism(),
  // The Pulumi SDK's eager TypeScript and Arborist loads, deferred as in plain node (scripts/lazy-sdk-deps.js).
  resolver: "<rootDir>/tests/jest/resolver.js",
};
