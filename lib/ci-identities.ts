// What each CI identity holds: one source for bootstrap/ (which creates the identities, roles and assignments from it)
// and for the offline plan's CI-permission check (offline/ci-permissions.ts). Pure data and pure functions.
import { ARM_TYPE, BUILTIN_ROLES, LAB_CUSTOM_ROLES, type LabCustomRole, subscriptionScope } from "./azure";
import { customRoleGuid } from "./naming";

/** Entra object types a role assignment names (`principalType`). */
export type PrincipalType = "User" | "Group" | "ServicePrincipal";

/** A role definition's control-plane permissions, as its JSON lists them. */
export interface RolePermissions {
  readonly name: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
}

/**
 * The built-in roles CI holds, as Microsoft's built-in roles reference lists them
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general and .../privileged).
 * Contributor's NotActions include `Microsoft.Authorization/*\/Write`: it cannot write role definitions or assignments.
 */
export const CI_BUILTIN_ROLES = {
  reader: { id: BUILTIN_ROLES.reader, name: "Reader", actions: ["*/read"], notActions: [] },
  contributor: {
    id: BUILTIN_ROLES.contributor,
    name: "Contributor",
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
      "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action",
    ],
  },
  roleBasedAccessControlAdministrator: {
    id: BUILTIN_ROLES.roleBasedAccessControlAdministrator,
    name: "Role Based Access Control Administrator",
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "*/read",
      "Microsoft.Support/*",
    ],
    notActions: [],
  },
} as const satisfies Record<string, RolePermissions & { id: string }>;

export type CiBuiltinRole = keyof typeof CI_BUILTIN_ROLES;

/** The ARM resource types a lab creates: what the reaper may delete (the resource group last). */
export const LAB_DELETABLE_TYPES = [
  ARM_TYPE.resourceGroup,
  ARM_TYPE.nsg,
  ARM_TYPE.vnet,
  ARM_TYPE.subnet,
  ARM_TYPE.publicIp,
  ARM_TYPE.nat,
  ARM_TYPE.nic,
  ARM_TYPE.bastion,
  ARM_TYPE.vm,
  ARM_TYPE.extension,
  ARM_TYPE.runCommand,
  // A seat's OS disk goes with its VM (osDisk.deleteOption Delete).
  ARM_TYPE.disk,
  ARM_TYPE.schedule,
  ARM_TYPE.vault,
  ARM_TYPE.storage,
] as const;

/** Custom roles bootstrap/ creates for CI itself (the lab's own two are LAB_CUSTOM_ROLES). */
export const CI_CUSTOM_ROLES = {
  reaper: {
    seed: "ci-reaper",
    name: "dsvm-identity-lab reaper",
    description:
      "Deletes expired dsvm-identity-lab labs and purges their soft-deleted vaults: reads, deletes of the lab's resource types, vault purge. No write.",
    actions: [
      // Reads: long-running deletes are polled, and the purger lists and reads deleted vaults.
      "*/read",
      ...LAB_DELETABLE_TYPES.map((t) => `${t}/delete`),
      // An access policy is removed by a write (PATCH .../accessPolicies/remove); only used when one is not deletedWith its vault.
      `${ARM_TYPE.accessPolicy}/write`,
      // https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
      `${ARM_TYPE.deletedVault}/purge/action`,
    ],
    notActions: [] as string[],
  },
} as const;

export type CiCustomRole = keyof typeof CI_CUSTOM_ROLES;

/** A role one of CI's identities may assign (or remove), and to which kinds of principal. */
export interface AssignableRole {
  readonly role: { readonly builtin: keyof typeof BUILTIN_ROLES } | { readonly labCustom: LabCustomRole };
  readonly principalTypes: readonly PrincipalType[];
  /** Why a lab assigns it, and why to these principal types. */
  readonly why: string;
}

/**
 * Exactly the roles a lab assigns. Seats are managed identities (ServicePrincipal); lab users are one group; the
 * deployer and operators hold the operator roles, and their type is config `operatorPrincipalType` (User, Group or
 * ServicePrincipal; CI itself is a ServicePrincipal), so those two roles allow all three.
 */
