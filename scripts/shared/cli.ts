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

/**
 * A command's flags, with --help and without positional arguments: parseFlags plus `help`, an unexpected argument a
 * UsageError that names it. Undefined when --help asked for the usage, which is then written to `out` (exit 0).
 */
export function parseCommandFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  usage: string,
  out: { write(text: string): unknown },
) {
  const { values, positionals } = parseFlags(argv, { ...options, help: { type: "boolean", default: false } as const }, usage);
  if ((values as { help?: boolean }).help) {
    out.write(`${usage}\n`);
    return undefined;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${usage}`);
  return values;
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

/** Where a command writes: the process's streams, or a test's buffers. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** A command: its flags in, its exit code out, and everything it prints through `io`. */
export type Main = (argv: string[], io: Io) => Promise<number | void>;

/** Runs a command in this process: an error becomes its message on io.stderr and its exit code, as runMain prints it. */
export async function runCommand(main: Main, argv: string[], io: Io, debug = Boolean(process.env.DEBUG)): Promise<number> {
  try {
    return (await main(argv, io)) ?? EXIT.ok;
  } catch (e) {
    const { code, text } = reportError(e, debug);
    io.stderr.write(text);
    return code;
  }
}

/** The process wrapper of a command's main: its argv and streams, then exit with its code. */
export function runMain(main: Main): void {
  // Into a pipe, stdout is written asynchronously: exit only once what was written has gone (a large plan's JSON
  // was cut off at 64 KiB otherwise).
  runCommand(main, process.argv.slice(2), process).then((code) => process.stdout.write("", () => process.exit(code)));
}
