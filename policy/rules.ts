// The lab's policy rules, as one array. The same array runs in three places: the @pulumi/policy pack (policy/index.ts,
// during `pulumi preview --policy-pack policy`), the offline plan's gate (`npm run plan`), and the tests.
// Each family is one file under families/: the three inventories (grants, ingress, inventory), credentials,
// lifecycle, settings and advisory. Allow-lists live in allow-list.ts, the policy's own limits in baseline.ts.
import { evaluate as evaluateWith, PolicyContext, PolicyResourceView, Rule, Violation } from "./engine";
import { advisoryRules } from "./families/advisory";
import { credentialSinkRules } from "./families/credential-sinks";
import { credentialRules } from "./families/credentials";
import { grantRules } from "./families/grants";
import { ingressRules } from "./families/ingress";
import { inventoryRules } from "./families/inventory";
import { lifecycleRules } from "./families/lifecycle";
import { settingRules } from "./families/settings";
import { shapeRules } from "./families/shapes";

export const rules: readonly Rule[] = [
  ...grantRules,
  ...ingressRules,
  ...inventoryRules,
  ...shapeRules,
  ...credentialRules,
  ...credentialSinkRules,
  ...lifecycleRules,
  ...settingRules,
  ...advisoryRules,
];

/** Runs every rule (or `ruleSet`) over the resources. Violations come out in rule order, then resource order. */
export function evaluate(resources: readonly PolicyResourceView[], ctx: PolicyContext, ruleSet: readonly Rule[] = rules): Violation[] {
  return evaluateWith(resources, ctx, ruleSet);
}

export { UNKNOWN, STACK_TYPE } from "./engine";
export type { Enforcement, Finding, PolicyContext, PolicyResourceView, ResourceRule, Rule, StackRule, Violation } from "./engine";
export { ACCEPTED_EXCEPTIONS } from "./allow-list";
export {
  ALLOWED_VM_SIZES,
  EPHEMERAL_TAGS,
  LIST_KEYS_ACTION,
  OPERATOR_SECRET_PERMISSIONS,
  VM_SECRET_DATA_ACTIONS,
  VM_SECRET_PERMISSIONS,
} from "./baseline";
export { contextFromConfig, ephemeralByTags } from "./context";
export { fingerprint, secretLiteralsIn } from "./secrets";
