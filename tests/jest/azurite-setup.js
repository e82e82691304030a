// jest's globalSetup: publishes an empty directory for the run's one Azurite (twin/azurite.ts). Nothing starts here:
// the first twin of the run starts Azurite there and later twins claim accounts in it, so a run without a twin pays
// nothing. process.env set here reaches every worker (they start after globalSetup) and runInBand tests alike.
const fs = require("fs");
const os = require("os");
const path = require("path");

/** Must match twin/azurite.ts SHARED_AZURITE_ENV. */
const SHARED_AZURITE_ENV = "DSVM_TWIN_AZURITE_DIR";

module.exports = async function azuriteSetup() {
  process.env[SHARED_AZURITE_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "dsvm-azurite-"));
};
module.exports.SHARED_AZURITE_ENV = SHARED_AZURITE_ENV;
