// The rule engine: the resource view every rule reads, the rule shapes, and how violations are collected. The same
// engine runs in the @pulumi/policy pack (policy/pack.ts), in the offline plan gate (policy/offline.ts) and in tests.

export type Enforcement = "mandatory" | "advisory";

/** One resource as the rules see it, whether it came from the mock harness or from the policy engine. */
export interface PolicyResourceView {
  readonly type: string;
  /** Pulumi's logical name. */
  readonly name: string;
  readonly urn: string;
  /** Parent URN, if any. */
  readonly parent?: string;
  /** What the program declared. */
  readonly inputs: Record<string, any>;
  /** Inputs plus what the provider answered (ids, identities). In the policy pack, the same as `inputs`. */
  readonly props: Record<string, any>;
  /** Resource id, when known. */
  readonly id?: string;
  /** URNs this resource's inputs came from: how a policy is traced to a VM while ids are still unknown. */
  readonly dependencies?: readonly string[];
  /** The `protect` resource option, when the source knows it. */
  readonly protect?: boolean;
}

/**
 * What the rules know about the stack beyond its resources: the lab's own config, from which every allow-list is
 * built (policy/context.ts). Anything absent allows nothing: the gate denies by default.
 */
export interface PolicyContext {
  /** Ephemeral stacks (config `ephemeral`) skip purge protection and `protect`, and must carry expiry tags. */
  readonly ephemeral: boolean;
  /** Config `allowedSshCidrs`: who may reach the admin port (22, or 3389 on Windows). */
  readonly allowedSshCidrs?: readonly string[];
  /** VM sizes the advisory size rule accepts. Default: ALLOWED_VM_SIZES. */
  readonly allowedVmSizes?: readonly string[];
  /** The deploying principal's object id (getClientConfig): an operator of every vault, admin of Windows seats. */
  readonly deployerObjectId?: string;
  /** Config `operatorObjectIds`. */
  readonly operatorObjectIds?: readonly string[];
  /** Config `operatorIpRanges`: admitted through the vault and storage firewalls (and to the admin port). */
  readonly operatorIpRanges?: readonly string[];
  /** Config `labUsersGroupObjectId`: VM User Login on each seat. */
  readonly labUsersGroupObjectId?: string;
  /** Config `subnetPrefix`: the lab subnet. */
  readonly subnetPrefix?: string;
  /** Config `os`. Absent: judged from the seats themselves. */
  readonly os?: "ubuntu" | "windows";
  /** Config `listKeysRole`: `builtin` also allows the Storage Account Key Operator role. */
  readonly listKeysRole?: "custom" | "builtin";
  /** Config `checkOnDeploy`: every seat then has its in-VM check. */
  readonly checkOnDeploy?: boolean;
  /** Config `bastion`: Azure Bastion and its public IP are declared. */
  readonly bastion?: boolean;
  /** Config `seats`: VMs of seats past this number are not seats. */
  readonly seats?: number;
  /** Config `sshPublicKey`: the one key that signs in to Ubuntu seats. */
  readonly sshPublicKey?: string;
  /** Config `seatsPerVault`: which vault is each seat's own (lib/shards.ts). */
  readonly seatsPerVault?: number;
}

/** One finding of a stack rule: the resource at fault (if one) and what to fix. */
export interface Finding {
  readonly urn?: string;
  readonly message: string;
}

export interface RuleBase {
  /** Stable id, used in messages, the plan's JSON and the pack (as the policy name). */
  readonly id: string;
  /** One line: what must hold. */
  readonly name: string;
  /** mandatory blocks the deploy and fails the offline gate; advisory is reported only. */
  readonly enforcement: Enforcement;
  /** Why the lab needs this rule. */
  readonly why: string;
  /** Where the rule comes from: seed step, Microsoft cloud security benchmark (MCSB) control, Checkov or tfsec id. */
  readonly source: readonly string[];
  /** How to fix a violation, in general; each message says what to fix in its case. */
  readonly fix: string;
}

/** A rule about one resource at a time: a `validateResource` policy in the pack. */
export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly types: readonly string[];
  readonly check: (r: PolicyResourceView, ctx: PolicyContext) => string[];
}

/** A rule that needs several resources (who is a VM, which vault a policy is on): a `validateStack` policy. */
export interface StackRule extends RuleBase {
  readonly kind: "stack";
  readonly check: (resources: readonly PolicyResourceView[], ctx: PolicyContext) => Finding[];
}

export type Rule = ResourceRule | StackRule;

/** A broken rule, found and reported. Field names are stable: docs/plan-json.md documents them. */
export interface Violation {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly enforcement: Enforcement;
  /** URN of the resource at fault, or null for the stack as a whole. */
  readonly urn: string | null;
  /** "<type> <name>" of that resource, or "stack". */
  readonly resource: string;
  /** What is wrong and what to change. */
  readonly message: string;
  /** The rule's general fix. */
  readonly fix: string;
}

/** A value the engine does not know yet (during preview). The pack maps the engine's unknowns to this. */
export const UNKNOWN = "(known after deploy)";

/** The root stack resource: its props are the stack's outputs (the pack sees it; the offline gate adds one). */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** Runs every rule over the resources. Violations come out in rule order, then resource order. */
export function evaluate(resources: readonly PolicyResourceView[], ctx: PolicyContext, ruleSet: readonly Rule[]): Violation[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const violation = (rule: Rule, urn: string | undefined, message: string): Violation => {
    const r = urn ? byUrn.get(urn) : undefined;
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      enforcement: rule.enforcement,
      urn: urn ?? null,
      resource: r ? `${r.type} ${r.name}` : "stack",
      message,
      fix: rule.fix,
    };
  };
  return ruleSet.flatMap((rule) =>
    rule.kind === "resource"
      ? resources.filter((r) => rule.types.includes(r.type)).flatMap((r) => rule.check(r, ctx).map((m) => violation(rule, r.urn, m)))
      : rule.check(resources, ctx).map((f) => violation(rule, f.urn, f.message)),
  );
}

// Small helpers every rule family uses.
export const known = (v: unknown): v is string => typeof v === "string" && v !== "" && v !== UNKNOWN;
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
export const array = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const lower = (v: readonly string[]) => v.map((x) => x.toLowerCase());
export const lastSegment = (id: string) => id.split("/").filter(Boolean).pop() ?? id;
export const shownList = (v: readonly string[]) => `[${v.join(", ")}]`;
