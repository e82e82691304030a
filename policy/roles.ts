// Built-in Azure roles the gate knows by id: name, actions and data actions, as their definitions list them
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). An assignment to a role id that is
// neither here, nor one of the lab's custom roles, is a violation: its permissions cannot be judged.
import { BUILTIN_ROLES, KEY_OPERATOR_ACTIONS, KEY_VAULT_ROLE_DATA_ACTIONS } from "../lib/azure";

export interface RolePermissions {
  readonly name: string;
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
}

/** Also what the plan's access matrix (scripts/lib/access-matrix.ts) names roles by. */
export const BUILTIN_NAMES: Readonly<Record<string, RolePermissions>> = {
  [BUILTIN_ROLES.storageAccountKeyOperator]: { name: "Storage Account Key Operator Service Role", actions: KEY_OPERATOR_ACTIONS, dataActions: [] },
  [BUILTIN_ROLES.owner]: { name: "Owner", actions: ["*"], dataActions: [] },
  [BUILTIN_ROLES.contributor]: { name: "Contributor", actions: ["*"], dataActions: [] },
  [BUILTIN_ROLES.userAccessAdministrator]: { name: "User Access Administrator", actions: ["*/read", "Microsoft.Authorization/*"], dataActions: [] },
  [BUILTIN_ROLES.reader]: { name: "Reader", actions: ["*/read"], dataActions: [] },
  [BUILTIN_ROLES.roleBasedAccessControlAdministrator]: { name: "Role Based Access Control Administrator", actions: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read"], dataActions: [] },
  // Reads of the VM and its network, and the login data actions (Entra sign-in over SSH or RDP).
  [BUILTIN_ROLES.virtualMachineUserLogin]: { name: "Virtual Machine User Login", actions: [], dataActions: ["Microsoft.Compute/virtualMachines/login/action"] },
  [BUILTIN_ROLES.virtualMachineAdministratorLogin]: {
    name: "Virtual Machine Administrator Login",
    actions: [],
    dataActions: ["Microsoft.Compute/virtualMachines/login/action", "Microsoft.Compute/virtualMachines/loginAsAdmin/action"],
  },
  // Not a lab role: named so a regression that assigns it reads as what it is.
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": { name: "Storage Blob Data Owner", actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/*"], dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"] },
  ...Object.fromEntries(Object.entries(KEY_VAULT_ROLE_DATA_ACTIONS).map(([id, r]) => [id, { name: r.name, actions: [], dataActions: r.dataActions }])),
};
