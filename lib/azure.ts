// Azure facts the lab depends on: role ids, permission sets, limits and the image. One place, cited.

/** Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const BUILTIN_ROLES = {
  /** Can list and regenerate storage account keys: broader than the lab needs. */
  storageAccountKeyOperator: "81a9662b-bebf-436f-a333-f67b29880f12",
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  /** Sign in to a VM as a regular user with an Entra account (needs the AADSSHLoginForLinux extension). */
  virtualMachineUserLogin: "fb879df8-f326-4884-b1cf-06f3ad86be52",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  /** Add and remove role assignments (no role definitions); the bootstrap constrains it with an ABAC condition. */
  roleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
} as const;

/** The one ARM action a seat needs for the seed's step 4. */
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action";

/** What the built-in Key Operator role allows (its definition, as `az role definition list` shows it). */
export const KEY_OPERATOR_ACTIONS = [LIST_KEYS_ACTION, "Microsoft.Storage/storageAccounts/regeneratekey/action"];

/** Seed step 2: a seat's identity may get and set secrets, and nothing else. Never list. */
export const SEAT_SECRET_PERMISSIONS = ["get", "set"] as const;

/** The operator seeds the canary, reads back what a VM wrote, and cleans up. No purge, no keys, no certificates. */
export const OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover"] as const;

export const LIMITS = {
  /** https://learn.microsoft.com/azure/key-vault/general/service-limits: access policies per vault. */
  accessPoliciesPerVault: 1024,
  /** https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits: assignments per subscription. */
  roleAssignmentsPerSubscription: 4000,
  /** Vault names: 3-24 characters, alphanumerics and hyphens, start with a letter. */
  vaultNameLength: 24,
  /** Storage account names: 3-24 lowercase letters and digits. */
  storageNameLength: 24,
  /** Addresses Azure keeps in every subnet (network, broadcast, gateway, two DNS). */
  reservedAddressesPerSubnet: 5,
  /** Smallest subnet Azure allows. */
  smallestSubnetPrefix: 29,
  /** Largest managed OS disk, GiB. */
  maxOsDiskGb: 4095,
  /** Key Vault secret names: 1-127 characters, letters, digits and hyphens. */
  secretNameLength: 127,
} as const;

/**
 * The DSVM marketplace image. No `plan` block: microsoft-dsvm images are first-party and free, so
 * `az vm image show --urn microsoft-dsvm:ubuntu-2204:2204-gen2:latest` reports `plan: null`, and Microsoft's own
 * quickstart (azure-quickstart-templates, vm-ubuntu-DSVM-GPU-or-CPU) deploys it without one. Adding a plan for an
 * image that has none fails the deployment, so none is sent.
 */
export const DSVM_IMAGE = { publisher: "microsoft-dsvm", offer: "ubuntu-2204", sku: "2204-gen2", version: "latest" } as const;

/**
 * Entra ID sign-in over SSH (https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux).
 * 1.0 is the current major version; autoUpgradeMinorVersion keeps it patched.
 */
export const AAD_SSH_LOGIN_EXTENSION = { publisher: "Microsoft.Azure.ActiveDirectory", type: "AADSSHLoginForLinux", typeHandlerVersion: "1.0" } as const;

/** The DSVM image's own OS disk, GiB: a smaller osDisk.diskSizeGB is refused by Azure. */
export const DSVM_IMAGE_DISK_GB = 150;
