import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { LAB_CUSTOM_ROLES, LabCustomRole } from "../lib/azure";

/**
 * One of the lab's custom roles (lib/azure/roles.ts LAB_CUSTOM_ROLES) created at the lab's resource group, for
 * customRoleSource `lab`. `roleGuid` is the caller's: each role keeps the GUID it first shipped with.
 */
export function labCustomRole(
  name: string,
  args: { readonly role: LabCustomRole; readonly roleGuid: pulumi.Output<string>; readonly resourceGroupId: pulumi.Input<string> },
  opts?: pulumi.CustomResourceOptions,
): authorization.RoleDefinition {
  const spec = LAB_CUSTOM_ROLES[args.role];
  return new authorization.RoleDefinition(
    name,
    {
      roleDefinitionId: args.roleGuid,
      scope: args.resourceGroupId,
      // Role names are unique in the tenant, so the name carries a hash of the resource group's id.
      roleName: pulumi.interpolate`${spec.name} (dsvm-identity-lab ${args.roleGuid.apply((g) => g.slice(0, 8))})`,
      description: spec.description,
      roleType: "CustomRole",
      permissions: [{ actions: [...spec.actions], notActions: [], dataActions: [...spec.dataActions], notDataActions: [] }],
      // Custom roles cannot be assignable at a single resource; their assignments are.
      assignableScopes: [args.resourceGroupId],
    },
    opts,
  );
}
