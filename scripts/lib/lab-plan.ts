// The lab CLI's decisions, as pure functions: argument rules, which stacks are lasting, which to reap and why, and
// which vaults to purge. scripts/lib/lab-ops.ts carries them out with the Automation API; tests table-test them here.
// Every decision about a stack comes from the program's own outputs (index.ts), never from a stack tag: tags are
// free-form, anyone with backend access may set them.
import { PROJECT } from "../../lib/config";
import { expiryProblem, isoSeconds, parseIsoSeconds, TTL_HOURS } from "../../lib/lifecycle";
import { UsageError } from "./cli";

/** Only stacks named so are labs: the CLI never lists, destroys or reaps any other. */
export const LAB_STACK_PREFIX = "lab-";

/**
 * The one stack tag the CLI writes: when a destroy began. It is shown by `list` and decides nothing: a tag is no proof.
 * `lab:` keys, never `pulumi:` (reserved).
 */
export const STACK_TAG = { destroying: "lab:destroying" } as const;

/** The flag that lets `destroy` take down a stack whose outputs do not prove it ephemeral. Its value repeats NAME. */
export const LASTING_FLAG = "even-if-lasting";

/** Config keys the CLI sets itself; --config may not. */
const MANAGED_KEYS = new Set(["ephemeral", "ttlHours", "createdAt"]);

/** Checks `--even-if-lasting NAME`: it must repeat the lab NAME, so it cannot be typed for one lab and hit another. */
export function confirmsLasting(name: string | undefined, given: string | undefined): boolean {
  if (given === undefined) return false;
  if (given !== name) {
    throw new UsageError(`--${LASTING_FLAG} ${JSON.stringify(given.slice(0, 60))}: expected the lab NAME again (${JSON.stringify(name ?? "")}), to confirm destroying a stack whose outputs do not prove it ephemeral`);
  }
  return true;
}

/** `lab-NAME` for a lab NAME: lowercase letters, digits and hyphens (it ends up in resource group names). */
export function labStackName(name: string | undefined): string {
  if (!name) throw new UsageError("missing lab NAME");
  if (!/^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?$/.test(name)) {
    throw new UsageError(`lab NAME ${JSON.stringify(name)}: expected 1-30 lowercase letters, digits and inner hyphens, such as workshop-1`);
  }
  return `${LAB_STACK_PREFIX}${name}`;
}

