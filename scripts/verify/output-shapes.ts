// The shapes of the names and ids this program's stack outputs carry, as index.ts and its components create them.
// Operator scripts hold any outputs file to these before a value reaches Azure, a VM or the terminal.
import {
  ARM_TYPE,
  BLOB_DNS_SUFFIXES,
  GUID_PATTERN,
  LIMITS,
  NAME_PATTERN,
  resourceIdPattern,
  suffixAlternation,
  VAULT_DNS_SUFFIXES,
} from "../../lib/azure";
import { RULES } from "../../lib/config/rules";
import { printable } from "../../lib/printable";

/** Seats a lab may have: one role assignment each, so Azure's limit per subscription. */
export const MAX_SEATS = LIMITS.roleAssignmentsPerSubscription;

// Key Vault's DNS suffix in each Azure cloud, as the in-VM probe accepts them (probe/vm-probe.py's CLOUDS).
const VAULT_DOMAINS = suffixAlternation(VAULT_DNS_SUFFIXES);
const BLOB_DOMAINS = suffixAlternation(BLOB_DNS_SUFFIXES);
/** A resource id of the lab's: a GUID subscription, a resource group name as Azure allows it. */
const labResourceId = (armType: string, name: string) =>
  resourceIdPattern(armType, { subscription: GUID_PATTERN, resourceGroup: NAME_PATTERN.resourceGroup, names: [name] });
// The local twin in tests: https (http for its blob emulator) on a loopback address. Only accepted when the caller
// injects TEST_ENDPOINTS (tests do; the shipped commands never do), never because a file says so.
const LOOPBACK = "(?:127\\.0\\.0\\.1|localhost|\\[::1\\])(?::\\d{1,5})?";

export const SHAPES = {
  resourceGroupName: { re: new RegExp(`^${NAME_PATTERN.resourceGroup}$`), form: "a resource group name (1-90 letters, digits, _ . ( ) -)" },
  /** A vault name: 3-24 letters, digits and hyphens, starting with a letter, no "--". */
  vaultName: { re: new RegExp(`^(?!.*--)${NAME_PATTERN.vault}$`), form: "a Key Vault name (3-24 letters, digits and hyphens)" },
  vaultUri: {
    re: new RegExp(`^https://(?!.*--)${NAME_PATTERN.vault}\\.(?:${VAULT_DOMAINS})/?$`, "i"),
    form: "https://NAME.vault.azure.net/",
  },
  /** Secret names: config's own rule (lib/config/rules.ts RULES.secretName), so the file can hold no name config refuses. */
  secretName: {
    re: { test: (v: string) => configAccepts("secretName", v) },
    form: "a Key Vault secret name as config allows it (letters, digits and hyphens, starting with a letter)",
  },
  storageAccountId: {
    re: new RegExp(`^${labResourceId(ARM_TYPE.storage, `(${NAME_PATTERN.storageAccount})`)}$`),
    form: "/subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME",
  },
  blobEndpoint: {
    re: new RegExp(`^https://(${NAME_PATTERN.storageAccount})\\.(?:${BLOB_DOMAINS})/?$`, "i"),
    form: "https://ACCOUNT.blob.core.windows.net/",
  },
  /** A seat's VM: `<namePrefix>-vm<seat>` (lib/naming.ts seatVmName; namePrefix is 3-10 lowercase letters and digits). */
  vmName: { re: /^[a-z][a-z0-9]{2,9}-vm([1-9][0-9]{0,3})$/, form: "PREFIX-vmSEAT (the seat's VM, as the lab names it)" },
  /** The program's own names, one prefix throughout (lib/naming.ts, SecretVault, StorageKeyAccess, index.ts). */
  labVaultName: { form: "PREFIX-kv-XXXXXX (6 lowercase letters and digits), PREFIX as in the VM names" },
  labStorageAccount: { form: "PREFIXstXXXXXXXX (8 lowercase letters and digits), PREFIX as in the VM names" },
  labResourceGroup: { form: "PREFIX-STACK-rg (the stack's name as lowercase letters, digits and hyphens), PREFIX as in the VM names" },
  vmId: {
    re: new RegExp(`^${labResourceId(ARM_TYPE.vm, "([^/]+)")}$`, "i"),
    form: "/subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VMNAME",
  },
} as const;

/** The twin's loopback endpoints, for tests only: accepted when injected (TestEndpoints), never from a file alone. */
export const LOOPBACK_SHAPES = {
  vaultUri: { re: new RegExp(`^https://${LOOPBACK}/?$`, "i"), form: "https://127.0.0.1:PORT/ (the test twin)" },
  blobEndpoint: {
    re: new RegExp(`^https?://${LOOPBACK}/([a-z0-9]{3,24})/?$`, "i"),
    form: "http://127.0.0.1:PORT/ACCOUNT/ (the test twin)",
  },
} as const;

/** Whether config's rule for `key` accepts `value` (the rule itself, imported, so the two can never drift). */
function configAccepts(key: "secretName", value: string): boolean {
  if (typeof value !== "string") return false;
  try {
    RULES[key](
      value,
      () => {
        throw new Error("refused");
      },
      {} as never,
    );
    return true;
  } catch {
    return false;
  }
}

/** A value as a message shows it: JSON, cut short. Outputs hold nothing secret, but a file may hold anything. */
export function shown(value: unknown): string {
  const text = printable(JSON.stringify(value) ?? "nothing");
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
