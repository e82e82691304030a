// The lab CLI's decisions, as pure functions: argument rules, which stacks are lasting, which to reap and why, and
// which vaults to purge. scripts/lab/ops.ts carries them out with the Automation API; tests table-test them here.
// Every decision about a stack comes from the program's own outputs (index.ts), never from a stack tag: tags are
// free-form, anyone with backend access may set them.
import { PROJECT } from "../../lib/config";
import { expiryProblem, implausibleExpiry, isoSeconds, parseIsoSeconds, TTL_HOURS } from "../../lib/lifecycle";
import { UntrustedOutputs } from "../../lib/outputs";
import { printable } from "../../lib/printable";
import { UsageError } from "../shared/cli";
import { textTable } from "../shared/text-table";

/** Only stacks named so are labs: the CLI never lists, destroys or reaps any other. */
export const LAB_STACK_PREFIX = "lab-";

/**
 * The one stack tag the CLI writes: when a destroy began. It is shown by `list` and decides nothing: a tag is no proof.
 * `lab:` keys, never `pulumi:` (reserved).
 */
export const STACK_TAG = { destroying: "lab:destroying" } as const;

/** The flag that lets `destroy` take down a stack whose outputs do not prove it ephemeral. Its value repeats NAME. */
export const LASTING_FLAG = "even-if-lasting";

/** The flag that lets `destroy` take down another owner's unexpired ephemeral lab. Its value repeats NAME. */
export const NOT_MINE_FLAG = "not-mine";

/** Config keys the CLI sets itself; --config may not. */
const MANAGED_KEYS = new Set(["ephemeral", "ttlHours", "createdAt"]);

/** Checks `--even-if-lasting NAME`: it must repeat the lab NAME, so it cannot be typed for one lab and hit another. */
export function confirmsLasting(name: string | undefined, given: string | undefined): boolean {
  return confirms(LASTING_FLAG, name, given, "destroying a stack whose outputs do not prove it ephemeral");
}

/** Checks `--not-mine NAME` the same way. */
export function confirmsNotMine(name: string | undefined, given: string | undefined): boolean {
  return confirms(NOT_MINE_FLAG, name, given, "destroying another owner's lab before it expires");
}

function confirms(flag: string, name: string | undefined, given: string | undefined, what: string): boolean {
  if (given === undefined) return false;
  if (given !== name) {
    throw new UsageError(
      `--${flag} ${JSON.stringify(given.slice(0, 60))}: expected the lab NAME again (${JSON.stringify(name ?? "")}), to confirm ${what}`,
    );
  }
  return true;
}

/**
 * Which names from `pulumi stack ls` are this organization's stacks of this project. The CLI qualifies a name only
 * when it is not the default org's (`org/stack`) or not the current project's (`org/project/stack`); bare names are
 * the default org's. So a qualified name is kept only when it names `org` (the current organization, when known) and
 * this project. Undefined when the stack is ours, else why it is ignored.
 */