/** A TTL: whole hours. Minutes round up (90m is 2h: a lab never expires early). */
export interface Ttl {
  readonly hours: number;
  /** Set when the text was rounded. */
  readonly note?: string;
}

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** Parses `--ttl` such as 8h, 90m or 2d, within TTL_HOURS. */
export function parseTtl(text: string | undefined): Ttl {
  const expected = `expected a duration from ${TTL_HOURS.min}h to ${TTL_HOURS.max / 24}d, such as 8h, 90m or 2d`;
  if (text === undefined) throw new UsageError(`missing --ttl: ${expected}`);
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl ${JSON.stringify(text)}: ${expected}`);
  const minutes = Number(m[1]) * UNIT_MINUTES[m[2]];
  const hours = Math.ceil(minutes / 60);
  if (minutes === 0 || hours < TTL_HOURS.min || hours > TTL_HOURS.max) throw new UsageError(`--ttl ${JSON.stringify(text)}: ${expected}`);
  return minutes % 60 === 0 ? { hours } : { hours, note: `--ttl ${text} rounded up to ${hours}h (ttlHours is whole hours)` };
}

/** Parses `--seats N` (the config rules check the upper bounds). */
export function parseSeats(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new UsageError(`--seats ${JSON.stringify(text)}: expected a whole number of seats, 1 or more`);
  return text;
}

/** `--config k=v` pairs: the project's keys, bare or `dsvm-identity-lab:`-prefixed. `reserved`: keys refused. */
export function parseConfigPairs(pairs: readonly string[], reserved: ReadonlySet<string> = MANAGED_KEYS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).replace(new RegExp(`^${PROJECT}:`), "") : "";
    // The value is never shown: a password typed under a malformed key must not reach a log.
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new UsageError(`--config ${JSON.stringify(eq < 0 ? pair.slice(0, 60) : `${pair.slice(0, Math.min(eq, 60))}=…`)}: expected key=value, such as seats=3`);
    if (reserved.has(key)) throw new UsageError(`--config ${key}: set by lab create itself (use --ttl for the lifetime)`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** The config values `create` sets on the stack: the lifecycle keys plus what the user passed. */
export function createConfig(args: { ttl: Ttl; seats?: string; pairs: Record<string, string>; owner: string; now: Date }): Record<string, string> {
  return {
    ...args.pairs,
    ...(args.seats ? { seats: args.seats } : {}),
    owner: args.pairs.owner || args.owner,
    ephemeral: "true",
    ttlHours: String(args.ttl.hours),
    createdAt: isoSeconds(args.now),
  };
}

/** A soft-deleted vault, as Key Vault's purge API names it. */
export interface VaultRef {
  readonly name: string;
  readonly location: string;
  readonly subscriptionId: string;
}

/** What the CLI knows about one stack: its outputs (if it has any) and its stack tags. */
export interface StackFacts {
  readonly stack: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Ephemeral only when the program's outputs say `ephemeral: true`; anything else is lasting, with the reason. */
export type LabLifecycle = { readonly lasting: false; readonly expiresAt?: Date } | { readonly lasting: true; readonly why: string };

/** The one function that says whether a stack is lasting: `list`, `destroy`, `reap` and `create --extend` all use it. */
export function labLifecycle(outputs: Readonly<Record<string, unknown>>): LabLifecycle {
  if (outputs.ephemeral === true) {
    const expiry = typeof outputs.expiresAt === "string" ? parseIsoSeconds(outputs.expiresAt) : undefined;
    return { lasting: false, expiresAt: expiry };
  }
  if (outputs.ephemeral === false) return { lasting: true, why: "its outputs say ephemeral: false" };
  if (Object.keys(outputs).length === 0) return { lasting: true, why: "it has no outputs (an up that never finished, or a stack this program never deployed), so nothing proves it ephemeral" };
  return { lasting: true, why: "its outputs do not say ephemeral: true" };
}

/** A lab as `list` shows it. */
export interface LabInfo {
  readonly stack: string;
  readonly lifecycle: LabLifecycle;
  /** The `owner` output. */
  readonly owner?: string;
  readonly seats?: number;
  /** A destroy began and did not finish (the destroying tag; shown, never acted on). */
  readonly destroying: boolean;
}

export function labInfo(f: StackFacts): LabInfo {
  const out = f.outputs;
  return {
    stack: f.stack,
    lifecycle: labLifecycle(out),
    owner: typeof out.owner === "string" && out.owner ? out.owner : undefined,
    seats: Array.isArray(out.seatVms) ? out.seatVms.length : undefined,
    destroying: STACK_TAG.destroying in f.tags,
  };
}

export type ReapAction = "reap" | "keep";

export interface ReapDecision {
  readonly stack: string;
  readonly action: ReapAction;
  readonly reason: string;
}

/** "3h 12m" */
export function humanSpan(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m || (!d && !h) ? `${m}m` : ""].filter(Boolean).join(" ");
}

/**
 * What the reaper does with each stack, and why: it reaps a `lab-*` stack only when its outputs say `ephemeral: true`
 * and its `expiresAt` output has passed by `now` (a trusted clock). Tags decide nothing, a half-finished destroy included:
 * its outputs stay until the stack resource itself is deleted, so it is reaped once it expires.
 */
export function decideReap(stacks: readonly StackFacts[], now: Date): ReapDecision[] {
  return stacks.map((f) => {
    const keep = (reason: string): ReapDecision => ({ stack: f.stack, action: "keep", reason });
    // `stack ls` may qualify names (org/stack); the lab prefix is on the stack's own name.
    if (!f.stack.split("/").pop()!.startsWith(LAB_STACK_PREFIX)) return keep(`not a lab stack (the name does not start with ${LAB_STACK_PREFIX})`);
    const lc = labLifecycle(f.outputs);
    if (lc.lasting) return keep(`lasting: ${lc.why}; lasting labs are never reaped`);
    if (!lc.expiresAt) return keep("ephemeral but without a valid expiresAt output: never reaped automatically");
    const left = lc.expiresAt.getTime() - now.getTime();
    if (left > TTL_HOURS.max * 3_600_000) {
      return keep(`expiresAt ${isoSeconds(lc.expiresAt)} is more than ${TTL_HOURS.max}h away, beyond any TTL (was it created by a clock that was off?); destroy it by hand if it should go`);
    }
    if (left > 0) return keep(`not expired: expires ${isoSeconds(lc.expiresAt)} (in ${humanSpan(left)})`);
    const unfinished = STACK_TAG.destroying in f.tags ? "; a destroy of it began and did not finish" : "";
    return { stack: f.stack, action: "reap", reason: `ephemeral and expired at ${isoSeconds(lc.expiresAt)} (${humanSpan(left)} ago)${unfinished}` };
  });
}

/** May `lab destroy` (without --even-if-lasting) take this stack down? Undefined when yes, else why not. */
export function destroyRefusal(f: StackFacts): string | undefined {
  const lc = labLifecycle(f.outputs);
  if (!lc.lasting) return undefined;
  const name = f.stack.split("/").pop()!.slice(LAB_STACK_PREFIX.length);
  return (
    `${f.stack} is lasting: ${lc.why}. The lab CLI does not destroy a lasting lab unless you say so: ` +
    `npm run lab -- destroy ${name} --${LASTING_FLAG} ${name} (its vaults are then left soft-deleted, never purged)`
  );
}

/**
 * May `create NAME --extend` move this lab's expiry to `newExpiry`? Only the same owner's ephemeral lab, only later,
 * and only within the TTL rules from `now` (a trusted clock). Undefined when yes, else why not.
 */
export function extendRefusal(f: StackFacts, owner: string, newExpiry: Date, now: Date): string | undefined {
  const lab = labInfo(f);
  if (lab.lifecycle.lasting) return `${f.stack} is lasting (${lab.lifecycle.why}): --extend only extends an ephemeral lab`;
  if (lab.destroying) return `${f.stack}: a destroy of it began; finish it with destroy rather than extend it`;
  if (lab.owner !== owner) return `${f.stack} belongs to ${lab.owner ? JSON.stringify(lab.owner) : "no recorded owner"}, not ${JSON.stringify(owner)}: --extend only extends your own lab`;
  if (!lab.lifecycle.expiresAt) return `${f.stack} has no valid expiresAt output: nothing to extend`;
  if (newExpiry.getTime() <= lab.lifecycle.expiresAt.getTime()) {
    return `${f.stack} already expires ${isoSeconds(lab.lifecycle.expiresAt)}, not before ${isoSeconds(newExpiry)}: --extend never shortens a lab`;
  }
  const problem = expiryProblem(newExpiry, now);
  return problem ? `${f.stack}: ${problem}` : undefined;
}

/** Key Vault names: 3-24 letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const ARM_SUBSCRIPTION = /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\//;

/** The vaults a stack owns, by its own outputs: names from `vaultName` and `vaults`, the subscription from its ids. */
export type OwnVaults = { readonly subscriptionId: string; readonly names: readonly string[] } | { readonly problem: string };

export function ownVaults(outputs: Readonly<Record<string, unknown>>): OwnVaults {
  const names = new Set<string>();
  const bad: unknown[] = [];
  const add = (n: unknown) => (typeof n === "string" && VAULT_NAME.test(n) ? names.add(n.toLowerCase()) : bad.push(n));
  if (outputs.vaultName !== undefined) add(outputs.vaultName);
  if (Array.isArray(outputs.vaults)) for (const v of outputs.vaults) add((v as { vaultName?: unknown })?.vaultName);
  if (bad.length) return { problem: `the outputs name a vault that is no Key Vault name: ${JSON.stringify(bad[0]).slice(0, 60)}` };
  if (!names.size) return { problem: "the outputs name no vault (vaultName, vaults)" };
  // Every ARM id among the outputs (storageAccountId, seatVms[].vmId...) must name one and the same subscription.
  const subs = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      const m = ARM_SUBSCRIPTION.exec(v);
      if (m) subs.add(m[1].toLowerCase());
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(outputs);
  if (subs.size === 0) return { problem: "no resource id among the outputs names the lab's subscription" };
  if (subs.size > 1) return { problem: `the outputs' resource ids name ${subs.size} subscriptions, not one` };
  return { subscriptionId: [...subs][0], names: [...names].sort() };
}

