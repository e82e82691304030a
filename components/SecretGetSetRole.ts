import * as pulumi from "@pulumi/pulumi";
import { CustomRoleSource, LAB_CUSTOM_ROLES, subscriptionScope } from "../lib/azure";
import { customRoleGuid } from "../lib/naming";
import { labCustomRole } from "./lab-custom-role";
import { roleIdIn } from "./role-assignment";

export interface SecretGetSetRoleArgs {
  /** The lab's resource group id: the role's only assignable scope (vaults and secrets below it). */
  readonly resourceGroupId: pulumi.Input<string>;
  /** Subscription of the role definition, for the canonical id that role assignments name. */
  readonly subscriptionId: pulumi.Input<string>;
  /**
   * `subscription` (default): the role bootstrap/ made once for the subscription, referenced by its GUID, and nothing
   * created here. `lab`: a role defined here, assignable in the lab's resource group only.
   */
  readonly customRoleSource?: CustomRoleSource;
}

/**
 * The RBAC model's seat role (seed step 2): a custom role definition whose dataActions are exactly getSecret and
 * setSecret, with no actions. No built-in role fits: "Key Vault Secrets User" also has readMetadata, which lists the
 * vault's secrets. One per subscription (bootstrap/, the default) or one per lab; every vault shard assigns it per
 * secret (components/VaultRbacAccess.ts).
 */
export class SecretGetSetRole extends pulumi.ComponentResource {
  /** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`: what assignments name. */
  readonly roleDefinitionId: pulumi.Output<string>;

  constructor(name: string, args: SecretGetSetRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:SecretGetSetRole", name, {}, opts);
    const spec = LAB_CUSTOM_ROLES.secretGetSet;
    if ((args.customRoleSource ?? "subscription") === "subscription") {
      this.roleDefinitionId = roleIdIn(
        args.subscriptionId,
        pulumi.output(args.subscriptionId).apply((sub) => customRoleGuid(subscriptionScope(sub), spec.seed)),
      );
    } else {
      const roleGuid = pulumi.output(args.resourceGroupId).apply((rg) => customRoleGuid(rg, spec.seed));
      const role = labCustomRole(
        `${name}-definition`,
        { role: "secretGetSet", roleGuid, resourceGroupId: args.resourceGroupId },
        { parent: this },
      );
      // Built from the subscription so assignments get the canonical form; `role.name` adds the dependency.
      this.roleDefinitionId = roleIdIn(args.subscriptionId, role.name);
    }
    this.registerOutputs({ roleDefinitionId: this.roleDefinitionId });
  }
}
