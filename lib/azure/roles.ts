// The built-in roles the lab assigns or knows, the permissions it grants, and its two custom roles.
// policy/baseline.ts keeps the gate's own copy; tests/policy/baseline.test.ts holds these to it.

/** Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const BUILTIN_ROLES = {
  /** Can list and regenerate storage account keys: broader than the lab needs. */
  storageAccountKeyOperator: "81a9662b-bebf-436f-a333-f67b29880f12",
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  /** Sign in to a VM as a regular user with an Entra account (needs the AADSSHLoginForLinux extension). */
  virtualMachineUserLogin: "fb879df8-f326-4884-b1cf-06f3ad86be52",
  /** Sign in to a VM as an administrator with an Entra account: the deployer's and operators' way in to Windows seats. */
  virtualMachineAdministratorLogin: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  /** Add and remove role assignments (no role definitions); the bootstrap constrains it with an ABAC condition. */
  roleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  /** Every secret operation, data plane (`secrets/*`): the operator's role in the RBAC model. */
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  /** getSecret and readMetadata: readMetadata lists secrets, so it is never a seat's role. */
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Every data action on keys, secrets and certificates (`vaults/*`). */
  keyVaultAdministrator: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
} as const;

/** Key Vault data actions (https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault). */
export const KV_DATA_ACTIONS = {
  getSecret: "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  setSecret: "Microsoft.KeyVault/vaults/secrets/setSecret/action",
  /** Read a secret's attributes, and LIST the vault's secrets: what seats must never hold. */
  readMetadata: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
} as const;

/** Seed step 2 in the RBAC model: the seat role's dataActions, exactly these (no built-in role is get+set without list). */
export const SEAT_SECRET_DATA_ACTIONS = [KV_DATA_ACTIONS.getSecret, KV_DATA_ACTIONS.setSecret] as const;

/**
 * What the Key Vault built-in roles allow on the data plane, as their definitions list it
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security). Control-plane actions are
 * reads only (vault metadata, deployments, support) and are left out.
 */
export const KEY_VAULT_ROLE_DATA_ACTIONS: Readonly<Record<string, { readonly name: string; readonly dataActions: readonly string[] }>> = {
  [BUILTIN_ROLES.keyVaultSecretsOfficer]: { name: "Key Vault Secrets Officer", dataActions: ["Microsoft.KeyVault/vaults/secrets/*"] },
  [BUILTIN_ROLES.keyVaultSecretsUser]: {
    name: "Key Vault Secrets User",
    dataActions: [KV_DATA_ACTIONS.getSecret, KV_DATA_ACTIONS.readMetadata],
  },
  [BUILTIN_ROLES.keyVaultAdministrator]: { name: "Key Vault Administrator", dataActions: ["Microsoft.KeyVault/vaults/*"] },
};

/** The one ARM action a seat needs for the seed's step 4. */
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action";

/** What the built-in Key Operator role allows (its definition, as `az role definition list` shows it). */
export const KEY_OPERATOR_ACTIONS = [LIST_KEYS_ACTION, "Microsoft.Storage/storageAccounts/regeneratekey/action"];

/** Seed step 2: a seat's identity may get and set secrets, and nothing else. Never list. */
export const SEAT_SECRET_PERMISSIONS = ["get", "set"] as const;

/** The operator seeds the canary, reads back what a VM wrote, and cleans up. No purge, no keys, no certificates. */
export const OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover"] as const;

/** Key Vault permission model: access policies (the seeds') or Azure RBAC (Microsoft's recommendation). */
export type VaultAccessModel = "accessPolicy" | "rbac";

/**
 * The lab's two custom roles. Where they live is config `customRoleSource`: `subscription` (default) means bootstrap/
 * created them once per subscription and labs only reference them, so a deploy identity without
 * `Microsoft.Authorization/roleDefinitions/write` (Contributor's NotActions exclude it) can deploy a lab; `lab` means
 * each lab creates its own at its resource group.
 */
export const LAB_CUSTOM_ROLES = {
  storageListKeys: {
    /** Seed of the role's deterministic GUID. */
    seed: "storage-listkeys-only",
    name: "Storage listKeys only",
    description: "May call listKeys on storage accounts and nothing else: no regenerate, no read, no data.",
    actions: [LIST_KEYS_ACTION],
    dataActions: [] as string[],
  },
  secretGetSet: {
    seed: "keyvault-secret-get-set-only",
    name: "Key Vault secret get+set only",
    description:
      "May read and write the value of the secrets it is assigned on, and nothing else: no list (readMetadata), no delete, no keys.",
    actions: [] as string[],
    dataActions: [...SEAT_SECRET_DATA_ACTIONS],
  },
} as const;

export type LabCustomRole = keyof typeof LAB_CUSTOM_ROLES;

/** `subscription`: the bootstrap's roles, referenced by id. `lab`: created by the lab itself (needs roleDefinitions/write). */
export type CustomRoleSource = "subscription" | "lab";
