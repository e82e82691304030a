// jest's `runtime` option: the module registry of tests/jest/shared-modules.js.
module.exports = require("./shared-modules").SharedRuntime;
