// jest's module registry ignores Node's loader hooks, so the deferral of scripts/lazy-sdk-deps.js is a resolver here:
// the SDK's requests for a deferred module resolve to a stand-in file; every other request resolves as usual.
"use strict";
const path = require("path");
const { DEFERRED, fromSdk } = require("../../scripts/lazy-sdk-deps");

module.exports = (request, options) => {
  const i = DEFERRED.indexOf(request);
  if (i >= 0 && fromSdk(path.join(options.basedir, "x.js"))) return path.join(__dirname, `deferred-${i}.js`);
  return options.defaultResolver(request, options);
};
