// npm run lab -- <command>: lab lifecycles with Pulumi's Automation API (create, destroy, list, reap).
// Needs the Pulumi CLI on PATH and a backend login; destroy and reap also need Azure credentials to purge vaults, and
// create and reap read Azure's clock (an unauthenticated HEAD to the ARM endpoint).
import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { runMain } from "../shared/cli";
import { runLabCli } from "./cli";
import type { LabDeps, VaultPurger } from "./ops";

const projectDir = path.resolve(__dirname, "../..");

/** The Azure SDK (about 0.35 s of CPU to load) on first use: list and bad arguments need neither it nor a sign-in. */
const azure = () => require("./azure") as typeof import("./azure");

/** The Azure client is made on first use, so list and bad arguments need no Azure sign-in. */
function lazyPurger(): VaultPurger {
  let real: VaultPurger | undefined;
  const get = () => (real ??= azure().azureVaultPurger());
  return { listDeleted: (sub) => get().listDeleted(sub), purge: (v) => get().purge(v) };
}

const deps: LabDeps = {
  projectDir,
  purger: lazyPurger(),
  verify: (stack) =>
    new Promise((resolve) => {
      // A child process: verify is its own command (scripts/verify/index.ts), and its output streams straight through.
      const child = spawn("npm", ["run", "--silent", "verify", "--", "--stack", stack], { cwd: projectDir, stdio: "inherit" });
      child.on("close", (code) => resolve(code ?? 1));
      child.on("error", () => resolve(1));
    }),
  log: (line) => process.stderr.write(`${line}\n`),
  stream: (text) => process.stderr.write(text),
  now: () => new Date(),
  referenceNow: () => azure().azureNow(),
  defaultOwner: process.env.LAB_OWNER || process.env.GITHUB_ACTOR || os.userInfo().username,
  // reap.yml sets it and makes it the default org; stacks of any other org that `stack ls` shows are ignored.
  organization: process.env.PULUMI_ORG || undefined,
};

runMain(() => runLabCli(process.argv.slice(2), deps, (text) => process.stdout.write(text)));
