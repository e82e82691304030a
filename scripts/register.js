// Lets plain `node` run the project's TypeScript (scripts/*.ts, index.ts) without a build step.
// Transpile only, no type check: `npm test` runs `tsc --noEmit` for that. Uses @swc/core, which jest uses too.
"use strict";
const fs = require("fs");
const { transformSync } = require("@swc/core");

require("./lazy-sdk-deps").deferForNode();

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

require.extensions[".ts"] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};
