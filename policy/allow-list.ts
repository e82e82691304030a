// Everything the lab deliberately declares, each with the reason it is allowed. The gate denies whatever is not here
// or in the lab's own config. To allow something new, add it here with its reason in a reviewed PR
// (docs/reviewing-a-pr.md): a widening of this file is the one change a reviewer must read line by line.
import { BASELINE_ROLE_IDS as BUILTIN_ROLES, LIST_KEYS_ACTION, VM_SECRET_DATA_ACTIONS } from "./baseline";

/** Where a reviewer widens an allow-list: messages name this file. */
export const ALLOW_LIST_FILE = "policy/allow-list.ts";

/** Resource types the lab creates. Anything else is a mandatory violation of inventory-resource-types. */
export const DECLARED_TYPES: Readonly<Record<string, string>> = {
  "azure-native:resources:ResourceGroup": "holds the whole lab; destroying it is the teardown of last resort",
  "azure-native:network:VirtualNetwork": "the lab's private network",
  "azure-native:network:Subnet": "the lab subnet (service endpoints for Key Vault and Storage) and AzureBastionSubnet",
  "azure-native:network:NetworkSecurityGroup": "admits the admin port from allowedSshCidrs only (ingress-nsg-rules judges every rule)",
  "azure-native:network:PublicIPAddress":
    "NAT gateway egress, Bastion, and seats when allowedSshCidrs is set (ingress-public-ips judges each)",
  "azure-native:network:NatGateway": "egress for listKeys from inside the seats; admits nothing inbound",
  "azure-native:network:BastionHost": "config bastion: reach the seats with no public IP on them (ingress-bastion-features)",
  "azure-native:network:NetworkInterface": "one per seat",
  "azure-native:compute:VirtualMachine": "the seats (seed step 1)",
  "azure-native:compute:VirtualMachineExtension": "Entra sign-in only (inventory-vm-extensions)",
  "azure-native:compute:VirtualMachineRunCommandByVirtualMachine": "the in-VM check, running the lab's own probe (inventory-run-commands)",
  "azure-native:devtestlab:GlobalSchedule": "auto-shutdown of each seat",
  "azure-native:keyvault:Vault": "seed step 2: the secrets, with their access policies inline in the access-policy model",
  "azure-native:keyvault:AccessPolicy": "a standalone access policy (judged by grant-access-policies like an inline one)",
  "azure-native:keyvault:Secret": "the canary secret (a RandomPassword) and the RBAC model's probe placeholder",
  "azure-native:storage:StorageAccount": "seed step 4: the account whose keys seats list",
  "azure-native:authorization:RoleAssignment": "the access matrix's role grants (grant-role-assignments judges each)",
  "azure-native:authorization:RoleDefinition": "customRoleSource lab: the two lab roles (grant-custom-roles)",
  "random:index/randomString:RandomString": "unique suffixes of vault and storage names",
  "random:index/randomPassword:RandomPassword": "the canary's value and the Windows admin password nobody knows",
  "pulumi:providers:azure-native": "the default provider",
  "pulumi:providers:random": "the default provider",
  "pulumi:pulumi:Stack": "the stack itself (its outputs are judged by credential-stack-outputs)",
};

/** The lab's own component resources: no cloud effect of their own; their children are judged. */
export const COMPONENT_PREFIX = "dsvm-identity-lab:lab:";

/** VM extensions by seat OS, as `publisher/type`. Settings and protected settings must be empty. */
export const DECLARED_EXTENSIONS: Readonly<Record<"ubuntu" | "windows", Readonly<Record<string, string>>>> = {
  ubuntu: { "Microsoft.Azure.ActiveDirectory/AADSSHLoginForLinux": "Entra sign-in over SSH for the lab users' group" },
  windows: { "Microsoft.Azure.ActiveDirectory/AADLoginForWindows": "Entra sign-in over RDP: the only way in to a Windows seat" },
};

/**
 * Run commands: the in-VM check only. Its name is `dsvm-lab-probe`, optionally with a fingerprint of what it checks
 * (a changed grant re-runs it); its script is exactly the lab's probe (probe/vm-probe.py, or probe/vm-probe.ps1 on Windows).
 */
export const DECLARED_RUN_COMMAND_NAME = /^dsvm-lab-probe(-[0-9a-f]{6,64})?$/;

/** Probe flags the in-VM check passes (the Python probe's flags; PowerShell takes them as named parameters). */
export const DECLARED_PROBE_FLAGS = [
  "--vault-uri",
  "--secret",
  "--storage-account-id",
  "--blob-endpoint",
  "--nonce",
  "--deadline-seconds",
] as const;

/** Secret values that are not credentials, allowed as literals. */
export const DECLARED_PLACEHOLDER_SECRETS: Readonly<Record<string, string>> = {
  "not written by a seat yet": "the RBAC model's <canary>-probe secret exists before the seats' per-secret grants; seats overwrite it",
};

/** The lab's two custom roles, by what the gate allows them to hold (its own baseline, not lib/azure.ts's copy). */
export const DECLARED_CUSTOM_ROLES = [
  { key: "storageListKeys", actions: [LIST_KEYS_ACTION], dataActions: [] as string[], why: "seed step 4: listKeys and nothing else" },
  {
    key: "secretGetSet",
    actions: [] as string[],
    dataActions: [...VM_SECRET_DATA_ACTIONS],
    why: "seed step 2 (RBAC): get and set, never list",
  },
] as const;

/**
 * The access matrix: who may hold which grant, where. Kinds of principal come from the lab's config (operators, lab
 * users, the deployer) and the program (seats' system identities). Built-in roles by id, with the reason.
 */
export const DECLARED_BUILTIN_GRANTS: readonly {
  readonly role: string;
  readonly holders: readonly ("operator" | "labUsers" | "seat")[];
  readonly on: "vault" | "seat" | "windowsSeat" | "storage";
  readonly why: string;
}[] = [
  {
    role: BUILTIN_ROLES.keyVaultSecretsOfficer,
    holders: ["operator"],
    on: "vault",
    why: "RBAC model: operators seed the canary, read back and clean up",
  },
  { role: BUILTIN_ROLES.virtualMachineUserLogin, holders: ["labUsers"], on: "seat", why: "lab users sign in to the seats with Entra ID" },
  {
    role: BUILTIN_ROLES.virtualMachineAdministratorLogin,
    holders: ["operator"],
    on: "windowsSeat",
    why: "Entra ID is the only way in to a Windows seat; the deployer and operators administer it",
  },
  {
    role: BUILTIN_ROLES.storageAccountKeyOperator,
    holders: ["seat"],
    on: "storage",
    why: "config listKeysRole builtin only: the built-in role that can list keys",
  },
];

/** Security advice the lab deliberately does not follow, each with its reason. The plan prints them. */
export const ACCEPTED_EXCEPTIONS = [
  {
    control: "storage account allowSharedKeyAccess = true",
    source: ["Checkov CKV2_AZURE_40", "MCSB IM-1"],
    reason:
      "The seed's step 4 is 'call listKeys and use the key'; a storage key only works with shared-key access. Seats get listKeys and nothing else, and the account's firewall admits only the lab subnet and operator IPs.",
  },
] as const;

/** The sentence every inventory message ends with: how to allow something on purpose. */
export function howToAllow(what: string): string {
  return `If the lab needs ${what}, declare it with its reason in ${ALLOW_LIST_FILE} in a reviewed PR (docs/reviewing-a-pr.md); otherwise remove it.`;
}
