// Azurite, the real storage emulator, as the twin's blob data plane: from node_modules, on 127.0.0.1, a free port and
// a temp --location. Each twin has a storage account of its own, with a random key, so no twin sees another's
// containers. Under jest (tests/jest/azurite-setup.js publishes a directory in SHARED_AZURITE_ENV) one Azurite serves
// the whole run: the first twin to need it starts it, later twins (any worker) claim one of its unused accounts. An
// Azurite start costs 1.3-1.7 s of CPU, and a run starts about ten twins; a lazy start keeps runs without a twin free of
// it. Anywhere else (`npm run bench`, a twin started outside jest) the twin starts an Azurite of its own, as before.
//
// Accounts: Azurite reads AZURITE_ACCOUNTS ("account1:key1[:key2];account2:key1[:key2]", keys base64) at start, and
// then serves those accounts only (devstoreaccount1 is disabled). Source: Azure/Azurite README.md, "Customized Storage
// Accounts & Keys" (node_modules/azurite/README.md of the installed 3.35.0; AccountDataStore.js parses it).
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** A storage account in Azurite: its name and its key1 (base64 of 64 random bytes, as Azure's keys are). */
export interface StorageAccount {
  readonly name: string;
  readonly key: string;
}

/** The directory tests/jest/azurite-setup.js publishes; tests/jest/azurite-teardown.js reads the same file names. */
export const SHARED_AZURITE_ENV = "DSVM_TWIN_AZURITE_DIR";
const STATE_FILE = "azurite.json";
const FAILED_FILE = "azurite.failed";
const START_LOCK = "start.lock";
/** More than the twins of one jest run (about ten); beyond it a twin starts its own Azurite. */
const SHARED_ACCOUNTS = 40;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Azurite {
  /** http://127.0.0.1:PORT/ACCOUNT/ */
  readonly blobEndpoint: string;
  /** The twin's own account in this Azurite. */
  readonly account: StorageAccount;
  stop(): Promise<void>;
}

/**
 * Accounts shaped like the lab's (PREFIXst + 8 lowercase letters or digits, prefix dsvmlab), so verify takes the
 * twin's storageAccountId as the lab's; the keys are random per start and never written to the repository.
 */
export function newAccounts(count: number): StorageAccount[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `dsvmlabsttwin${String(i + 1).padStart(4, "0")}`,
    key: randomBytes(64).toString("base64"),
  }));
}

/** The twin's blob data plane: the run's shared Azurite when jest published one, else an Azurite of its own. */
export async function claimAzurite(location: string): Promise<Azurite> {
  const dir = process.env[SHARED_AZURITE_ENV];
  if (!dir) return startAzurite(location);
  const shared = await sharedAzurite(dir);
  for (const account of shared?.accounts ?? []) {
    let fd: number;
    try {
      // Atomic across workers: exactly one twin creates the claim file of an account, and claims are never released,
      // so an account never holds containers of an earlier twin.
      fd = fs.openSync(path.join(dir, `claim-${account.name}`), "wx");
    } catch {
      continue;
    }
    fs.closeSync(fd);
    // Azurite and its data go with the run (tests/jest/azurite-teardown.js); the account is nobody else's.
    return { blobEndpoint: `http://127.0.0.1:${shared!.port}/${account.name}/`, account, stop: async () => undefined };
  }
  return startAzurite(location);
}

/** An Azurite of its own with one fresh account, stopped with the twin. */
export async function startAzurite(location: string): Promise<Azurite> {
  const [account] = newAccounts(1);
  const { port, child } = await spawnAzurite(location, [account], false);
  return { blobEndpoint: `http://127.0.0.1:${port}/${account.name}/`, account, stop: () => stopChild(child) };
}

interface SharedState {
  readonly port: number;
  readonly pid: number;
  readonly accounts: readonly StorageAccount[];
}

/** The run's Azurite: started here if this is the first twin of the run, else waited for; undefined if it failed. */
async function sharedAzurite(dir: string): Promise<SharedState | undefined> {
  let lock: number | undefined;
  try {
    lock = fs.openSync(path.join(dir, START_LOCK), "wx");
  } catch {
    lock = undefined;
  }
  if (lock !== undefined) {
    fs.closeSync(lock);
    try {
      const accounts = newAccounts(SHARED_ACCOUNTS);
      const location = path.join(dir, "data");
      fs.mkdirSync(location, { recursive: true });
      // It outlives this worker (its output goes to a file) and serves the others until the run's teardown stops it.
      // Not detached: it stays in jest's process group, so a Ctrl-C of the run stops it too.
      const { port, child } = await spawnAzurite(location, accounts, true);
      const state: SharedState = { port, pid: child.pid!, accounts };
      const tmp = path.join(dir, `${STATE_FILE}.tmp`);
      fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      fs.renameSync(tmp, path.join(dir, STATE_FILE));
      return state;
    } catch (e) {
      fs.writeFileSync(path.join(dir, FAILED_FILE), String(e));
      return undefined;
    }
  }
  // Another twin is starting it: its start takes about a second; give up (and start our own) after 30 s.
  for (let waited = 0; waited < 30000; waited += 50) {
    if (fs.existsSync(path.join(dir, FAILED_FILE))) return undefined;
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), "utf8")) as SharedState;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return undefined;
}

async function spawnAzurite(
  location: string,
  accounts: readonly StorageAccount[],
  shared: boolean,
): Promise<{ port: number; child: ChildProcess }> {
  const bin = path.resolve(__dirname, "../node_modules/.bin/azurite-blob");
  const env = { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(";") };
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const args = ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", location];
    args.push("--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent");
    // A shared Azurite writes to a file, not to pipes that close when this process exits.
    const log = shared ? fs.openSync(path.join(location, `azurite-${port}.log`), "w") : undefined;
    const child = spawn(bin, args, { env, stdio: ["ignore", log ?? "pipe", log ?? "pipe"] });
    if (log !== undefined) fs.closeSync(log);
    const up = await listening(child, log === undefined ? undefined : path.join(location, `azurite-${port}.log`));
    if (!up) await stopChild(child);
    if (up) {
      if (shared) child.unref();
      return { port, child };
    }
    if (tries >= 2) throw new Error("azurite-blob did not start");
  }
}

/** Whether Azurite says it listens (on its pipes, or in its log file when shared) before it exits or 20 s pass. */
function listening(child: ChildProcess, logFile: string | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let out = "";
    const finish = (up: boolean) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve(up);
    };
    const seen = (text: string) => /successfully listen/i.test(text) && finish(true);
    child.stdout?.on("data", (d: Buffer) => seen((out += d.toString())));
    child.stderr?.on("data", (d: Buffer) => seen((out += d.toString())));
    const poll = logFile === undefined ? undefined : setInterval(() => seen(fs.readFileSync(logFile, "utf8")), 25);
    child.once("exit", () => finish(false));
    // Never hang a test run: a start that takes this long has failed.
    const timer = setTimeout(() => finish(false), 20000);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
