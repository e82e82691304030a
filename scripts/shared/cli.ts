// What every command of the project shares: flag parsing, and exit codes without stack traces.
// Exit 2: bad flags or bad config (nothing was started). Exit 1: the command ran and found a failure or broke.
import { parseArgs, ParseArgsConfig } from "util";
import { ConfigError } from "../../lib/config";
import { StackConfigError } from "../../offline/stack-config";

export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Parses flags strictly: an unknown flag or a missing value is a UsageError that names it. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\n${usage}`);
  }
}

/** Whether an error is the user's input (flags, config, a stack file), which exits 2 with its message alone. */
export function isUsageError(e: unknown): boolean {
  return (
    e instanceof UsageError ||
    e instanceof ConfigError ||
    e instanceof StackConfigError ||
    (e as { __pulumiRunError?: boolean })?.__pulumiRunError === true
  );
}

/** The exit code and the text a command prints for an error: never a stack trace unless DEBUG is set. */
export function reportError(e: unknown, debug = Boolean(process.env.DEBUG)): { code: number; text: string } {
  const usage = isUsageError(e);
  let text = `${usage ? "" : "error: "}${(e as Error)?.message ?? String(e)}\n`;
  if (!usage && debug) text += `${(e as Error)?.stack}\n`;
  return { code: usage ? EXIT.usage : EXIT.failed, text };
}

/** Runs a command's main and turns errors into messages and exit codes. */
export function runMain(main: () => Promise<number | void>): void {
  // Into a pipe, stdout is written asynchronously: exit only once what was written has gone (a large plan's JSON
  // was cut off at 64 KiB otherwise).
  const exit = (code: number) => process.stdout.write("", () => process.exit(code));
  main().then(
    (code) => exit(code ?? EXIT.ok),
    (e: unknown) => {
      const { code, text } = reportError(e);
      process.stderr.write(text);
      exit(code);
    },
  );
}
