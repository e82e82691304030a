// Turns the rules into @pulumi/policy policies: resource rules become validateResource policies, stack rules
// validateStack ones. Kept apart from index.ts (which starts the pack's server) so tests can call them.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type {
  Policies,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { ALLOWED_VM_SIZES } from "./baseline";
import { contextFromConfig, ephemeralByTags } from "./context";
import { PolicyContext, PolicyResourceView, Rule, UNKNOWN } from "./engine";
import { rules } from "./rules";

/** The engine's wire sentinels for values unknown during preview (the same ids @pulumi/pulumi's rpc uses). */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/**
 * A plain copy of the engine's props. The engine wraps them in a proxy that throws on any unknown value, which would
 * turn a whole rule into "can't run during preview"; the rules instead see UNKNOWN and fall back to dependencies.
 */
export function plain(value: unknown): any {
  const raw = value && typeof value === "object" ? ((value as any).__getSpecialProxyTarget ?? value) : value;
  if (typeof raw === "string") return UNKNOWN_SENTINELS.has(raw) ? UNKNOWN : raw;
  if (Array.isArray(raw)) return raw.map(plain);
  if (raw && typeof raw === "object" && Object.getPrototypeOf(raw) === Object.prototype) {
    // A secret's envelope, should the engine hand one over: the rules judge the value (and never print it).
    if ((raw as any)[specialSigKey] === specialSecretSig) return plain((raw as any).value);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plain(v)]));
  }
  return raw;
}

/**
 * Policy config (`--policy-pack-config`), the same for every policy. `labConfig` is the stack's config (the keys of
 * Pulumi.<stack>.yaml without the project prefix): every allow-list is built from it, as the offline gate does.
 * Without it nothing beyond the seats' own grants is allowed.
 */
export interface PackConfig {
  readonly labConfig?: Record<string, unknown>;
  /** Object id of the principal that runs `pulumi up` (`az ad signed-in-user show --query id`). */
  readonly deployerObjectId?: string;
  readonly ephemeral?: boolean;
  readonly allowedVmSizes?: string[];
}

const CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    labConfig: {
      type: "object",
      description: "The stack's config (Pulumi.<stack>.yaml keys without the project prefix): the allow-lists are built from it.",
    },
    deployerObjectId: {
      type: "string",
      description: "Object id of the deploying principal: an operator of every vault, administrator of Windows seats.",
    },
    ephemeral: { type: "boolean", description: "The stack is an ephemeral lab (default: labConfig, else the resources' `ephemeral` tag)." },
    allowedVmSizes: { type: "array", items: { type: "string" }, default: [...ALLOWED_VM_SIZES] },
  },
};

// The config's context by its JSON: every policy, and every resource of a resource policy, gets the same config, and
// validating it (lib/config.ts) costs more than most rules. Kept for one second of the clock (createdAt is checked
// against it) and bounded, as a long-lived pack may see many configs.
const contexts = new Map<string, PolicyContext>();
let contextsAt = 0;

/** The context of the pack's config: labConfig's values as the CLI would hand them over (strings, JSON). */
export function packContext(config: PackConfig, views: readonly PolicyResourceView[]): PolicyContext {
  const raw = Object.fromEntries(
    Object.entries(config.labConfig ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  // Values are strings or undefined (null in the key, unlike any string's JSON).
  const key = JSON.stringify([Object.entries(raw), config.deployerObjectId]);
  const now = Date.now();
  if (Math.abs(now - contextsAt) >= 1000 || contexts.size >= 64) {
    contexts.clear();
    contextsAt = now;
  }
  let base = contexts.get(key);
  if (!base) {
    base = contextFromConfig(raw, config.deployerObjectId);
    contexts.set(key, base);
  }
  return {
    ...base,
    ephemeral: config.ephemeral ?? (config.labConfig ? base.ephemeral : ephemeralByTags(views)),
    ...(config.allowedVmSizes ? { allowedVmSizes: config.allowedVmSizes } : {}),
  };
}

/** A stack resource as the rules see it. Its dependencies are the union of explicit and per-property ones. */
export function viewOfPolicyResource(r: PolicyResource): PolicyResourceView {
  const props = plain(r.props);
  const deps = new Set((r.dependencies ?? []).map((d) => d.urn));
  for (const list of Object.values(r.propertyDependencies ?? {})) for (const d of list) deps.add(d.urn);
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    parent: r.parent?.urn,
    inputs: props,
    props,
    dependencies: [...deps],
    protect: r.opts?.protect,
  };
}

// One view list per resource list: a caller that hands every stack policy the same list (tests/policy/pack-harness.ts)
// has it converted once, and the rules share its type index (graph.ts byType). The list is not changed meanwhile.
const viewLists = new WeakMap<readonly PolicyResource[], readonly PolicyResourceView[]>();
function viewsOf(resources: readonly PolicyResource[]): readonly PolicyResourceView[] {
  let views = viewLists.get(resources);
  if (!views) viewLists.set(resources, (views = resources.map(viewOfPolicyResource)));
  return views;
}

function describe(rule: Rule): string {
  return `${rule.name}. Why: ${rule.why} Source: ${rule.source.join("; ")}.`;
}

/** One @pulumi/policy policy per rule, same id, same enforcement. */
export function toPolicies(ruleSet: readonly Rule[] = rules): Policies {
  return ruleSet.map((rule) => {
    const common = {
      name: rule.id,
      description: describe(rule),
      enforcementLevel: rule.enforcement,
      remediationSteps: rule.fix,
      configSchema: CONFIG_SCHEMA,
    };
    if (rule.kind === "resource") {
      return {
        ...common,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
          if (!rule.types.includes(args.type)) return;
          const props = plain(args.props);
          const view: PolicyResourceView = { type: args.type, name: args.name, urn: args.urn, inputs: props, props };
          for (const message of rule.check(view, packContext(args.getConfig<PackConfig>(), [view]))) report(message);
        },
      };
    }
    return {
      ...common,
      validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const views = viewsOf(args.resources);
        for (const f of rule.check(views, packContext(args.getConfig<PackConfig>(), views))) report(f.message, f.urn);
      },
    };
  });
}
