// Lab lifecycle: what an ephemeral lab is, when it expires, and how its resources say so. Pure: no Pulumi, no clock.
// The program applies it (index.ts, lib/tags.ts); the lab CLI (scripts/lab/index.ts) and policies read the same facts.

/** Tag keys every taggable resource carries. Policies and the reaper key on these exact names. */
export const LAB_TAG = {
  /** The stack that owns the resource, e.g. `lab-workshop`. */
  lab: "lab",
  /** "true" or "false": whether the reaper may delete this lab once it expires. */
  ephemeral: "ephemeral",
  /** Who asked for the lab (ephemeral labs; others when configured). */
  owner: "owner",
  /** ISO 8601 UTC instant after which the reaper destroys the lab (ephemeral labs only). */
  expiresAt: "expiresAt",
} as const;

/** Bounds of `ttlHours`: at least an hour, at most a week (labs are for a class or a workshop). */
export const TTL_HOURS = { min: 1, max: 168 } as const;

/** Key Vault soft-delete retention bounds in days (Azure's). Ephemeral labs take the minimum. */
export const SOFT_DELETE_DAYS = { min: 7, max: 90 } as const;

/** ISO 8601 UTC to the second, the form `createdAt` and `expiresAt` take: 2025-01-31T09:00:00Z. */
export const ISO_UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** An instant as ISO 8601 UTC without milliseconds. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Parses an ISO_UTC_SECONDS string that names a real instant (not 2025-02-30); undefined otherwise. */
export function parseIsoSeconds(text: string): Date | undefined {
  if (!ISO_UTC_SECONDS.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) || isoSeconds(at) !== text ? undefined : at;
}

/** When a lab created at `createdAt` (ISO_UTC_SECONDS) with `ttlHours` expires. Same inputs, same answer. */
export function expiresAt(createdAt: string, ttlHours: number): string {
  const at = parseIsoSeconds(createdAt);
  if (!at) throw new Error(`createdAt ${JSON.stringify(createdAt)} is not an ISO 8601 UTC time such as 2025-01-31T09:00:00Z`);
  return isoSeconds(new Date(at.getTime() + ttlHours * 3_600_000));
}

/**
 * Whether an expiry fits the TTL rules as seen from `now` (a trusted clock): strictly after `now`, and no later than
 * `now` + TTL_HOURS.max. A clock that is off cannot then create a lab that is reaped at once, or one that outlives the
 * longest TTL. Undefined when it fits, else why not.
 */
export function expiryProblem(expiry: Date, now: Date): string | undefined {
  const left = expiry.getTime() - now.getTime();
  if (left <= 0) return `expiresAt ${isoSeconds(expiry)} is not after now (${isoSeconds(now)})`;
  if (left > TTL_HOURS.max * 3_600_000)
    return `expiresAt ${isoSeconds(expiry)} is more than ${TTL_HOURS.max}h after now (${isoSeconds(now)})`;
  return undefined;
}

/** No lab expires before this: an earlier expiresAt (year 0, the epoch) is malformed, never "long expired". */
export const EARLIEST_EXPIRY = "2020-01-01T00:00:00Z";

/**
 * Why an expiry read back from a lab is malformed: before EARLIEST_EXPIRY, or before the lab's `createdAt`. Undefined
 * when it is plausible. A malformed expiry makes the lab not reapable (it is reported, never acted on).
 */
export function implausibleExpiry(expiry: Date, createdAt?: Date): string | undefined {
  if (expiry.getTime() < Date.parse(EARLIEST_EXPIRY)) return `expiresAt ${isoSeconds(expiry)} is before ${EARLIEST_EXPIRY}`;
  if (createdAt && expiry.getTime() < createdAt.getTime())
    return `expiresAt ${isoSeconds(expiry)} is before createdAt ${isoSeconds(createdAt)}`;
  return undefined;
}

/** The lifecycle part of the lab's config. */
export interface LifecycleConfig {
  readonly ephemeral: boolean;
  readonly ttlHours: number;
  /** ISO_UTC_SECONDS; required when ephemeral (`npm run lab -- create` sets it once, so re-runs keep the expiry). */
  readonly createdAt: string;
  /** Empty when not configured. */
  readonly owner: string;
}

/** What the program does differently in the two modes. */
export interface Lifecycle {
  readonly ephemeral: boolean;
  /** Undefined for labs that do not expire. */
  readonly expiresAt?: string;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
  /** Vault and storage account `protect`: on for lasting labs, so `pulumi destroy` refuses to delete them. */
  readonly protect: boolean;
  /** Vault purge protection: on for lasting labs; off in ephemeral ones, so teardown can purge the vault. */
  readonly purgeProtection: boolean;
  readonly softDeleteRetentionInDays: number;
}

export function lifecycleOf(cfg: LifecycleConfig, stack: string): Lifecycle {
  const expiry = cfg.ephemeral ? expiresAt(cfg.createdAt, cfg.ttlHours) : undefined;
  const tags: Record<string, string> = { [LAB_TAG.lab]: stack, [LAB_TAG.ephemeral]: String(cfg.ephemeral) };
  if (cfg.owner) tags[LAB_TAG.owner] = cfg.owner;
  if (expiry) tags[LAB_TAG.expiresAt] = expiry;
  return {
    ephemeral: cfg.ephemeral,
    expiresAt: expiry,
    tags,
    protect: !cfg.ephemeral,
    purgeProtection: !cfg.ephemeral,
    softDeleteRetentionInDays: cfg.ephemeral ? SOFT_DELETE_DAYS.min : SOFT_DELETE_DAYS.max,
  };
}

/** Whether resource tags mark an ephemeral lab: for policies, which see tags but not stack config. */
export function isEphemeralByTags(tags: Readonly<Record<string, unknown>> | undefined): boolean {
  return tags?.[LAB_TAG.ephemeral] === "true" && typeof tags?.[LAB_TAG.expiresAt] === "string";
}
