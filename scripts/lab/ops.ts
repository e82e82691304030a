// The lab CLI's orchestration: Pulumi's Automation API on the project directory (stacks `lab-NAME`), and the Key
// Vault purge client. Every decision comes from decisions.ts; this file only carries them out, and says what it does.
import { LocalWorkspace, Stack, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ConfigError, LabConfig, PROJECT, validateConfig } from "../../lib/config";
import { expiresAt, expiryProblem, isoSeconds, parseIsoSeconds } from "../../lib/lifecycle";
import {
  createConfig,
  decideReap,
  destroyRefusal,
  foreignStack,
  extendRefusal,
  formatLabList,
  humanSpan,
  labInfo,
  labLifecycle,
  LAB_STACK_PREFIX,
  LASTING_FLAG,
  notMineRefusal,
  ownVaults,
  OwnVaults,
  parseConfigPairs,
  parseSeats,
  parseTtl,
  STACK_TAG,
  StackFacts,
  StateResource,
  stateResourceGroups,
  Ttl,
  VaultRef,
  vaultsFromGroups,
  vaultsToPurge,
} from "./decisions";
import { printable } from "../../lib/printable";
import { UsageError } from "../shared/cli";
import { readStackConfig } from "../../offline/stack-config";

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

async function workspace(deps: LabDeps): Promise<LocalWorkspace> {
  try {
    return await LocalWorkspace.create({ workDir: deps.projectDir });
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
async function referenceTime(deps: LabDeps, strict: boolean): Promise<Date> {
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

/** The stack's outputs (values only) and stack tags. */
async function readFacts(ws: LocalWorkspace, stack: string): Promise<StackFacts> {
  const outputs = Object.fromEntries(Object.entries(await ws.stackOutputs(stack)).map(([k, v]) => [k, v.value]));
  return { stack, outputs, tags: await ws.listTags(stack) };
}

/** `create NAME --ttl 8h [--seats N] [--config k=v ...] [--extend]`: everything is checked before the backend is touched. */
export async function createLab(
  stack: string,
  flags: { ttl?: string; seats?: string; config: readonly string[]; extend?: boolean },
  deps: LabDeps,
): Promise<number> {
  const ttl = parseTtl(flags.ttl);
  if (flags.extend) return extendLab(stack, ttl, deps);
  const seats = parseSeats(flags.seats);
  const pairs = parseConfigPairs(flags.config);
  // What the program will see: Pulumi.yaml defaults, the stack's file if it has one, then these values.
  checkConfig(stack, createConfig({ ttl, seats, pairs, owner: deps.defaultOwner, now: deps.now() }), deps);
  if (ttl.note) deps.log(ttl.note);
  const now = await referenceTime(deps, true);
  const values = createConfig({ ttl, seats, pairs, owner: deps.defaultOwner, now });
  const expiry = expiresAt(values.createdAt, ttl.hours);
  const problem = expiryProblem(parseIsoSeconds(expiry)!, now);
  if (problem) throw new LabRefusal(`${stack}: ${problem}; nothing was created`);

  const ws = await workspace(deps);
  let s: Stack;
  try {
    // `stack init` fails on an existing stack and changes nothing: create never takes one over.
    s = await Stack.create(stack, ws);
  } catch (e) {
    if (!(e instanceof StackAlreadyExistsError)) throw e;
    const name = stack.slice(LAB_STACK_PREFIX.length);
    throw new LabRefusal(
      `${stack} already exists: lab create never takes over a stack, and nothing was changed. ` +
        `Pick another NAME, or extend your own ephemeral lab: npm run lab -- create ${name} --ttl ${flags.ttl} --extend`,
    );
  }
  await s.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, { value: v }])));
  deps.log(`${stack}: pulumi up (owner ${values.owner}, expires ${expiry}); this takes several minutes`);
  return upAndVerify(s, stack, expiry, deps);
}

function checkConfig(stack: string, values: Record<string, string>, deps: LabDeps): LabConfig {
  try {
    return validateConfig({ ...readStackConfig(deps.projectDir, stack, { allowMissing: true }), ...values }, { now: deps.now() });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new UsageError(
      `${e.message}\nlab create sets config with --config key=value, e.g. --config sshPublicKey="$(cat ~/.ssh/id_ed25519.pub)"`,
    );
  }
}

