// The lab CLI's decisions about stacks, as pure functions: which stacks are lasting, which to reap and why, who may
// destroy or extend which, and the `list` table. create.ts, destroy.ts, list.ts and reap.ts carry them out; tests
// table-test them here.
// Every decision about a stack comes from the program's own outputs (index.ts), never from a stack tag: tags are
// free-form, anyone with backend access may set them.
import { PROJECT } from "../../lib/config";
import { expiryProblem, implausibleExpiry, isoSeconds, parseIsoSeconds, TTL_HOURS } from "../../lib/lifecycle";
import { UntrustedOutputs } from "../../lib/outputs";
import { printable } from "../../lib/printable";
import { textTable } from "../shared/text-table";
import { LAB_STACK_PREFIX, LASTING_FLAG, NOT_MINE_FLAG } from "./args";

/**
 * The one stack tag the CLI writes: when a destroy began. It is shown by `list` and decides nothing: a tag is no proof.
 * `lab:` keys, never `pulumi:` (reserved).
 */
export const STACK_TAG = { destroying: "lab:destroying" } as const;

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
