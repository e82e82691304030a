// The policy rules over the offline plan's recorded resources: the gate for PRs that have no cloud credentials.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { RecordedResource } from "../scripts/lib/harness";
import { evaluate, PolicyContext, PolicyResourceView, Rule, rules, Violation } from "./rules";

/** The rules' view of a resource the mock harness recorded: inputs as declared, props as the mocks answered. */
export function viewOf(r: RecordedResource): PolicyResourceView {
  return { type: r.type, name: r.name, urn: r.urn, parent: r.parent, inputs: revealed(r.inputs), props: revealed(r.state), id: r.id, dependencies: r.dependencies };
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

/** Every violation of `ruleSet` in the recorded resources. */
export function checkRecorded(resources: readonly RecordedResource[], ctx: PolicyContext, ruleSet: readonly Rule[] = rules): Violation[] {
  return evaluate(resources.map(viewOf), ctx, ruleSet);
}
