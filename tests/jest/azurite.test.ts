// The run's Azurite lifecycle (tests/jest/azurite-setup.js, azurite-teardown.js): setup publishes an empty directory
// and starts nothing; teardown stops the Azurite whose pid a twin recorded, and never a process that is not Azurite.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SHARED_AZURITE_ENV } from "../../twin/azurite";

const setup: () => Promise<void> = require("./azurite-setup");
const teardown: () => Promise<void> = require("./azurite-teardown");

/** Runs `fn` with this run's published directory put aside, and puts it back (twins of this worker still need it). */
async function asideFromRun(fn: () => Promise<void>): Promise<void> {
  const real = process.env[SHARED_AZURITE_ENV];
  try {
    await fn();
  } finally {
    if (real === undefined) delete process.env[SHARED_AZURITE_ENV];
    else process.env[SHARED_AZURITE_ENV] = real;
  }
}

const sleeper = (argv0: string[]): ChildProcess =>
  spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", ...argv0], { stdio: "ignore" });
const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, sig) => resolve(sig)));

describe("the run's Azurite lifecycle", () => {
  it("setup publishes an empty directory and starts nothing; teardown removes it", async () => {
    await asideFromRun(async () => {
      await setup();
      const dir = process.env[SHARED_AZURITE_ENV]!;
      expect(fs.readdirSync(dir)).toEqual([]);
      await teardown();
      expect(fs.existsSync(dir)).toBe(false);
      expect(process.env[SHARED_AZURITE_ENV]).toBeUndefined();
    });
  });

  it("teardown stops the recorded Azurite (a stand-in whose command line names azurite)", async () => {
    const fake = sleeper(["azurite-blob"]);
    const gone = exited(fake);
    await asideFromRun(async () => {
      await setup();
      fs.writeFileSync(
        path.join(process.env[SHARED_AZURITE_ENV]!, "azurite.json"),
        JSON.stringify({ pid: fake.pid, port: 1, accounts: [] }),
      );
      await teardown();
    });
    expect(await gone).toBe("SIGTERM");
  });

  it("teardown never signals a recorded pid that is not Azurite (a pid reused after a crash)", async () => {
    const other = sleeper([]);
    try {
      await asideFromRun(async () => {
        await setup();
        const dir = process.env[SHARED_AZURITE_ENV]!;
        fs.writeFileSync(path.join(dir, "azurite.json"), JSON.stringify({ pid: other.pid, port: 1, accounts: [] }));
        await teardown();
        expect(fs.existsSync(dir)).toBe(false);
      });
      // A signal would have been reaped by now: teardown waits until a signalled process is gone.
      await new Promise((r) => setTimeout(r, 100));
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
    } finally {
      other.kill("SIGKILL");
    }
  });
});
