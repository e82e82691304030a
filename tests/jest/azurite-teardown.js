// jest's globalTeardown: stops the run's Azurite if a twin started one (twin/azurite.ts writes azurite.json with its
// pid) and removes its directory, with every account's data in it.
const fs = require("fs");
const path = require("path");
const { SHARED_AZURITE_ENV } = require("./azurite-setup");

module.exports = async function azuriteTeardown() {
  const dir = process.env[SHARED_AZURITE_ENV];
  if (!dir) return;
  delete process.env[SHARED_AZURITE_ENV];
  let pid;
  try {
    pid = JSON.parse(fs.readFileSync(path.join(dir, "azurite.json"), "utf8")).pid;
  } catch {
    pid = undefined; // no twin ran, or its start failed: nothing to stop
  }
  if (Number.isInteger(pid) && pid > 0 && isAzurite(pid)) await stop(pid);
  fs.rmSync(dir, { recursive: true, force: true });
};

/** Whether the pid is still Azurite (Linux: its command line), so a pid reused after a crash is never signalled. */
function isAzurite(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("azurite");
  } catch {
    return !fs.existsSync("/proc"); // no /proc (macOS): trust the pid; gone (Linux): nothing to stop
  }
}

/** SIGTERM to Azurite, then wait (up to 5 s) until it is gone, then SIGKILL. */
async function stop(pid) {
  const signal = (sig) => {
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false; // already gone
    }
  };
  if (!signal("SIGTERM")) return;
  for (let waited = 0; waited < 5000; waited += 50) {
    if (!signal(0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal("SIGKILL");
}