export function foreignStack(name: string, org: string | undefined): string | undefined {
  const parts = name.split("/");
  if (parts.length === 1) return undefined;
  if (parts.length > 3 || parts.some((p) => !p)) return "not a stack name this CLI understands";
  const [owner, project] = parts.length === 3 ? [parts[0], parts[1]] : [parts[0], PROJECT];
  if (project !== PROJECT) return `another project's (${project})`;
  if (!org || owner !== org) return `another organization's (${owner}${org ? `, not ${org}` : ""})`;
  return undefined;
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
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key))
      throw new UsageError(
        `--config ${JSON.stringify(eq < 0 ? pair.slice(0, 60) : `${pair.slice(0, Math.min(eq, 60))}=…`)}: expected key=value, such as seats=3`,
      );
    if (reserved.has(key)) throw new UsageError(`--config ${key}: set by lab create itself (use --ttl for the lifetime)`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** The config values `create` sets on the stack: the lifecycle keys plus what the user passed. */
export function createConfig(args: {
  ttl: Ttl;
  seats?: string;
  pairs: Record<string, string>;
  owner: string;
  now: Date;
}): Record<string, string> {
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
  /** The original vault's ARM id: Azure's deleted-vault record, DeletedVault.properties.vaultId. */
  readonly vaultId?: string;
}

/** A stack's outputs as read back: lib/outputs.ts's keys (a renamed output fails tsc here), values unchecked. */
export type StackOutputs = UntrustedOutputs;

/** What the CLI knows about one stack: its outputs (if it has any) and its stack tags. */
export interface StackFacts {
  readonly stack: string;
  readonly outputs: StackOutputs;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Ephemeral only when the program's outputs say `ephemeral: true`; anything else is lasting, with the reason.
 * `expiryProblem`: the expiresAt output is missing or unusable (not ISO, or implausible): such a lab is never reaped.
 */
export type LabLifecycle =
  | { readonly lasting: false; readonly expiresAt?: Date; readonly expiryProblem?: string }
  | { readonly lasting: true; readonly why: string };

/** The one function that says whether a stack is lasting: `list`, `destroy`, `reap` and `create --extend` all use it. */
export function labLifecycle(outputs: StackOutputs): LabLifecycle {
  if (outputs.ephemeral === true) {
    const expiry = typeof outputs.expiresAt === "string" ? parseIsoSeconds(outputs.expiresAt) : undefined;
    if (!expiry)
      return {
        lasting: false,
        expiryProblem: outputs.expiresAt === undefined ? "it has no expiresAt output" : "its expiresAt output is not an ISO 8601 UTC time",
      };
    const created = typeof outputs.createdAt === "string" ? parseIsoSeconds(outputs.createdAt) : undefined;
    const problem = implausibleExpiry(expiry, created);
    return problem ? { lasting: false, expiryProblem: `${problem}: a malformed expiry` } : { lasting: false, expiresAt: expiry };
  }
  if (outputs.ephemeral === false) return { lasting: true, why: "its outputs say ephemeral: false" };
  if (Object.keys(outputs).length === 0)
    return {
      lasting: true,
      why: "it has no outputs (an up that never finished, or a stack this program never deployed), so nothing proves it ephemeral",
    };
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
    owner: ownerOf(out),
    seats: Array.isArray(out.seatVms) ? out.seatVms.length : undefined,
    destroying: STACK_TAG.destroying in f.tags,
  };
}

/** The `owner` output, made printable and bounded: it is shown in tables and messages. */
export function ownerOf(outputs: StackOutputs): string | undefined {
  const owner = typeof outputs.owner === "string" ? printable(outputs.owner).replace(/\s+/g, " ").trim().slice(0, 64) : "";
  return owner || undefined;
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
    if (!f.stack.split("/").pop()!.startsWith(LAB_STACK_PREFIX))
      return keep(`not a lab stack (the name does not start with ${LAB_STACK_PREFIX})`);
    const lc = labLifecycle(f.outputs);
    if (lc.lasting) return keep(`lasting: ${lc.why}; lasting labs are never reaped`);
    if (!lc.expiresAt)
      return keep(
        `ephemeral but without a valid expiresAt output (${lc.expiryProblem ?? "none"}): never reaped automatically; destroy it by hand if it should go`,
      );
    const left = lc.expiresAt.getTime() - now.getTime();
    if (left > TTL_HOURS.max * 3_600_000) {
      return keep(
        `expiresAt ${isoSeconds(lc.expiresAt)} is more than ${TTL_HOURS.max}h away, beyond any TTL (was it created by a clock that was off?); destroy it by hand if it should go`,
      );
    }
    if (left > 0) return keep(`not expired: expires ${isoSeconds(lc.expiresAt)} (in ${humanSpan(left)})`);
    const unfinished = STACK_TAG.destroying in f.tags ? "; a destroy of it began and did not finish" : "";
    return {
      stack: f.stack,
      action: "reap",
      reason: `ephemeral and expired at ${isoSeconds(lc.expiresAt)} (${humanSpan(left)} ago)${unfinished}`,
    };
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
 * May `lab destroy` (without --not-mine) take down this ephemeral stack, run by `me` at `now` (a trusted clock, or
 * undefined when none could be read)? Your own lab, or anyone's that has expired. Undefined when yes, else why not.
 * The owner output guards against mistakes; who may delete what in Azure is Azure RBAC's to say.
 */
export function notMineRefusal(f: StackFacts, me: string, now: Date | undefined): string | undefined {
  const lab = labInfo(f);
  if (lab.lifecycle.lasting || lab.owner === me) return undefined;
  const expiry = lab.lifecycle.expiresAt;
  if (expiry && now && expiry.getTime() <= now.getTime()) return undefined;
  const name = f.stack.split("/").pop()!.slice(LAB_STACK_PREFIX.length);
  const whose = lab.owner ? `belongs to ${JSON.stringify(lab.owner)}` : "has no recorded owner";
  const when = !expiry
    ? "has no valid expiry"
    : now
      ? `expires ${isoSeconds(expiry)}`
      : "may not have expired (Azure's clock could not be read)";
  return `${f.stack} ${whose}, not ${JSON.stringify(me)}, and ${when}. To destroy it anyway: npm run lab -- destroy ${name} --${NOT_MINE_FLAG} ${name}`;
}

/**
 * May `create NAME --extend` move this lab's expiry to `newExpiry`? Only the same owner's ephemeral lab, only later,
 * and only within the TTL rules from `now` (a trusted clock). Undefined when yes, else why not.
 */
export function extendRefusal(f: StackFacts, owner: string, newExpiry: Date, now: Date): string | undefined {
  const lab = labInfo(f);
  if (lab.lifecycle.lasting) return `${f.stack} is lasting (${lab.lifecycle.why}): --extend only extends an ephemeral lab`;
  if (lab.destroying) return `${f.stack}: a destroy of it began; finish it with destroy rather than extend it`;
  if (lab.owner !== owner)
    return `${f.stack} belongs to ${lab.owner ? JSON.stringify(lab.owner) : "no recorded owner"}, not ${JSON.stringify(owner)}: --extend only extends your own lab`;
  if (!lab.lifecycle.expiresAt) return `${f.stack} has no valid expiresAt output: nothing to extend`;
  if (newExpiry.getTime() <= lab.lifecycle.expiresAt.getTime()) {
    return `${f.stack} already expires ${isoSeconds(lab.lifecycle.expiresAt)}, not before ${isoSeconds(newExpiry)}: --extend never shortens a lab`;
  }
  const problem = expiryProblem(newExpiry, now);
  return problem ? `${f.stack}: ${problem}` : undefined;
}

/** One resource of `pulumi stack export` (deployment.resources[]): Pulumi's record of what it created. */
export interface StateResource {
  readonly type?: unknown;
  readonly id?: unknown;
}

const RG_TYPE = "azure-native:resources:ResourceGroup";
const VAULT_TYPE = "azure-native:keyvault:Vault";
const RG_ID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourcegroups\/[-\w.()]{1,90}$/i;
const VAULT_ID =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+)\/providers\/microsoft\.keyvault\/vaults\/([a-z][a-z0-9-]{1,22}[a-z0-9])$/i;

/**
 * The vaults a stack owns, by its state: the resource groups and vaults Pulumi recorded creating (ResourceGroup and
 * Vault resources with their ARM ids), never the program's outputs. Ids compare case-insensitively, as ARM's do.
 */
export type OwnVaults =
  | { readonly resourceGroups: readonly { readonly id: string; readonly subscriptionId: string }[]; readonly names: readonly string[] }
  | { readonly problem: string };

/** The ids (lower case) of the resource groups the state records, with their subscriptions. */
export function stateResourceGroups(resources: readonly StateResource[] | undefined): { id: string; subscriptionId: string }[] {
  const out: { id: string; subscriptionId: string }[] = [];
  for (const r of resources ?? []) {
    const m = r.type === RG_TYPE && typeof r.id === "string" ? RG_ID.exec(r.id) : null;
    if (m && !out.some((g) => g.id === r.id!.toString().toLowerCase()))
      out.push({ id: (r.id as string).toLowerCase(), subscriptionId: m[1].toLowerCase() });
  }
  return out;
}

export function ownVaults(resources: readonly StateResource[] | undefined): OwnVaults {
  if (!resources?.length) return { problem: "the stack's state records no resources, so no vault is known to be its own" };
  const groups = stateResourceGroups(resources);
  if (!groups.length) return { problem: "the stack's state records no resource group" };
  const names = new Set<string>();
  for (const r of resources) {
    const m = r.type === VAULT_TYPE && typeof r.id === "string" ? VAULT_ID.exec(r.id) : null;
    if (m && groups.some((g) => g.id === m[1].toLowerCase())) names.add(m[2].toLowerCase());
  }
  if (!names.size)
    return { problem: "the stack's state records no vault in its resource group (deleted by an earlier destroy, or never created)" };
  return { resourceGroups: groups, names: [...names].sort() };
}

/**
 * Which soft-deleted vaults to purge: those whose original id (Azure's deleted-vault record, `properties.vaultId`)
 * lies in one of the stack's own resource groups, and whose name the state recorded for a Vault; nothing else.
 */
export function vaultsToPurge(own: OwnVaults, deleted: readonly VaultRef[]): VaultRef[] {
  if ("problem" in own) return [];
  return deleted.filter((v) => {
    const m = typeof v.vaultId === "string" ? VAULT_ID.exec(v.vaultId) : null;
    if (!m || m[2].toLowerCase() !== v.name.toLowerCase() || !own.names.includes(v.name.toLowerCase())) return false;
    const group = own.resourceGroups.find((g) => g.id === m[1].toLowerCase());
    return group !== undefined && group.subscriptionId === v.subscriptionId.toLowerCase();
  });
}

/** Soft-deleted vaults that came from one of `groups` (resource group ids, lower case): reported, never purged. */
export function vaultsFromGroups(groups: readonly string[], deleted: readonly VaultRef[]): VaultRef[] {
  return deleted.filter((v) => {
    const m = typeof v.vaultId === "string" ? VAULT_ID.exec(v.vaultId) : null;
    return m !== null && groups.includes(m[1].toLowerCase());
  });
}

/** The status column of `list`: from labLifecycle, like destroy and reap. */
export function labStatus(lab: LabInfo, now: Date): string {
  const lc = lab.lifecycle;
  const base = lc.lasting
    ? "lasting"
    : !lc.expiresAt
      ? "no valid expiry"
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
    const cells = [
      lab.stack,
      lab.owner ?? "-",
      lab.seats === undefined ? "-" : String(lab.seats),
      expiry ? isoSeconds(expiry) : "-",
      labStatus(lab, now),
    ];
    // Nothing read from a stack may steer the terminal or fake a row.
    rows.push(cells.map((c) => printable(c).replace(/\s+/g, " ").trim() || "-"));
  }
  return textTable(rows).join("\n") + "\n";
}
