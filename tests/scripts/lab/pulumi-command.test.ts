// The in-process Pulumi command (pulumi-command.ts) answers as the stand-in spawned on PATH does: the same results,
// errors (class and message), streamed output, log and state, for each kind of command the lab CLI runs. The lab tests
// rely on this when they answer Pulumi in process.
import * as fs from "fs";
import * as path from "path";
import { CommandError, PulumiCommand } from "@pulumi/pulumi/automation";
import { ROOT } from "../../helpers/program";
import { deployed, FakeState, useHarness } from "./harness";
import { inProcessPulumi } from "./pulumi-command";

const h = useHarness();

/** What LocalWorkspace and Stack call (cmd.js); @internal in the Automation API's types. */
type Run = (
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onOutput?: (out: string) => void,
  onError?: (err: string) => void,
) => Promise<{ stdout: string; stderr: string; code: number }>;

const SET_ALL = ["createdAt=2025-03-01T12:00:00Z", "ttlHours=8", "ephemeral=true", "owner=ada", "seats=2"].flatMap((kv) => [
  "--plaintext",
  `dsvm-identity-lab:${kv}`,
]);
/**
 * Each shape of answer the lab CLI gets: empty, JSON and streamed stdout, and each failure it tells apart (exists,
 * not found, any other), with stderr alone and with both streams. The spawn-path tests of lab.test.ts and
 * destroy.test.ts run the other commands through the spawned stand-in.
 */
const COMMANDS: string[][] = [
  ["stack", "init", "lab-a"],
  ["stack", "init", "lab-a"],
  ["stack", "select", "--stack", "lab-none"],
  ["config", "set-all", "--stack", "lab-a", ...SET_ALL],
  ["up", "--yes", "--skip-preview", "--exec-kind", "auto.local", "--stack", "lab-a"],
  ["stack", "output", "--json", "--stack", "lab-a"],
  ["destroy", "--preview-only", "--stack", "lab-p"],
  ["destroy", "--yes", "--skip-preview", "--exec-kind", "auto.local", "--stack", "lab-a"],
];

/** Runs every command on a fresh backend through `cmd`; returns each outcome, the streams, the log and the state. */
async function runAll(cmd: PulumiCommand) {
  const protectedStack = deployed("lab-p", { ephemeral: false });
  protectedStack.resources[0].protect = true;
  h.writeState({ stacks: { "lab-p": protectedStack }, failDestroy: { "lab-a": 1 } });
  const run = (cmd as unknown as { run: Run }).run.bind(cmd);
  const outcomes: unknown[] = [];
  const streamed = { out: "", err: "" };
  for (const args of COMMANDS) {
    try {
      const r = await run(
        [...args],
        ROOT,
        {},
        (o) => (streamed.out += o),
        (e) => (streamed.err += e),
      );
      outcomes.push({ stdout: r.stdout, stderr: r.stderr, code: r.code });
    } catch (e) {
      // commandResult: private in CommandError's types, what the Automation API's callers read.
      const { stdout, stderr, code } = (e as { commandResult: { stdout: string; stderr: string; code: number } }).commandResult;
      outcomes.push({
        error: (e as Error).constructor.name,
        instance: e instanceof CommandError,
        message: (e as Error).message,
        stdout,
        stderr,
        code,
      });
    }
  }
  const state: FakeState = h.readState();
  return { version: cmd.version?.toString(), outcomes, streamed, calls: h.pulumiCalls(), state };
}

it("the in-process command answers every command as the spawned stand-in does", async () => {
  const spawned = await runAll(await PulumiCommand.get());
  h.writeState({});
  fs.writeFileSync(path.join(h.dir, "calls.log"), "");
  const inProcess = await runAll(await inProcessPulumi());
  expect(inProcess).toEqual(spawned);

  // And what they agree on is what the lab CLI relies on.
  expect(spawned.version).toBe("3.248.0");
  expect(spawned.calls[0]).toEqual(["version"]);
  const kinds = (spawned.outcomes as Array<{ error?: string; code: number }>).map((o) => o.error ?? o.code);
  expect(kinds).toEqual([0, "StackAlreadyExistsError", "StackNotFoundError", 0, 0, 0, "CommandError", "CommandError"]);
  expect((spawned.outcomes[5] as { stdout: string }).stdout).toMatch(/^\{"ephemeral":true,"expiresAt":"2025-03-01T20:00:00Z",/);
  const failedDestroy = spawned.outcomes[7] as { message: string; code: number };
  expect(failedDestroy.code).toBe(-2);
  expect(failedDestroy.message).toMatch(
    /Command failed with exit code 255: pulumi destroy .*--non-interactive\nerror: .*InUseSubnetCannotBeDeleted"\nDestroying \(lab-a\)/,
  );
  expect(spawned.streamed.out).toContain("Updating (lab-a):");
  expect(spawned.streamed.err).toContain('error: resource "kv-kv-lab-p" cannot be deleted because it is protected');
  expect(spawned.state.stacks["lab-a"].resources.map((r) => r.type)).toEqual([
    "pulumi:pulumi:Stack",
    "azure-native:resources:ResourceGroup",
  ]);
  expect(spawned.state.deletedVaults.map((v) => v.name)).toEqual(["dsvmlab-kv-lab-a"]);
});
