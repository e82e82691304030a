// The stand-in for DEFERRED[1] (tests/jest/resolver.js): the real module loads on first use.
"use strict";
const { DEFERRED, deferred } = require("../../scripts/lazy-sdk-deps");
module.exports = deferred(() => require(require.resolve(DEFERRED[1])));
