// The shapes of the names and ids this program's stack outputs carry, as index.ts and its components create them.
// Operator scripts hold any outputs file to these before a value reaches Azure, a VM or the terminal.
import { LIMITS } from "../../lib/azure";
import { printable } from "../../lib/printable";

/** Seats a lab may have: one role assignment each, so Azure's limit per subscription. */
export const MAX_SEATS = LIMITS.roleAssignmentsPerSubscription;

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
// Resource group names: 1-90 of letters, digits, _ . ( ) -, not ending in a period (ASCII: what the lab creates).
const RESOURCE_GROUP = "[-\\w.()]{0,89}[-\\w()]";
// Key Vault's DNS suffix in each Azure cloud, as the in-VM probe accepts them (scripts/vm-probe's CLOUDS).
const VAULT_DOMAINS = "vault\\.azure\\.net|vault\\.azure\\.cn|vault\\.usgovcloudapi\\.net";
const BLOB_DOMAINS = "blob\\.core\\.windows\\.net|blob\\.core\\.chinacloudapi\\.cn|blob\\.core\\.usgovcloudapi\\.net";
// The local twin in tests: https (http for its blob emulator) on a loopback address. A loopback endpoint reaches
// nothing off this machine; the probe itself refuses it unless its test-only PROBE_CA_FILE is set on the VM.
const LOOPBACK = "(?:127\\.0\\.0\\.1|localhost|\\[::1\\])(?::\\d{1,5})?";

export const SHAPES = {
  resourceGroupName: { re: new RegExp(`^${RESOURCE_GROUP}$`), form: "a resource group name (1-90 letters, digits, _ . ( ) -)" },
  /** A vault name: 3-24 letters, digits and hyphens, starting with a letter, no "--". */
  vaultName: { re: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, form: "a Key Vault name (3-24 letters, digits and hyphens)" },
  vaultUri: { re: new RegExp(`^https://(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]\\.(?:${VAULT_DOMAINS})/?$|^https://${LOOPBACK}/?$`, "i"), form: "https://NAME.vault.azure.net/" },
  /** Secret names: the canary's, to which the probe adds -probe (127 characters at most in all). */
  secretName: { re: new RegExp(`^[0-9a-zA-Z][0-9a-zA-Z-]{0,${LIMITS.secretNameLength - "-probe".length - 1}}$`), form: "a Key Vault secret name (letters, digits and hyphens, not starting with a hyphen)" },
  storageAccountId: {
    re: new RegExp(`^/subscriptions/${GUID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft\\.Storage/storageAccounts/([a-z0-9]{3,24})$`, "i"),
    form: "/subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME",
  },
  blobEndpoint: { re: new RegExp(`^https://([a-z0-9]{3,24})\\.(?:${BLOB_DOMAINS})/?$|^https?://${LOOPBACK}/[a-z0-9]{3,24}/?$`, "i"), form: "https://ACCOUNT.blob.core.windows.net/" },
  /** A seat's VM: `<namePrefix>-vm<seat>` (lib/naming.ts seatVmName; namePrefix is 3-10 lowercase letters and digits). */
  vmName: { re: /^[a-z][a-z0-9]{2,9}-vm([1-9][0-9]{0,3})$/, form: "PREFIX-vmSEAT (the seat's VM, as the lab names it)" },
  vmId: {
    re: new RegExp(`^/subscriptions/${GUID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft\\.Compute/virtualMachines/([^/]+)$`, "i"),
    form: "/subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VMNAME",
  },
} as const;

/** A value as a message shows it: JSON, cut short. Outputs hold nothing secret, but a file may hold anything. */
export function shown(value: unknown): string {
  const text = printable(JSON.stringify(value) ?? "nothing");
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
