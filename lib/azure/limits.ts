// Azure's limits and naming rules the lab sizes and validates against.

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
  /** Windows computer names (NetBIOS): at most 15 characters. */
  windowsComputerNameLength: 15,
  /** Windows admin user names: at most 20 characters. */
  windowsAdminUsernameLength: 20,
  /** AzureBastionSubnet must be /26 or larger (https://learn.microsoft.com/azure/bastion/configuration-settings#subnet). */
  bastionSubnetPrefix: 26,
} as const;

/**
 * Azure's name rules as regex sources, without anchors (ASCII: what the lab creates), to compose into larger patterns.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
export const NAME_PATTERN = {
  /** Resource groups: 1-90 letters, digits, _ . ( ) -, not ending in a period. */
  resourceGroup: "[-\\w.()]{0,89}[-\\w()]",
  /** Key Vaults: 3-24 letters, digits and hyphens, starting with a letter and ending with a letter or digit (and no "--"). */
  vault: "[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]",
  /** Storage accounts: 3-24 lowercase letters and digits. */
  storageAccount: "[a-z0-9]{3,24}",
  /** Key Vault secrets: 1-127 letters, digits and hyphens. */
  secret: "[a-zA-Z0-9-]{1,127}",
} as const;
