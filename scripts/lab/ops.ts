// What every lab command does with the backend and the clocks: the Automation API workspace on the project directory
// (stacks `lab-NAME`), Azure's clock, the facts read back from a stack, and the deps tests inject. The commands
// themselves are create.ts, destroy.ts, list.ts and reap.ts; every decision comes from args.ts, decisions.ts and vaults.ts.
import { LocalWorkspace, PulumiCommand, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { isoSeconds } from "../../lib/lifecycle";
import { printable } from "../../lib/printable";
import { LAB_STACK_PREFIX } from "./args";
import { foreignStack, humanSpan, StackFacts } from "./decisions";
import type { VaultRef } from "./vaults";

/** Purges soft-deleted Key Vaults. The CLI uses Azure's (azure.ts); tests inject a recorder. */
export interface VaultPurger {
  /** The soft-deleted vaults of one subscription, each with its original id (the purge API needs its location). */
  listDeleted(subscriptionId: string): Promise<VaultRef[]>;
  /** Purges one soft-deleted vault and waits for the long-running operation. "absent": nothing to purge. */
  purge(vault: VaultRef): Promise<"purged" | "absent">;
}

export interface LabDeps {
  /** The Pulumi project directory (Pulumi.yaml). */
  readonly projectDir: string;
  readonly purger: VaultPurger;
  /** Runs `npm run verify -- --stack STACK` and resolves to its exit code. */
  readonly verify: (stack: string) => Promise<number>;
  /** One line of what the CLI decides and does. */
  readonly log: (line: string) => void;
  /** Engine output of `up` and `destroy`, streamed as it comes. */
  readonly stream: (text: string) => void;
  /** This machine's clock: shown by `list`, and compared with the reference clock. */
  readonly now: () => Date;
  /**
   * The clock expiries are set and judged by (create, --extend, reap): Azure's, read from an ARM answer's Date
   * header (azure.ts), so a laptop whose clock is off can neither back-date nor post-date a lab.
   */
  readonly referenceNow: () => Promise<Date>;
  /** Owner of new labs unless --config owner=... says otherwise; the only owner whose lab --extend extends. */
  readonly defaultOwner: string;
  /** The Pulumi organization whose stacks these are ($PULUMI_ORG); stacks `stack ls` names as another's are ignored. */
  readonly organization?: string;
  /** How often a long wait says it is still waiting. Default 30 s. */
  readonly progressEveryMs?: number;
  /**
   * Makes the Pulumi command each workspace runs. Unset (the CLI): the Automation API finds `pulumi` on PATH and
   * checks its version. Tests give an in-process stand-in, as a process costs them a tenth of a second per command.
   */
  readonly pulumiCommand?: () => Promise<PulumiCommand>;
}

/** A command that ran and must not go on (exit 1, no stack trace). */
export class LabRefusal extends Error {
  override name = "LabRefusal";
}

/** Awaits `work`, saying every `everyMs` that it is still running and how long it has been. */
export async function withProgress<T>(label: string, work: Promise<T>, log: (line: string) => void, everyMs = 30_000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => log(`${label}: still running (${Math.round((Date.now() - started) / 1000)}s)`), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

export async function workspace(deps: LabDeps): Promise<LocalWorkspace> {
  try {
    const pulumiCommand = deps.pulumiCommand ? await deps.pulumiCommand() : undefined;
    return await LocalWorkspace.create(pulumiCommand ? { workDir: deps.projectDir, pulumiCommand } : { workDir: deps.projectDir });
  } catch (e) {
    if (/ENOENT/.test(String((e as Error)?.message))) {
      throw new LabRefusal("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to your backend");
    }
    throw e;
  }
}

/** How far this machine's clock may be from Azure's for create and --extend (the program judges createdAt by it). */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * The reference time, Azure's; refuses (exit 1) when it cannot be read: an expiry is never set or judged by an
 * unchecked clock. `strict` (create, --extend) also refuses when this machine's clock is more than 5 minutes off:
 * every `pulumi up` of the lab checks createdAt against this machine's clock. Otherwise a skew is only noted.
 */
export async function referenceTime(deps: LabDeps, strict: boolean): Promise<Date> {
  let ref: Date;
  try {
    ref = await deps.referenceNow();
  } catch (e) {
    throw new LabRefusal(
      `could not read Azure's clock (${firstLine(e)}); the lab CLI never sets or judges an expiry by an unchecked local clock`,
    );
  }
  const skew = deps.now().getTime() - ref.getTime();
  if (Math.abs(skew) > MAX_SKEW_MS) {
    const off = `this machine's clock (${isoSeconds(deps.now())}) is ${humanSpan(skew)} ${skew > 0 ? "ahead of" : "behind"} Azure's (${isoSeconds(ref)})`;
    if (strict) throw new LabRefusal(`${off}: set it right (e.g. enable NTP) and run again; nothing was changed`);
    deps.log(`note: ${off}; expiries are judged by Azure's`);
  }
  return ref;
}

/** The stack, or undefined when there is no such stack (any other failure is thrown). */
export async function selectStack(ws: LocalWorkspace, stack: string): Promise<Stack | undefined> {
  try {
    return await Stack.select(stack, ws);
  } catch (e) {
    if (!(e instanceof StackNotFoundError)) throw e;
    return undefined;
  }
}

/** The stack's outputs (values only) and stack tags. */
export async function readFacts(ws: LocalWorkspace, stack: string): Promise<StackFacts> {
  const outputs = Object.fromEntries(Object.entries(await ws.stackOutputs(stack)).map(([k, v]) => [k, v.value]));
  return { stack, outputs, tags: await ws.listTags(stack) };
}

export function firstLine(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  const line = text.split("\n").find((l) => /error/i.test(l)) ?? text.split("\n")[0];
  return line.trim().slice(0, 300);
}

/**
 * The `lab-*` stacks of the project in this organization, with what the CLI knows of each. `stack ls` also names the
 * stacks of other organizations the login can see (org-qualified): those are ignored, and said so.
 */
export async function labFacts(ws: LocalWorkspace, deps: LabDeps, label: string): Promise<StackFacts[]> {
  const names = (await ws.listStacks()).map((s) => s.name).filter((n) => n.split("/").pop()!.startsWith(LAB_STACK_PREFIX));
  const out: StackFacts[] = [];
  for (const name of names) {
    const foreign = foreignStack(name, deps.organization);
    if (foreign)
      deps.log(
        `${label}: ${printable(name)}: ignored: ${printable(foreign)}; the lab CLI acts only on ${deps.organization ? `organization ${deps.organization}'s` : "the default organization's"} stacks`,
      );
    else out.push(await readFacts(ws, name));
  }
  return out;
}
