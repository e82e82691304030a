// `npm run lab -- <command>`: argument handling for scripts/lab/index.ts, separate so tests can run commands in-process.
import { parseArgs } from "util";
import { parseFlags, UsageError } from "../shared/cli";
import type { LabDeps } from "./ops";
import { confirmsLasting, confirmsNotMine, labStackName, LASTING_FLAG, NOT_MINE_FLAG } from "./args";

export const LAB_USAGE = `usage: npm run lab -- <command>
  create NAME --ttl 8h [--seats N] [--config key=value ...]   create lab-NAME (ephemeral; never an existing stack), up, verify
  create NAME --ttl 8h --extend                               your own ephemeral lab-NAME now expires in 8h instead
  destroy NAME [--even-if-lasting NAME] [--not-mine NAME]     destroy an ephemeral lab-NAME, purge its vaults, remove the stack
  list                                                        lab stacks with owner, seats, expiry and status
  reap [--dry-run | --yes]                                    destroy expired ephemeral labs (dry run unless --yes)
--ttl: 1h to 7d, as 90m, 8h or 2d. --even-if-lasting repeats NAME: destroy a stack whose outputs do not prove it
ephemeral (a lasting lab), without purging its vaults. --not-mine repeats NAME: destroy another owner's lab before it
expires. No flag may be given twice.`;

const OPTIONS = {
  ttl: { type: "string" },
  seats: { type: "string" },
  config: { type: "string", multiple: true },
  extend: { type: "boolean" },
  [LASTING_FLAG]: { type: "string" },
  [NOT_MINE_FLAG]: { type: "string" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** The commands load the Automation API (about 0.4 s of CPU): flags this file refuses are refused before that. */
const commands = {
  create: () => import("./create"),
  destroy: () => import("./destroy"),
  list: () => import("./list"),
  reap: () => import("./reap"),
};

/** Runs one command; resolves to the exit code. Bad arguments throw UsageError (exit 2) before anything is touched. */
export async function runLabCli(argv: string[], deps: LabDeps, print: (text: string) => void): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS, LAB_USAGE);
  refuseRepeats(argv);
  if (values.help) {
    print(`${LAB_USAGE}\n`);
    return 0;
  }
  const [command, name, ...extra] = positionals;
  const allow = (...flags: (keyof typeof OPTIONS)[]) => {
    const given = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((f) => values[f] !== undefined && !flags.includes(f));
    if (given.length)
      throw new UsageError(
        `--${given[0]} does not apply to ${command}${command === "create" && values.extend ? " --extend (it only moves the expiry)" : ""}\n${LAB_USAGE}`,
      );
  };
  const positional = (count: number) => {
    const rest = [name, ...extra].filter((p) => p !== undefined);
    if (rest.length > count) throw new UsageError(`unexpected argument ${JSON.stringify(rest[count])}\n${LAB_USAGE}`);
  };
  switch (command) {
    case "create": {
      if (values.extend) allow("ttl", "extend");
      else allow("ttl", "seats", "config");
      positional(1);
      const stack = labStackName(name);
      const flags = { ttl: values.ttl, seats: values.seats, config: values.config ?? [], extend: values.extend === true };
      return (await commands.create()).createLab(stack, flags, deps);
    }
    case "destroy": {
      allow(LASTING_FLAG, NOT_MINE_FLAG);
      positional(1);
      const stack = labStackName(name);
      const opts = { evenIfLasting: confirmsLasting(name, values[LASTING_FLAG]), notMine: confirmsNotMine(name, values[NOT_MINE_FLAG]) };
      await (await commands.destroy()).destroyLab(stack, opts, deps);
      return 0;
    }
    case "list":
      allow();
      positional(0);
      print(await (await commands.list()).listLabs(deps));
      return 0;
    case "reap":
      allow("dry-run", "yes");
      positional(0);
      if (values.yes && values["dry-run"]) throw new UsageError(`reap: --dry-run and --yes contradict each other\n${LAB_USAGE}`);
      return (await commands.reap()).reapLabs(values.yes === true, deps);
    case undefined:
      throw new UsageError(`missing command\n${LAB_USAGE}`);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n${LAB_USAGE}`);
  }
}

/** A flag given twice is refused (only --config repeats): with "last one wins", a second value could undo the first. */
function refuseRepeats(argv: string[]): void {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== "option" || t.name === "config") continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once: give it once\n${LAB_USAGE}`);
    seen.add(t.name);
  }
}
