// The lab's policy pack: `pulumi preview --policy-pack policy` (run `npm ci` at the repository root first: the pack
// resolves @pulumi/policy from there). The rules live in rules.ts, shared with the offline plan and the tests.
import { PolicyPack } from "@pulumi/policy";
import { toPolicies } from "./pack";

new PolicyPack("dsvm-identity-lab", {
  description: "Least privilege for the DSVM identity lab: VM identities get Key Vault get/set and storage listKeys, nothing more.",
  provider: "azure",
  policies: toPolicies(),
});