export const LAB_ASSIGNABLE_ROLES: readonly AssignableRole[] = [
  {
    role: { builtin: "virtualMachineUserLogin" },
    principalTypes: ["Group"],
    why: "lab users sign in to the seats (labUsersGroupObjectId, a group)",
  },
  {
    role: { builtin: "virtualMachineAdministratorLogin" },
    principalTypes: ["User", "Group", "ServicePrincipal"],
    why: "the deployer and operators sign in to Windows seats (operatorPrincipalType)",
  },
  {
    role: { builtin: "keyVaultSecretsOfficer" },
    principalTypes: ["User", "Group", "ServicePrincipal"],
    why: "the deployer and operators in the RBAC vault model (operatorPrincipalType)",
  },
  {
    role: { labCustom: "storageListKeys" },
    principalTypes: ["ServicePrincipal"],
    why: "each seat's managed identity: listKeys only (customRoleSource subscription)",
  },
  {
    role: { labCustom: "secretGetSet" },
    principalTypes: ["ServicePrincipal"],
    why: "each seat's managed identity: secret get+set only (RBAC vault model)",
  },
  {
    role: { builtin: "storageAccountKeyOperator" },
    principalTypes: ["ServicePrincipal"],
    why: "each seat's managed identity (listKeysRole builtin)",
  },
];

/** An ABAC condition on a role-assignment-writing role: which assignments it may write and delete. */
export interface AssignmentCondition {
  /** Assignments it may create; empty: none at all. */
  readonly write: readonly AssignableRole[];
  /** Assignments it may delete; empty: none at all. */
  readonly delete: readonly AssignableRole[];
}

/** One role an identity holds at the subscription. */
export interface CiGrant {
  readonly role: { readonly builtin: CiBuiltinRole } | { readonly ciCustom: CiCustomRole };
  readonly condition?: AssignmentCondition;
  readonly description: string;
}

export type CiIdentityKey = "preview" | "deploy" | "reap";

/** Which GitHub OIDC subject the identity trusts: pull requests, or jobs in one GitHub environment. */
export type CiTrust =
  { readonly kind: "pullRequest" } | { readonly kind: "environment"; readonly config: "deployEnvironment" | "reapEnvironment" };

export interface CiIdentity {
  readonly key: CiIdentityKey;
  /** Entra application name suffix: `dsvm-identity-lab-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly trust: CiTrust;
  /** What the identity must be able to do for the plan to pass: see offline/ci-permissions.ts. */
  readonly job: "read" | "deploy" | "reap";
  readonly grants: readonly CiGrant[];
}

export const CI_IDENTITIES: readonly CiIdentity[] = [
  {
    key: "preview",
    name: "ci-preview",
    description: "dsvm-identity-lab CI: pull request previews (read only)",
    trust: { kind: "pullRequest" },
    job: "read",
    grants: [{ role: { builtin: "reader" }, description: "dsvm-identity-lab CI previews: read only" }],
  },
  {
    key: "deploy",
    name: "ci-deploy",
    description: "dsvm-identity-lab CI: deploys behind the deploy environment's required reviewers",
    trust: { kind: "environment", config: "deployEnvironment" },
    job: "deploy",
    grants: [
      { role: { builtin: "contributor" }, description: "dsvm-identity-lab CI deploys: lab resources" },
      {
        role: { builtin: "roleBasedAccessControlAdministrator" },
        condition: { write: LAB_ASSIGNABLE_ROLES, delete: LAB_ASSIGNABLE_ROLES },
        description: "dsvm-identity-lab CI deploys: may assign and remove only the roles labs grant",
      },
    ],
  },
  {
    key: "reap",
    name: "ci-reap",
    description: "dsvm-identity-lab CI: the hourly reaper of expired ephemeral labs",
    trust: { kind: "environment", config: "reapEnvironment" },
    job: "reap",
    grants: [
      { role: { ciCustom: "reaper" }, description: "dsvm-identity-lab CI reaper: deletes lab resources, purges their vaults" },
      {
        role: { builtin: "roleBasedAccessControlAdministrator" },
        condition: { write: [], delete: LAB_ASSIGNABLE_ROLES },
        description: "dsvm-identity-lab CI reaper: may remove only the roles labs grant, and assign none",
      },
    ],
  },
];

/** The GUID of an assignable role in a subscription: built-in ids are global, the lab's custom ones per subscription. */
export function assignableRoleGuid(role: AssignableRole["role"], subscriptionId: string): string {
  return "builtin" in role
    ? BUILTIN_ROLES[role.builtin]
    : customRoleGuid(subscriptionScope(subscriptionId), LAB_CUSTOM_ROLES[role.labCustom].seed);
}

