// The lab CLI's argument rules, as pure functions: lab names, the confirmations that repeat them, --ttl, --seats,
// and the config `create` sets.
import { isoSeconds, TTL_HOURS } from "../../lib/lifecycle";
import { UsageError } from "../shared/cli";

/** Only stacks named so are labs: the CLI never lists, destroys or reaps any other. */
export const LAB_STACK_PREFIX = "lab-";

/** The flag that lets `destroy` take down a stack whose outputs do not prove it ephemeral. Its value repeats NAME. */
export const LASTING_FLAG = "even-if-lasting";

/** The flag that lets `destroy` take down another owner's unexpired ephemeral lab. Its value repeats NAME. */
export const NOT_MINE_FLAG = "not-mine";

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
