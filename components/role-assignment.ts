import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { roleAssignmentGuid } from "../lib/naming";
import { roleDefinitionId } from "../lib/azure";

/** Entra object types a role assignment may name. Azure refuses an assignment whose type does not match the principal. */
export type PrincipalType = "User" | "ServicePrincipal" | "Group";

/** A role's full id in `subscriptionId`, from its GUID (lib/azure/ids.ts). */
export function roleIdIn(subscriptionId: pulumi.Input<string>, roleGuid: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.all([subscriptionId, roleGuid]).apply(([sub, guid]) => roleDefinitionId(sub, guid));
}

export interface GrantArgs {
  readonly principalId: pulumi.Input<string>;
  /**
   * Always explicit: the SDK would send "User". For a new VM identity it also spares the PrincipalNotFound answers
   * Azure gives while the identity replicates.
   */
  readonly principalType: PrincipalType;
  /** The role's full id (roleIdIn). */
  readonly roleDefinitionId: pulumi.Input<string>;
  readonly scope: pulumi.Input<string>;
  readonly description: string;
}

/**
 * A role assignment named by its scope, principal and role (lib/naming.ts roleAssignmentGuid): the same grant always
 * gets the same name, so a re-run is idempotent and a second one cannot appear beside it.
 */
export function grant(name: string, args: GrantArgs, opts?: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      principalId: args.principalId,
      principalType: args.principalType,
      roleDefinitionId: args.roleDefinitionId,
      scope: args.scope,
      roleAssignmentName: pulumi
        .all([args.scope, args.principalId, args.roleDefinitionId])
        .apply(([s, p, r]) => roleAssignmentGuid(s, p, r)),
      description: args.description,
    },
    opts,
  );
}