/** The GUID of a CI custom role in a subscription. */
export function ciCustomRoleGuid(role: CiCustomRole, subscriptionId: string): string {
  return customRoleGuid(subscriptionScope(subscriptionId), CI_CUSTOM_ROLES[role].seed);
}

/** The permissions of a grant's role. */
export function grantPermissions(grant: CiGrant): RolePermissions {
  return "builtin" in grant.role ? CI_BUILTIN_ROLES[grant.role.builtin] : CI_CUSTOM_ROLES[grant.role.ciCustom];
}

/** The role definition GUID of a grant in a subscription. */
export function grantRoleGuid(grant: CiGrant, subscriptionId: string): string {
  return "builtin" in grant.role ? CI_BUILTIN_ROLES[grant.role.builtin].id : ciCustomRoleGuid(grant.role.ciCustom, subscriptionId);
}

/** Whether an ARM action pattern (`*` wildcards, case-insensitive, as role definitions use them) matches an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return re.test(action);
}

/** Whether a role's Actions minus its NotActions include `action`. */
export function roleAllows(role: RolePermissions, action: string): boolean {
  return role.actions.some((a) => actionMatches(a, action)) && !role.notActions.some((a) => actionMatches(a, action));
}

/** What an ABAC condition decides for one role-assignment write or delete. */
export function conditionAllows(
  condition: AssignmentCondition,
  request: { readonly op: "write" | "delete"; readonly roleGuid: string; readonly principalType: string | undefined },
  subscriptionId: string,
): boolean {
  // An absent PrincipalType satisfies no StringEqualsIgnoreCase test: send it explicitly.
  if (!request.principalType) return false;
  return condition[request.op].some(
    (r) =>
      assignableRoleGuid(r.role, subscriptionId) === request.roleGuid.toLowerCase() &&
      r.principalTypes.some((t) => t.toLowerCase() === request.principalType!.toLowerCase()),
  );
}

/**
 * The ABAC condition (version 2.0) of a conditioned grant, in Microsoft's form for constraining role assignments
 * (https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples, "Constrain roles"
 * and "Constrain roles and principal types"): one expression for write (Request attributes) and one for delete
 * (Resource attributes), each "not this action, OR an allowed role to an allowed principal type". Roles with the same
 * principal types share one alternative. An action with no allowed role keeps only "not this action": always denied.
 */
export function assignmentConditionText(condition: AssignmentCondition, subscriptionId: string): string {
  const expression = (op: "write" | "delete", source: "Request" | "Resource") => {
    const byTypes = new Map<string, string[]>();
    for (const r of condition[op]) {
      const key = r.principalTypes.map((t) => `'${t}'`).join(", ");
      byTypes.set(key, [...(byTypes.get(key) ?? []), assignableRoleGuid(r.role, subscriptionId)]);
    }
    const alternatives = [...byTypes].map(
      ([types, guids]) => `
 OR
 (
  @${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids.join(", ")}}
  AND
  @${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {${types}}
 )`,
    );
    return `(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/${op}'})
 )${alternatives.join("")}
)`;
  };
  return `${expression("write", "Request")}\nAND\n${expression("delete", "Resource")}`;
}

/**
 * The repository part of a GitHub OIDC subject. Name-based (`OWNER/REPO`), or with GitHub's immutable ids
 * (`OWNER@OWNER_ID/REPO@REPO_ID`), the default for repositories created or renamed on or after 2026-07-15 and opt-in
 * for older ones (https://learn.microsoft.com/entra/workload-id/workload-identities-github-immutable-subjects).
 */
export function subjectRepo(githubRepo: string, ids?: { readonly ownerId: string; readonly repositoryId: string }): string {
  if (!ids) return githubRepo;
  const [owner, repo] = githubRepo.split("/");
  return `${owner}@${ids.ownerId}/${repo}@${ids.repositoryId}`;
}

/** The token subject GitHub presents for a trust (https://docs.github.com/actions/reference/security/oidc). */
export function trustSubject(
  trust: CiTrust,
  githubRepo: string,
  environments: { readonly deployEnvironment: string; readonly reapEnvironment: string },
  ids?: { readonly ownerId: string; readonly repositoryId: string },
): string {
  const repo = `repo:${subjectRepo(githubRepo, ids)}`;
  return trust.kind === "pullRequest" ? `${repo}:pull_request` : `${repo}:environment:${environments[trust.config]}`;
}
