// The lab CLI's decisions, as pure functions: argument rules, which stacks are expired, which to reap and why, and
// which vaults to purge. scripts/lib/lab-ops.ts carries them out with the Automation API; tests table-test them here.
import { PROJECT } from "../../lib/config";
import { isoSeconds, LAB_TAG, parseIsoSeconds, TTL_HOURS } from "../../lib/lifecycle";
import { UsageError } from "./cli";

/** Only stacks named so are labs: the CLI never lists, destroys or reaps any other. */
export const LAB_STACK_PREFIX = "lab-";

/**
 * Stack tags the CLI keeps in the backend, so any machine (the hourly reaper included) can finish what another began.
 * `lab:` keys, never `pulumi:` (reserved).
 */
export const STACK_TAG = {
  /** Set by create before `up`: a lab whose `up` died before exporting outputs can still be reaped. */
  ephemeral: "lab:ephemeral",
  expiresAt: "lab:expiresAt",
  owner: "lab:owner",
  /** Set before destroy starts: the vaults to purge afterwards, as encodeVaults() writes them ("none" if none). */
  purge: "lab:purge",
} as const;

/** Config keys the CLI sets itself; --config may not. */
const MANAGED_KEYS = new Set(["ephemeral", "ttlHours", "createdAt"]);

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
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new UsageError(`--config ${JSON.stringify(pair.slice(0, 60))}: expected key=value, such as seats=3`);
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

/** A soft-deleted (or soon deleted) vault, as Key Vault's purge API names it. */
export interface VaultRef {
  readonly name: string;
  readonly location: string;
  readonly subscriptionId: string;
}

/** Vaults as one stack tag value: `subscription/location/name` joined by commas; "none" for none. */
export function encodeVaults(vaults: readonly VaultRef[]): string {
  const text = vaults.length ? vaults.map((v) => `${v.subscriptionId}/${v.location}/${v.name}`).join(",") : "none";
  if (text.length > 256) throw new Error(`too many vaults to record in one stack tag (${vaults.length})`);
  return text;
}

export function decodeVaults(text: string | undefined): VaultRef[] {
  if (!text || text === "none") return [];
  return text.split(",").flatMap((part) => {
    const [subscriptionId, location, name] = part.split("/");
    return subscriptionId && location && name ? [{ subscriptionId, location, name }] : [];
  });
}

/** The Key Vaults in an exported deployment (`pulumi stack export`): every vault the stack still owns. */
export function vaultsInState(deployment: unknown): VaultRef[] {
  const resources = ((deployment as { deployment?: { resources?: unknown[] } })?.deployment?.resources ?? []) as Array<Record<string, any>>;
  return resources
    .filter((r) => r.type === "azure-native:keyvault:Vault" && typeof r.id === "string" && !r.delete)
    .flatMap((r) => {
      const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i.exec(r.id);
      const location = r.outputs?.location ?? r.inputs?.location;
      return m && typeof location === "string" ? [{ subscriptionId: m[1], name: m[2], location }] : [];
    });
}

/** A soft-deleted vault, as Key Vault lists them. */
export interface DeletedVault extends VaultRef {
  readonly tags: Readonly<Record<string, string>>;
}

/** Which vaults to purge after destroying `stack`: those recorded before destroy, and deleted vaults tagged as its. */
export function vaultsToPurge(stack: string, recorded: readonly VaultRef[], deleted: readonly DeletedVault[]): VaultRef[] {
  const key = (v: VaultRef) => `${v.subscriptionId}/${v.location}/${v.name}`.toLowerCase();
  const out = new Map<string, VaultRef>();
  for (const v of recorded) out.set(key(v), v);
  for (const v of deleted) if (v.tags[LAB_TAG.lab] === stack) out.set(key(v), { name: v.name, location: v.location, subscriptionId: v.subscriptionId });
  return [...out.values()];
}

