// jest's `testEnvironment` option: node, in the worker's one vm context (tests/jest/shared-modules.js).
module.exports = require("./shared-modules").SharedContextEnvironment;
