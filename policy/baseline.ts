// The policy's own baseline: the boundaries and limits it holds the program to. Written here, not imported from
// lib/azure/ (roles.ts, images.ts): a PR that widens the program's constants must fail the policy, not move it.
// tests/policy/rules.test.ts checks that the program's constants still match.
import { LAB_TAG } from "../lib/lifecycle";

/** Seed step 2: the only secret permissions a seat's identity may hold (access-policy model). */
export const VM_SECRET_PERMISSIONS = ["get", "set"] as const;
/** Seed step 4: the one ARM action a seat's identity may hold. */
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action";
/** Seed step 2 in the RBAC model: a seat's Key Vault role has exactly these dataActions, and no actions. */
export const VM_SECRET_DATA_ACTIONS = [
  "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  "Microsoft.KeyVault/vaults/secrets/setSecret/action",
] as const;
/** What operators (and the deployer) may hold in a vault's access policy: seed the canary, read back, clean up. */
export const OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover"] as const;

/**
 * The widest network one allowed source may be: a /24, 256 addresses. An office, a campus lab or a VPN egress pool
 * fits in it; anything wider is an ISP's or a cloud's address space, where strangers share the range. Config accepts
 * operatorIpRanges up to a /8 (a firewall typo check); the gate is stricter on purpose.
 */
export const MAX_RANGE_PREFIX = 24;
/** All sources of one allow-list together: at most 1024 addresses (four offices' /24s). */
export const MAX_TOTAL_ADDRESSES = 1024;

/** The admin ports: SSH on Ubuntu seats, RDP on Windows seats. */
export const ADMIN_PORT = { ubuntu: 22, windows: 3389 } as const;

/** A lasting lab's vault keeps deleted secrets this long (Azure's maximum, and its default). */
export const LASTING_SOFT_DELETE_DAYS = 90;

/** Sizes the advisory size rule accepts: general-purpose and memory sizes that run the Gen2 DSVM image. */
export const ALLOWED_VM_SIZES = [
  "Standard_D2s_v5",
  "Standard_D4s_v5",
  "Standard_D8s_v5",
  "Standard_D4as_v5",
  "Standard_D8as_v5",
  "Standard_E4s_v5",
  "Standard_E8s_v5",
  "Standard_NC4as_T4_v3",
] as const;

/** Tags an ephemeral lab's resources must carry. */
export const EPHEMERAL_TAGS = [LAB_TAG.lab, LAB_TAG.owner, LAB_TAG.expiresAt] as const;

/**
 * Built-in roles by GUID, written out here (not taken from lib/azure/roles.ts): names and permissions as Microsoft's
 * built-in roles reference lists them (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 * Only what the gate judges is kept: actions and dataActions; control-plane reads of the Key Vault roles are left out.
 * tests/policy/baseline.test.ts checks lib/azure/roles.ts against these, so a change must touch both files.
 */
export const BASELINE_ROLE_IDS = {
  storageAccountKeyOperator: "81a9662b-bebf-436f-a333-f67b29880f12",
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  virtualMachineUserLogin: "fb879df8-f326-4884-b1cf-06f3ad86be52",
  virtualMachineAdministratorLogin: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  roleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultAdministrator: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
} as const;

export interface BaselineRole {
  readonly name: string;
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
}

const R = BASELINE_ROLE_IDS;
export const BASELINE_BUILTIN_ROLES: Readonly<Record<string, BaselineRole>> = {
  [R.storageAccountKeyOperator]: {
    name: "Storage Account Key Operator Service Role",
    actions: ["Microsoft.Storage/storageAccounts/listkeys/action", "Microsoft.Storage/storageAccounts/regeneratekey/action"],
    dataActions: [],
  },
  [R.owner]: { name: "Owner", actions: ["*"], dataActions: [] },
  [R.contributor]: { name: "Contributor", actions: ["*"], dataActions: [] },
  [R.userAccessAdministrator]: { name: "User Access Administrator", actions: ["*/read", "Microsoft.Authorization/*"], dataActions: [] },
  [R.reader]: { name: "Reader", actions: ["*/read"], dataActions: [] },
  [R.roleBasedAccessControlAdministrator]: {
    name: "Role Based Access Control Administrator",
    actions: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read"],
    dataActions: [],
  },
  [R.virtualMachineUserLogin]: {
    name: "Virtual Machine User Login",
    actions: [],
    dataActions: ["Microsoft.Compute/virtualMachines/login/action"],
  },
  [R.virtualMachineAdministratorLogin]: {
    name: "Virtual Machine Administrator Login",
    actions: [],
    dataActions: ["Microsoft.Compute/virtualMachines/login/action", "Microsoft.Compute/virtualMachines/loginAsAdmin/action"],
  },
  [R.keyVaultSecretsOfficer]: { name: "Key Vault Secrets Officer", actions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/*"] },
  [R.keyVaultSecretsUser]: {
    name: "Key Vault Secrets User",
    actions: [],
    dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  },
  [R.keyVaultAdministrator]: { name: "Key Vault Administrator", actions: [], dataActions: ["Microsoft.KeyVault/vaults/*"] },
  // Not a lab role: named so a regression that assigns it reads as what it is.
  [R.storageBlobDataOwner]: {
    name: "Storage Blob Data Owner",
    actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
  },
};

/** The lab's two custom roles: the seed of each deterministic GUID (lib/naming.ts customRoleGuid) and its permissions. */
export const BASELINE_LAB_ROLES = {
  storageListKeys: {
    name: "Storage listKeys only",
    seed: "storage-listkeys-only",
    actions: [LIST_KEYS_ACTION] as readonly string[],
    dataActions: [] as readonly string[],
  },
  secretGetSet: {
    name: "Key Vault secret get+set only",
    seed: "keyvault-secret-get-set-only",
    actions: [] as readonly string[],
    dataActions: [...VM_SECRET_DATA_ACTIONS] as readonly string[],
  },
} as const;

/**
 * sha256 of the probes as committed: the only scripts a run command may carry. Changing a probe means changing its
 * pin here, in a reviewed PR (tests/policy/baseline.test.ts checks the pins against the files).
 */
export const PROBE_SHA256 = {
  ubuntu: "82d5407efbcdc0b17f8f6ff32f2f1888dc11a43d6e6e9e98a0d3489087564f2c",
  windows: "288b4017e05e9ed2b4d91306061a7b4c9dae0436bd1266fba2fb6e5ef3b5e6ea",
} as const;

/**
 * The weakest RandomPassword the lab accepts: 32 characters drawn from at least 62 distinct ones (upper, lower and
 * digits; special characters may add more), no class switched off, never imported.
 */
export const MIN_RANDOM_PASSWORD = { length: 32, distinctCharacters: 62 } as const;
