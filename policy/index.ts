// The lab's policy pack: `pulumi preview --policy-pack policy` (run `npm ci` at the repository root first: the pack
// resolves @pulumi/policy from there). The rules live in rules.ts (one file per family under families/), shared with
// the offline plan and the tests. Policy config: labConfig and deployerObjectId (docs/reviewing-a-pr.md).
import { PolicyPack } from "@pulumi/policy";
import { toPolicies } from "./pack";

new PolicyPack("dsvm-identity-lab", {
  description:
    "Deny by default for the DSVM identity lab: every grant, way in, resource type, extension and run command is on the lab's allow-lists; VM identities get Key Vault get/set and storage listKeys, nothing more.",
  provider: "azure",
  policies: toPolicies(),
});
