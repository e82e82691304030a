// The policy rules over the offline plan's recorded resources: the gate for PRs that have no cloud credentials.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { evaluate, PolicyContext, PolicyResourceView, Rule, STACK_TYPE, Violation } from "./engine";
import { rules } from "./rules";

/**
 * Placeholder identity of the deploying principal in an offline plan, as `az account show` would give it. The mocks
 * (offline/mocks.ts) answer getClientConfig with it, and the gate takes the deployer from it.
 */
export const MOCK_CLIENT = {
  clientId: "00000000-0000-0000-0000-00000000c11e",
  objectId: "00000000-0000-0000-0000-0000000000e1",
  subscriptionId: "00000000-0000-0000-0000-000000000501",
  tenantId: "00000000-0000-0000-0000-0000000000a1",
} as const;

/** What the mock harness records of a resource (offline/harness.ts RecordedResource), as far as the rules read it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly protect: boolean;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
  readonly id?: string;
  readonly dependencies: readonly string[];
}

/** The rules' view of a resource the mock harness recorded: inputs as declared, props as the mocks answered. */
export function viewOf(r: RecordedResource): PolicyResourceView {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    parent: r.parent,
    inputs: revealed(r.inputs),
    props: revealed(r.state),
    id: r.id,
    dependencies: r.dependencies,
    protect: r.protect,
  };
}

/**
 * Secret values unwrapped, as the policy engine hands them to a pack: the harness keeps Pulumi's secret envelope
 * ({sig, value}), in which a secret nested in an input (a Windows adminPassword) would hide the whole input.
 */
function revealed(value: any): any {
  if (Array.isArray(value)) return value.map(revealed);
  const proto = value && typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    if (value[specialSigKey] === specialSecretSig) return revealed(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  }
  return value;
}

/** The root stack resource the pack sees, whose props are the stack's outputs. */
export function stackView(outputs: Record<string, unknown>, urnOf: readonly RecordedResource[]): PolicyResourceView {
  const [, stack = "stack", project = "project"] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urnOf[0]?.urn ?? "") ?? [];
  const props = revealed(outputs);
  // Named as Pulumi names the root stack resource: <project>-<stack>.
  const name = `${project}-${stack}`;
  return { type: STACK_TYPE, name, urn: `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${name}`, inputs: props, props };
}

/**
 * Every violation of `ruleSet` in the recorded resources (and the stack's outputs, when given). The offline plan
 * always runs as the mocks' client, so that is the deploying principal unless the context names another.
 */
export function checkRecorded(
  resources: readonly RecordedResource[],
  ctx: PolicyContext,
  ruleSet: readonly Rule[] = rules,
  outputs?: Record<string, unknown>,
): Violation[] {
  const views = resources.map(viewOf);
  if (outputs) views.push(stackView(outputs, resources));
  return evaluate(views, { deployerObjectId: MOCK_CLIENT.objectId, ...ctx }, ruleSet);
}
