// What every command of the project shares: flag parsing, and exit codes without stack traces.
// Exit 2: bad flags or bad config (nothing was started). Exit 1: the command ran and found a failure or broke.
import { parseArgs, ParseArgsConfig } from "util";
import { ConfigError } from "../../lib/config";
import { StackConfigError } from "./stack-config";

export class UsageError extends Error {}

/** Parses flags strictly: an unknown flag or a missing value is a UsageError that names it. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\n${usage}`);
  }
}

/** Runs a command's main and turns errors into messages and exit codes. */
export function runMain(main: () => Promise<number | void>): void {
  // Into a pipe, stdout is written asynchronously: exit only once what was written has gone (a large plan's JSON
  // was cut off at 64 KiB otherwise).
  const exit = (code: number) => process.stdout.write("", () => process.exit(code));
  main().then(
    (code) => exit(code ?? 0),
    (e: unknown) => {
      const usage = e instanceof UsageError || e instanceof ConfigError || e instanceof StackConfigError || (e as { __pulumiRunError?: boolean })?.__pulumiRunError === true;
      process.stderr.write(`${usage ? "" : "error: "}${(e as Error)?.message ?? String(e)}\n`);
      if (!usage && process.env.DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      exit(usage ? 2 : 1);
    },
  );
}
