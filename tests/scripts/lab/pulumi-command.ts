// The Pulumi command the lab tests give the CLI (LabDeps.pulumiCommand): the stand-in (fake-pulumi.js) answered in
// this process, not spawned. A spawned stand-in costs a node start-up, about a tenth of a second, per command, and a
// lab command runs ten to thirty. The Automation API runs it exactly as it runs the CLI: the same argv (with
// --non-interactive), the same log and state file, the same CommandResult, and on a non-zero exit the same error
// class and message as its exec() makes of execa's. pulumi-command.test.ts checks both paths answer alike.
import * as automation from "@pulumi/pulumi/automation";
import type { PulumiCommand } from "@pulumi/pulumi/automation";

interface Answer {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}
const { answer } = require("./fake-pulumi") as { answer: (argv: string[], env: NodeJS.ProcessEnv) => Answer };

type SemVer = NonNullable<PulumiCommand["version"]>;
interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}
/** Exported by the Automation API at run time, but @internal (absent from its types): what its own exec() uses. */
const internal = automation as unknown as {
  CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => CommandResult;
  createCommandError(result: CommandResult): Error;
  parseAndValidatePulumiVersion(min: SemVer, current: string, optOut: boolean): SemVer | null;
};
const { minimumVersion } = require("@pulumi/pulumi/automation/minimumVersion") as { minimumVersion: SemVer };

/** PulumiCommand's constructor is private in its types; run() is @internal. Both are what LocalWorkspace calls. */
const Base = automation.PulumiCommand as unknown as new (command: string, version: SemVer | null) => PulumiCommand;

/** execa (the Automation API's runner) strips one final newline from each stream. */
const strip = (text: string) => text.replace(/\r?\n$/, "");

/**
 * What the Automation API's exec() returns or throws for `pulumi ARGS`: on a non-zero exit execa throws an Error
 * whose message is "Command failed with exit code N: COMMAND", stderr and stdout, and exec() wraps that message as
 * the stderr of a CommandResult with code -2; createCommandError picks StackNotFoundError and the like from it.
 */
function settle(args: string[], env: NodeJS.ProcessEnv, onOutput?: (out: string) => void, onError?: (err: string) => void) {
  const { stdout, stderr, code } = answer(args, env);
  if (stderr) onError?.(stderr);
  if (stdout) onOutput?.(stdout);
  if (code === 0) return new internal.CommandResult(strip(stdout), strip(stderr), 0);
  const message = [`Command failed with exit code ${code}: pulumi ${args.join(" ")}`, strip(stderr), strip(stdout)]
    .filter(Boolean)
    .join("\n");
  throw internal.createCommandError(new internal.CommandResult("", message, -2, new Error(message)));
}

class InProcessPulumi extends Base {
  /** PulumiCommand.run's signature (cmd.js): the workspace and stack call it for every command. */
  async run(
    args: string[],
    _cwd: string,
    additionalEnv: Record<string, string>,
    onOutput?: (out: string) => void,
    onError?: (err: string) => void,
  ): Promise<CommandResult> {
    if (!args.includes("--non-interactive")) args.push("--non-interactive");
    return settle(args, { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" }, onOutput, onError);
  }
}

/** As PulumiCommand.get() finds the CLI: `pulumi version` (logged like every command), checked against the SDK's minimum. */
export async function inProcessPulumi(): Promise<PulumiCommand> {
  const { stdout } = settle(["version"], { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" });
  const optOut = !!process.env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK;
  return new InProcessPulumi("pulumi", internal.parseAndValidatePulumiVersion(minimumVersion, stdout.trim(), optOut));
}
