// Azure RBAC, ABAC conditions and GitHub OIDC federation: what CI's identities (lib/ci-identities.ts, bootstrap/)
// and the offline CI-permission check (offline/ci-permissions.ts) rely on.
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";
const BUILTIN_PRIVILEGED =
  "MicrosoftDocs/azure-docs:articles/role-based-access-control/built-in-roles/privileged.md@0b8729eaf7eb0aabc6390cb17348d19761285f12";
const DELEGATE_EXAMPLES =
  "MicrosoftDocs/azure-docs:articles/role-based-access-control/delegate-role-assignments-examples.md@0b8729eaf7eb0aabc6390cb17348d19761285f12";

export const AUTHORIZATION_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "contributor-cannot-write-authorization",
    service: "authorization",
    behaviour:
      "Contributor's Actions are `*` but its NotActions include `Microsoft.Authorization/*/Write` and `Microsoft.Authorization/*/Delete`: it can neither write role definitions nor create or delete role assignments.",
    consequence:
      "The deploy identity (Contributor + a constrained RBAC Administrator) cannot create the lab's custom roles, so bootstrap/ creates them once per subscription and labs reference them (customRoleSource subscription). The offline plan fails when a plan needs roleDefinitions/write or /delete from CI.",
    sources: [
      {
        ref: BUILTIN_PRIVILEGED,
        date: "2026-07-01",
        quote:
          '"notActions": ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action", ...]',
      },
    ],
    coveredBy: ["tests/offline/ci-permissions.test.ts"],
    checked: CHECKED,
  },
  {
    id: "rbac-admin-abac-condition",
    service: "authorization",
    behaviour:
      "Role Based Access Control Administrator holds roleAssignments/write and /delete (plus */read, Microsoft.Support/*). A version 2.0 condition on its assignment limits them: writes are tested on @Request attributes, deletes on @Resource attributes, each as `!(ActionMatches{...}) OR (RoleDefinitionId ForAnyOfAnyValues:GuidEquals {...} AND PrincipalType ForAnyOfAnyValues:StringEqualsIgnoreCase {...})`.",
    variants: [
      "Microsoft's two examples: constrain roles; constrain roles and principal types (one alternative each)",
      "ours: one alternative per set of principal types (OR between alternatives), built from the same expressions",
      "ours: a write expression with no alternative, which denies every write (the reaper)",
    ],
    consequence:
      "The deploy identity may assign and remove exactly the roles labs grant, each to its principal types (lib/ci-identities.ts LAB_ASSIGNABLE_ROLES); the reaper may only remove them. The custom roles' GUIDs depend on the subscription, so bootstrap computes the condition as an Output. The offline check names the condition when a plan assigns anything else.",
    sources: [
      {
        ref: DELEGATE_EXAMPLES,
        date: "2024-04-15",
        quote:
          "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {...} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}",
      },
      {
        ref: "https://learn.microsoft.com/azure/role-based-access-control/conditions-authorization-actions-attributes",
        date: "2026",
        quote:
          "roleAssignments/write: Request attributes Role definition ID, Principal ID, Principal type; roleAssignments/delete: Resource attributes",
      },
      {
        ref: BUILTIN_PRIVILEGED,
        date: "2026-07-01",
        quote:
          '"Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"',
      },
    ],
    coveredBy: ["tests/bootstrap/bootstrap.test.ts", "tests/offline/ci-permissions.test.ts"],
    checked: CHECKED,
  },
  {
    id: "federated-credential-subject-environment",
    service: "authorization",
    behaviour:
      "A GitHub Actions job that references an environment presents the subject `repo:ORG/REPO:environment:NAME`; a pull_request job without one presents `repo:ORG/REPO:pull_request`; any other job without one presents its ref (`repo:ORG/REPO:ref:refs/heads/main`). Repositories with immutable subject claims (default for repositories created or renamed on or after 2026-07-15) present `repo:ORG@ORG_ID/REPO@REPO_ID:...` instead.",
    variants: ["name-based subject", "immutable subject with owner and repository ids"],
    consequence:
      "Each CI identity trusts exactly one subject: previews pull_request, the deploy identity environment:lab (its required reviewers gate every deploy), the reaper environment:reap. No identity trusts refs/heads/main, so no other workflow on main signs in. bootstrap takes githubOwnerId/githubRepositoryId for the immutable form.",
    sources: [
      {
        ref: "https://docs.github.com/actions/reference/security/oidc",
        date: "2026",
        quote:
          "The subject claim includes the environment name when the job references an environment. Syntax: repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME",
      },
      {
        ref: "https://learn.microsoft.com/entra/workload-id/workload-identities-github-immutable-subjects",
        date: "2026",
        quote: "repo:<owner>@<owner_id>/<repo>@<repo_id>:ref:refs/heads/main",
      },
      {
        ref: "github/docs#45221",
        date: "2026-07-20",
        quote: "This is enabled by default for repositories created or renamed on or after July 15, 2026.",
      },
    ],
    coveredBy: ["tests/bootstrap/bootstrap.test.ts", "tests/workflows/workflows.test.ts"],
    checked: CHECKED,
  },
  {
    id: "custom-role-assignable-scopes",
    service: "authorization",
    behaviour:
      "Creating or deleting a custom role needs Microsoft.Authorization/roleDefinitions/write on every one of its AssignableScopes; the role can be assigned at those scopes and below. Its display name must be unique in the Entra directory (at most 128 characters).",
    consequence:
      "bootstrap/ (run by an admin) creates the lab's two custom roles at the subscription with AssignableScopes [the subscription], so a lab can assign them on its own resources; the GUID is computed from the subscription id and the name carries its first characters, so two subscriptions in one tenant never collide.",
    sources: [
      {
        ref: "MicrosoftDocs/azure-docs:articles/role-based-access-control/custom-roles.md@033a1d92a20a33934476983283e55b3d0c5f3565",
        date: "2018-09-24",
        quote:
          "This display name must be unique at the scope of the Azure AD directory ... Maximum number of characters is 128. ... you must have the Microsoft.Authorization/roleDefinitions/write permission on all AssignableScopes",
      },
    ],
    coveredBy: ["tests/bootstrap/bootstrap.test.ts"],
    checked: CHECKED,
  },
  {
    id: "arm-linked-access-check",
    service: "arm",
    behaviour:
      "A write that links another resource is also authorized against that resource: a NIC in a subnet needs Microsoft.Network/virtualNetworks/subnets/join/action on the subnet, and so on (public IP, NSG, NIC join). Without it ARM answers 403 LinkedAuthorizationFailed.",
    consequence:
      "The CI-permission check lists each resource's join actions from its inputs and checks them against the deploy identity's roles.",
    sources: [
      {
        ref: "microsoft/planetary-computer-hub#25",
        date: "2021-10-21",
        quote:
          "Code=\"LinkedAuthorizationFailed\" Message=\"The client ... has permission to perform action 'Microsoft.Network/virtualNetworks/subnets/write' ...; however, it does not have permission to perform action 'Microsoft.Network/routeTables/join/action' on the linked scope(s)",
      },
      {
        ref: "https://learn.microsoft.com/dotnet/api/azure.resourcemanager.containerinstance.models.containersandboxgroupsubnetreference.id",
        date: "2026",
        quote:
          "The caller must have Microsoft.Network/virtualNetworks/subnets/join/action permission on this subnet (enforced via a linked access check at create/update time).",
      },
    ],
    coveredBy: ["tests/offline/ci-permissions.test.ts"],
    checked: CHECKED,
  },
  {
    id: "azure-native-reads-before-create",
    service: "pulumi-azure-native",
    behaviour:
      'Before a create, azure-native reads the resource id (CanCreate) and refuses with "cannot create already existing resource" when it exists: a create needs the type\'s read as well as its write.',
    consequence: "The CI-permission check lists `<type>/read` for every create.",
    sources: [
      {
        ref: "pulumi/pulumi-azure-native:provider/pkg/provider/provider.go@6d9e7fe5da3ddea283f27995305640427e65761c",
        date: "2025",
        quote: 'return nil, fmt.Errorf("cannot create already existing resource %q", id)',
      },
    ],
    coveredBy: ["tests/offline/ci-permissions.test.ts"],
    checked: CHECKED,
  },
  {
    id: "keyvault-purge-deleted-vault-action",
    service: "keyvault",
    behaviour:
      "Purging a soft-deleted vault is Microsoft.KeyVault/locations/deletedVaults/purge/action; listing and reading deleted vaults are deletedVaults/read and locations/deletedVaults/read.",
    consequence: "The reaper's custom role holds the purge action and */read, and nothing that writes a vault.",
    sources: [
      {
        ref: "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview",
        date: "2026",
        quote:
          "Purge | Permanently removes a deleted key vault and all its contents. | Microsoft.KeyVault/locations/deletedVaults/purge/action",
      },
      {
        ref: "https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault",
        date: "2026",
        quote: "Microsoft.KeyVault/locations/deletedVaults/purge/action: Purge a soft deleted key vault",
      },
    ],
    coveredBy: ["tests/offline/ci-permissions.test.ts"],
    checked: CHECKED,
  },
];
