/** Tests are transpiled only (swc); `npm test` type-checks once with `tsc --noEmit` first. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  testTimeout: 60000,
  // The Pulumi SDK's eager TypeScript and Arborist loads, deferred as in plain node (scripts/lazy-sdk-deps.js).
  resolver: "<rootDir>/tests/jest/resolver.js",
};
