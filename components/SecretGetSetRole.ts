import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { SEAT_SECRET_DATA_ACTIONS } from "../lib/azure";
import { deterministicGuid } from "../lib/naming";

export interface SecretGetSetRoleArgs {
  /** The lab's resource group id: the role's only assignable scope (vaults and secrets below it). */
  readonly resourceGroupId: pulumi.Input<string>;
  /** Subscription of the role definition, for the canonical id that role assignments name. */
  readonly subscriptionId: pulumi.Input<string>;
}

/**
 * The RBAC model's seat role (seed step 2): a custom role definition whose dataActions are exactly getSecret and
 * setSecret, with no actions. No built-in role fits: "Key Vault Secrets User" also has readMetadata, which lists the
 * vault's secrets. One per lab; every vault shard assigns it per secret (components/VaultRbacAccess.ts).
 */
export class SecretGetSetRole extends pulumi.ComponentResource {
  /** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`: what assignments name. */
  readonly roleDefinitionId: pulumi.Output<string>;

  constructor(name: string, args: SecretGetSetRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:SecretGetSetRole", name, {}, opts);
    const guid = pulumi.output(args.resourceGroupId).apply((rg) => deterministicGuid(rg.toLowerCase(), "keyvault-secret-get-set-only"));
    const role = new authorization.RoleDefinition(
      `${name}-definition`,
      {
        roleDefinitionId: guid,
        scope: args.resourceGroupId,
        // Role names are unique in the tenant, so the name carries a hash of the resource group's id.
        roleName: pulumi.interpolate`Key Vault secret get+set only (dsvm-identity-lab ${guid.apply((g) => g.slice(0, 8))})`,
        description: "May read and write the value of the secrets it is assigned on, and nothing else: no list (readMetadata), no delete, no keys.",
        roleType: "CustomRole",
        permissions: [{ actions: [], notActions: [], dataActions: [...SEAT_SECRET_DATA_ACTIONS], notDataActions: [] }],
        assignableScopes: [args.resourceGroupId],
      },
      { parent: this },
    );
    // Built from the subscription so assignments get the canonical form; `role.name` adds the dependency.
    this.roleDefinitionId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`;
    this.registerOutputs({ roleDefinitionId: this.roleDefinitionId });
  }
}