async function upAndVerify(s: Stack, stack: string, expiry: string, deps: LabDeps): Promise<number> {
  const name = stack.slice(LAB_STACK_PREFIX.length);
  try {
    await withProgress(`${stack}: up`, s.up({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  } catch (e) {
    throw new LabRefusal(
      `${stack}: pulumi up failed: ${firstLine(e)}\nFix the cause and run pulumi up on ${stack}, or take it down. Until an up exports ` +
        `its outputs nothing proves the lab ephemeral, so reap keeps it and destroy asks: npm run lab -- destroy ${name} --${LASTING_FLAG} ${name}`,
    );
  }
  deps.log(`${stack}: up done; running npm run verify -- --stack ${stack}`);
  const code = await deps.verify(stack);
  if (code !== 0) {
    deps.log(`${stack}: verify failed (exit ${code}); the lab is up and expires ${expiry}`);
    return 1;
  }
  deps.log(`${stack}: ready and verified; expires ${expiry}. Tear it down early with: npm run lab -- destroy ${name}`);
  return 0;
}

/**
 * `create NAME --ttl T --extend`: the same owner's ephemeral lab, as its outputs say, gets createdAt = now and
 * ttlHours = T (only those two keys change), then up and verify. Its deployed shape must match its config here.
 */
async function extendLab(stack: string, ttl: Ttl, deps: LabDeps): Promise<number> {
  if (ttl.note) deps.log(ttl.note);
  const now = await referenceTime(deps, true);
  const createdAt = isoSeconds(now);
  const expiry = expiresAt(createdAt, ttl.hours);
  const ws = await workspace(deps);
  let s: Stack;
  try {
    s = await Stack.select(stack, ws);
  } catch (e) {
    if (!(e instanceof StackNotFoundError)) throw e;
    throw new LabRefusal(`${stack}: no such stack: nothing to extend (without --extend, create makes it)`);
  }
  const facts = await readFacts(ws, stack);
  const refusal = extendRefusal(facts, deps.defaultOwner, parseIsoSeconds(expiry)!, now);
  if (refusal) throw new LabRefusal(`${refusal}; nothing was changed`);
  // `up` deploys the config found here: it must be complete and describe the lab that is deployed.
  const current = Object.fromEntries(
    Object.entries(await s.getAllConfig()).flatMap(([k, v]) =>
      k.startsWith(`${PROJECT}:`) ? [[k.slice(PROJECT.length + 1), v.value]] : [],
    ),
  );
  let cfg: LabConfig;
  try {
    cfg = validateConfig(
      { ...readStackConfig(deps.projectDir, stack, { allowMissing: true }), ...current, createdAt, ttlHours: String(ttl.hours) },
      { now },
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new LabRefusal(
      `${stack}: its config here is not complete, so up would change the lab; run --extend where the lab was created. Nothing was changed.\n${e.message}`,
    );
  }
  const deployedSeats = Array.isArray(facts.outputs.seatVms) ? facts.outputs.seatVms.length : undefined;
  if (deployedSeats !== cfg.seats || (facts.outputs.os !== undefined && facts.outputs.os !== cfg.os)) {
    throw new LabRefusal(
      `${stack}: its config here (seats ${cfg.seats}, os ${cfg.os}) is not what is deployed (seats ${deployedSeats ?? "?"}, os ${String(facts.outputs.os ?? "?")}); ` +
        "run --extend where the lab was created. Nothing was changed.",
    );
  }
  await s.setAllConfig({ [`${PROJECT}:createdAt`]: { value: createdAt }, [`${PROJECT}:ttlHours`]: { value: String(ttl.hours) } });
  deps.log(`${stack}: extending (owner ${deps.defaultOwner}): expires ${expiry}; pulumi up`);
  return upAndVerify(s, stack, expiry, deps);
}

/**
 * Purges the soft-deleted vaults the stack owns by its state (read before its destroy): those whose original id lies
 * in its own resource group and whose name the state recorded; nothing else. Soft-deleted vaults from its resource
 * group that its state no longer records are named, never purged.
 */
async function purgeVaults(
  stack: string,
  own: OwnVaults,
  groups: readonly { id: string; subscriptionId: string }[],
  deps: LabDeps,
): Promise<number> {
  const subs = [...new Set(groups.map((g) => g.subscriptionId))];
  const deleted: VaultRef[] = [];
  for (const sub of subs) deleted.push(...(await deps.purger.listDeleted(sub)));
  const vaults = vaultsToPurge(own, deleted);
  const unrecorded = vaultsFromGroups(
    groups.map((g) => g.id),
    deleted,
  ).filter((v) => !vaults.includes(v));
  if (unrecorded.length) {
    deps.log(
      `${stack}: soft-deleted vault(s) from its resource group that its state does not record, NOT purged: ${unrecorded.map((v) => printable(v.name)).join(", ")} (their soft-delete retention ends them, or purge by hand)`,
    );
  }
  if ("problem" in own) {
    deps.log(`${stack}: no vault purged: ${own.problem}`);
    return 0;
  }
  const missing = own.names.filter((n) => !vaults.some((v) => v.name.toLowerCase() === n));
  if (missing.length) deps.log(`${stack}: not soft-deleted from its resource group, nothing to purge: ${missing.join(", ")}`);
  let purged = 0;
  for (const vault of vaults) {
    let result: "purged" | "absent";
    try {
      result = await withProgress(`${stack}: purging vault ${vault.name}`, deps.purger.purge(vault), deps.log, deps.progressEveryMs);
    } catch (e) {
      throw new LabRefusal(
        `${stack}: purging vault ${vault.name} failed: ${firstLine(e)}\nPurge it with: az keyvault purge --name ${vault.name} ` +
          `--location ${vault.location} --subscription ${vault.subscriptionId} (or its 7-day soft-delete retention ends it).`,
      );
    }
    deps.log(
      result === "purged"
        ? `${stack}: vault ${vault.name} purged (its secrets are gone and its name is free)`
        : `${stack}: vault ${vault.name} already purged`,
    );
    if (result === "purged") purged++;
  }
  return purged;
}

/** Pulumi's record of what the stack created (`stack export`), the only source of what it owns. */
async function readState(ws: LocalWorkspace, stack: string): Promise<StateResource[]> {
  const exported = (await ws.exportStack(stack)) as { deployment?: { resources?: unknown } };
  const resources = exported?.deployment?.resources;
  return Array.isArray(resources) ? resources.filter((r): r is StateResource => typeof r === "object" && r !== null) : [];
}

/** How `destroy` was asked: the confirmations it was given, or reap's decision (its reference time). */
export interface DestroyOptions {
  readonly evenIfLasting: boolean;
  readonly notMine?: boolean;
  /** Set by reap: destroy only if the stack is still ephemeral and expired at this (reference) time. */
  readonly reapAt?: Date;
}

/**
 * Whether the stack may go, judged on facts just read. Throws LabRefusal when not; for reap, returns why to keep it.
 * The reference clock is read only for another owner's lab (an expired one is anyone's to take down).
 */
async function mayDestroy(facts: StackFacts, opts: DestroyOptions, deps: LabDeps): Promise<string | undefined> {
  if (opts.reapAt) {
    const [d] = decideReap([facts], opts.reapAt);
    return d.action === "reap" ? undefined : d.reason;
  }
  const refusal = destroyRefusal(facts);
  if (refusal && !opts.evenIfLasting) throw new LabRefusal(refusal);
  if (opts.notMine || labInfo(facts).owner === deps.defaultOwner || labLifecycle(facts.outputs).lasting) return undefined;
  let now: Date | undefined;
  try {
    now = await referenceTime(deps, false);
  } catch {
    now = undefined;
  }
  const notMine = notMineRefusal(facts, deps.defaultOwner, now);
  if (notMine) throw new LabRefusal(`${notMine}; nothing was changed`);
  return undefined;
}

/**
 * `destroy NAME [--even-if-lasting NAME] [--not-mine NAME]`: destroy, purge the vaults, remove the stack. Only a stack
 * whose outputs say `ephemeral: true` is destroyed without --even-if-lasting, and another owner's only once expired or
 * with --not-mine. The outputs are read again right before the destroy, and the decision taken again on them. Vaults
 * are purged only for an ephemeral stack, and only those its state records (read before the destroy deletes it).
 * Resolves to "destroyed", or "kept" when reap's decision no longer holds.
 */
export async function destroyLab(stack: string, opts: DestroyOptions, deps: LabDeps): Promise<"destroyed" | "kept"> {
  const ws = await workspace(deps);
  let s: Stack;
  try {
    s = await Stack.select(stack, ws);
  } catch (e) {
    if (!(e instanceof StackNotFoundError)) throw e;
    deps.log(`${stack}: no such stack: nothing to destroy. Done.`);
    return "kept";
  }
  const facts = await readFacts(ws, stack);
  const keep = await mayDestroy(facts, opts, deps);
  if (keep) {
    deps.log(`${stack}: kept: read again before acting, it is no longer to be reaped: ${keep}`);
    return "kept";
  }
  const lasting = labLifecycle(facts.outputs).lasting;
  if (lasting) {
    // Without a preview, destroy deletes everything but the protected resources before it fails on them.
    try {
      await withProgress(`${stack}: destroy preview`, s.previewDestroy({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
    } catch (e) {
      throw new LabRefusal(
        `${stack}: the destroy preview fails (${firstLine(e)}); nothing was deleted. A lasting lab's vault and storage account are protected: ` +
          `unprotect them on purpose (pulumi state unprotect --all --stack ${stack}) and run this again`,
      );
    }
  }
  // The state, read before destroy deletes it: the only record of which resource group and vaults are the stack's.
  const state = await readState(ws, stack);
  const groups = stateResourceGroups(state);
  const own: OwnVaults = lasting
    ? { problem: "a lasting lab's vaults are never purged (they stay soft-deleted and recoverable)" }
    : ownVaults(state);
  const unfinished = STACK_TAG.destroying in facts.tags;
  await ws.setTag(stack, STACK_TAG.destroying, isoSeconds(deps.now()));
  // Decide again on the outputs as they are now: an extend, a new owner or a lasting redeploy since the first read wins.
  const again = await readFacts(ws, stack);
  let changed: string | undefined;
  try {
    changed =
      (await mayDestroy(again, opts, deps)) ??
      (labLifecycle(again.outputs).lasting !== lasting ? "it changed between lasting and ephemeral" : undefined);
  } catch (e) {
    changed = (e as Error).message;
  }
  if (changed) {
    if (!unfinished) await ws.removeTag(stack, STACK_TAG.destroying);
    const text = `${stack}: not destroyed: its outputs changed while this ran, and the decision no longer holds: ${changed}`;
    if (opts.reapAt) {
      deps.log(text);
      return "kept";
    }
    throw new LabRefusal(text);
  }
  const plan =
    "problem" in own
      ? `no vault purge: ${own.problem}`
      : `vaults to purge afterwards: ${own.names.join(", ")} (recorded in its state, resource group ${own.resourceGroups.map((g) => g.id).join(", ")})`;
  deps.log(
    `${stack}: ${lasting ? "destroying a lasting lab, as --" + LASTING_FLAG + " says" : unfinished ? "finishing an unfinished destroy" : "destroying"}; ${plan}`,
  );
  try {
    await withProgress(`${stack}: destroy`, s.destroy({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  } catch (e) {
    // What it did delete of the vaults its state recorded is purged now: the next run's state no longer records them.
    const purged = lasting ? 0 : await purgeVaults(stack, own, groups, deps).catch((p: Error) => (deps.log(p.message), 0));
    throw new LabRefusal(
      `${stack}: pulumi destroy failed: ${firstLine(e)} (${purged} vault(s) purged)\nRun destroy again once the cause is fixed${lasting ? "" : " (or let reap finish it once the lab expires)"}.`,
    );
  }
  let purgeFailure: unknown;
  const purged = lasting ? 0 : await purgeVaults(stack, own, groups, deps).catch((e: unknown) => ((purgeFailure = e), 0));
  // The stack goes even when a purge failed: with its state empty and its outputs gone, nothing would be left for a
  // later destroy or reap to act on, and an empty stack without outputs would only show as "lasting".
  await ws.removeStack(stack);
  if (purgeFailure)
    throw new LabRefusal(`${(purgeFailure as Error).message}\n${stack}: destroyed and stack removed; only the purge above failed.`);
  deps.log(`${stack}: destroyed, ${purged} vault(s) purged, stack removed. Done.`);
  return "destroyed";
}

function firstLine(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  const line = text.split("\n").find((l) => /error/i.test(l)) ?? text.split("\n")[0];
  return line.trim().slice(0, 300);
}

/**
 * The `lab-*` stacks of the project in this organization, with what the CLI knows of each. `stack ls` also names the
 * stacks of other organizations the login can see (org-qualified): those are ignored, and said so.
 */
async function labFacts(ws: LocalWorkspace, deps: LabDeps, label: string): Promise<StackFacts[]> {
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

/** `list`: the lab stacks with owner, seats, expiry and status (labLifecycle, as destroy and reap decide). */
export async function listLabs(deps: LabDeps): Promise<string> {
  const facts = await labFacts(await workspace(deps), deps, "list");
  return formatLabList(facts.map(labInfo), deps.now());
}

/** `reap [--dry-run | --yes]`: decides for every lab stack by the reference clock, logs why, and acts only with `yes`. */
export async function reapLabs(yes: boolean, deps: LabDeps): Promise<number> {
  const now = await referenceTime(deps, false);
  const decisions = decideReap(await labFacts(await workspace(deps), deps, "reap"), now);
  if (decisions.length === 0) deps.log("reap: no lab stacks (lab-*)");
  for (const d of decisions)
    deps.log(`reap: ${printable(d.stack)}: ${d.action === "keep" ? "keep" : yes ? d.action : `would ${d.action}`}: ${printable(d.reason)}`);
  if (!yes) {
    deps.log("reap: dry run (the default); nothing was changed. Pass --yes to act.");
    return 0;
  }
  let failures = 0;
  for (const d of decisions.filter((x) => x.action === "reap")) {
    try {
      // Decided on a listing that may be minutes old: destroyLab reads the stack again and re-decides by `now`.
      await destroyLab(d.stack, { evenIfLasting: false, reapAt: now }, deps);
    } catch (e) {
      failures++;
      deps.log(`reap: ${printable(d.stack)}: failed: ${(e as Error).message}`);
    }
  }
  return failures ? 1 : 0;
}
