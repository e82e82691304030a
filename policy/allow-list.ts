// Everything the lab deliberately declares, each with the reason it is allowed. The gate denies whatever is not here
// or in the lab's own config. To allow something new, add it here with its reason in a reviewed PR
// (docs/reviewing-a-pr.md): a widening of this file is the one change a reviewer must read line by line.
// Type tokens from lib/azure/tokens.ts, each pinned to the provider's own class (tests/lib/azure-tokens.test.ts): a
// renamed token admits nothing real, so the type it named is denied. Roles and permissions are the gate's own.
import { RANDOM_TYPE, TYPE as T } from "../lib/azure/tokens";
import { BASELINE_ROLE_IDS as BUILTIN_ROLES, LIST_KEYS_ACTION, VM_SECRET_DATA_ACTIONS } from "./baseline";

/** Where a reviewer widens an allow-list: messages name this file. */
export const ALLOW_LIST_FILE = "policy/allow-list.ts";

/** Resource types the lab creates, by token. Anything else is a mandatory violation of inventory-resource-types. */
export const DECLARED_TYPES: Readonly<Record<string, string>> = {
  [T.resourceGroup]: "holds the whole lab; destroying it is the teardown of last resort",
  [T.vnet]: "the lab's private network",
  [T.subnet]: "the lab subnet (service endpoints for Key Vault and Storage) and AzureBastionSubnet",
  [T.nsg]: "admits the admin port from allowedSshCidrs only (ingress-nsg-rules judges every rule)",
  [T.publicIp]: "NAT gateway egress, Bastion, and seats when allowedSshCidrs is set (ingress-public-ips judges each)",
  [T.nat]: "egress for listKeys from inside the seats; admits nothing inbound",
  [T.bastion]: "config bastion: reach the seats with no public IP on them (ingress-bastion-features)",
  [T.nic]: "one per seat",
  [T.vm]: "the seats (seed step 1)",
  [T.extension]: "Entra sign-in only (inventory-vm-extensions)",
  [T.runCommandByVm]: "the in-VM check, running the lab's own probe (inventory-run-commands)",
  [T.schedule]: "auto-shutdown of each seat",
  [T.vault]: "seed step 2: the secrets, with their access policies inline in the access-policy model",
  [T.accessPolicy]: "a standalone access policy (judged by grant-access-policies like an inline one)",
  [T.secret]: "the canary secret (a RandomPassword) and the RBAC model's probe placeholder",
  [T.storage]: "seed step 4: the account whose keys seats list",
  [T.roleAssignment]: "the access matrix's role grants (grant-role-assignments judges each)",
  [T.roleDefinition]: "customRoleSource lab: the two lab roles (grant-custom-roles)",
  [RANDOM_TYPE.randomString]: "unique suffixes of vault and storage names",
  [RANDOM_TYPE.randomPassword]: "the canary's value and the Windows admin password nobody knows",
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

/** The lab's two custom roles, by what the gate allows them to hold (its own baseline, not lib/azure/roles.ts's copy). */
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