/** What the CLI knows about one stack: its outputs (if it has any) and its stack tags. */
export interface StackFacts {
  readonly stack: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** A lab's lifecycle as outputs say, else as the tags create set (for a lab whose `up` failed before outputs). */
export interface LabInfo {
  readonly stack: string;
  readonly ephemeral: boolean;
  /** Undefined when unknown or unparseable. */
  readonly expiresAt?: Date;
  readonly owner?: string;
  readonly seats?: number;
  /** Destroy began and did not finish: the purge tag is set. */
  readonly destroying: boolean;
}

export function labInfo(f: StackFacts): LabInfo {
  const out = f.outputs;
  const ephemeral = typeof out.ephemeral === "boolean" ? out.ephemeral : f.tags[STACK_TAG.ephemeral] === "true";
  const expiry = typeof out.expiresAt === "string" ? out.expiresAt : f.tags[STACK_TAG.expiresAt];
  const owner = typeof out.owner === "string" ? out.owner : f.tags[STACK_TAG.owner];
  return {
    stack: f.stack,
    ephemeral,
    expiresAt: expiry ? parseIsoSeconds(expiry) : undefined,
    owner: owner || undefined,
    seats: Array.isArray(out.seatVms) ? out.seatVms.length : undefined,
    destroying: STACK_TAG.purge in f.tags,
  };
}

export type ReapAction = "reap" | "finish" | "keep";

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
 * What the reaper does with each stack, and why. Only `lab-*` stacks; never one that is not ephemeral or has no
 * valid expiry. A stack whose destroy began (purge tag) is finished: that decision was already taken.
 */
export function decideReap(stacks: readonly StackFacts[], now: Date): ReapDecision[] {
  return stacks.map((f) => {
    const keep = (reason: string): ReapDecision => ({ stack: f.stack, action: "keep", reason });
    // `stack ls` may qualify names (org/stack); the lab prefix is on the stack's own name.
    if (!f.stack.split("/").pop()!.startsWith(LAB_STACK_PREFIX)) return keep(`not a lab stack (the name does not start with ${LAB_STACK_PREFIX})`);
    const lab = labInfo(f);
    if (lab.destroying) return { stack: f.stack, action: "finish", reason: "half-destroyed: a destroy began and did not finish (purge tag set); finishing it" };
    if (!lab.ephemeral) return keep("not ephemeral: lasting labs are never reaped");
    if (!lab.expiresAt) return keep("ephemeral but without a valid expiresAt: never reaped automatically");
    const left = lab.expiresAt.getTime() - now.getTime();
    if (left > 0) return keep(`not expired: expires ${isoSeconds(lab.expiresAt)} (in ${humanSpan(left)})`);
    return { stack: f.stack, action: "reap", reason: `ephemeral and expired at ${isoSeconds(lab.expiresAt)} (${humanSpan(left)} ago)` };
  });
}

/** May `lab destroy` (an explicit command) take this stack down? Undefined when yes, else why not. */
export function destroyRefusal(f: StackFacts): string | undefined {
  const lab = labInfo(f);
  if (lab.destroying || lab.ephemeral) return undefined;
  // No outputs and no lifecycle tags: a stack whose first `up` never got far. Still the user's explicit lab.
  if (f.outputs.ephemeral === undefined && f.tags[STACK_TAG.ephemeral] === undefined) return undefined;
  return `${f.stack} is not ephemeral: its vault and storage account are protected and the lab CLI never destroys a lasting lab`;
}

/** The `list` table. */
export function formatLabList(labs: readonly LabInfo[], now: Date): string {
  if (labs.length === 0) return "no lab stacks (lab-*)\n";
  const rows = [["STACK", "OWNER", "SEATS", "EXPIRES", "STATUS"]];
  for (const lab of labs) {
    const status = lab.destroying
      ? "DESTROYING (unfinished)"
      : !lab.ephemeral
        ? "lasting"
        : !lab.expiresAt
          ? "no expiry"
          : lab.expiresAt.getTime() <= now.getTime()
            ? `EXPIRED ${humanSpan(now.getTime() - lab.expiresAt.getTime())} ago`
            : `in ${humanSpan(lab.expiresAt.getTime() - now.getTime())}`;
    rows.push([lab.stack, lab.owner ?? "-", lab.seats === undefined ? "-" : String(lab.seats), lab.expiresAt ? isoSeconds(lab.expiresAt) : "-", status]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}