/** Which soft-deleted vaults to purge: those the stack owns by name, in its own subscription; nothing else. */
export function vaultsToPurge(own: OwnVaults, deleted: readonly VaultRef[]): VaultRef[] {
  if ("problem" in own) return [];
  return deleted.filter((v) => v.subscriptionId.toLowerCase() === own.subscriptionId && own.names.includes(v.name.toLowerCase()));
}

/** The status column of `list`: from labLifecycle, like destroy and reap. */
export function labStatus(lab: LabInfo, now: Date): string {
  const lc = lab.lifecycle;
  const base = lc.lasting
    ? "lasting"
    : !lc.expiresAt
      ? "no expiry"
      : lc.expiresAt.getTime() <= now.getTime()
        ? `EXPIRED ${humanSpan(now.getTime() - lc.expiresAt.getTime())} ago`
        : `in ${humanSpan(lc.expiresAt.getTime() - now.getTime())}`;
  return lab.destroying ? `${base}, DESTROYING (unfinished)` : base;
}

/** The `list` table. */
export function formatLabList(labs: readonly LabInfo[], now: Date): string {
  if (labs.length === 0) return "no lab stacks (lab-*)\n";
  const rows = [["STACK", "OWNER", "SEATS", "EXPIRES", "STATUS"]];
  for (const lab of labs) {
    const expiry = lab.lifecycle.lasting ? undefined : lab.lifecycle.expiresAt;
    rows.push([lab.stack, lab.owner ?? "-", lab.seats === undefined ? "-" : String(lab.seats), expiry ? isoSeconds(expiry) : "-", labStatus(lab, now)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}
