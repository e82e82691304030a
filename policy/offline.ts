// The policy rules over the offline plan's recorded resources: the gate for PRs that have no cloud credentials.
import type { RecordedResource } from "../scripts/lib/harness";
import { evaluate, PolicyContext, PolicyResourceView, Rule, rules, Violation } from "./rules";

/** The rules' view of a resource the mock harness recorded: inputs as declared, props as the mocks answered. */
export function viewOf(r: RecordedResource): PolicyResourceView {
  return { type: r.type, name: r.name, urn: r.urn, parent: r.parent, inputs: r.inputs, props: r.state, id: r.id, dependencies: r.dependencies };
}

/** Every violation of `ruleSet` in the recorded resources. */
export function checkRecorded(resources: readonly RecordedResource[], ctx: PolicyContext, ruleSet: readonly Rule[] = rules): Violation[] {
  return evaluate(resources.map(viewOf), ctx, ruleSet);
}
