// Why the lab sets each type's properties, and the subtrees whose every value another rule judges (so their shape is
// that rule's business, and one regression is caught by the one rule meant for it). Reviewed by hand; the paths
// themselves are generated into declared.ts (npm run shapes).
import { RANDOM_TYPE, TYPE as T } from "../../lib/azure/tokens";

/** Subtrees judged on every type: a managed identity on any resource is the grants inventory's to judge. */
export const JUDGED_ON_EVERY_TYPE: Readonly<Record<string, string>> = {
  identity: "grant-managed-identities: any identity on any resource",
};

export const SHAPE_REASONS: Readonly<Record<string, { readonly why: string; readonly judged?: Readonly<Record<string, string>> }>> = {
  [T.roleAssignment]: {
    why: "the access matrix's grants: principal, role and scope, all judged by grant-role-assignments",
  },
  [T.roleDefinition]: { why: "customRoleSource lab: the two lab roles, judged by grant-custom-roles" },
  [T.vm]: {
    why: "a seat: size, system identity, the DSVM image, one NIC, SSH key or Entra sign-in, managed boot diagnostics (no storage account of ours)",
    judged: { "storageProfile.imageReference": "inventory-image: exactly one of the lab's DSVM images" },
  },
  [T.extension]: {
    why: "the Entra sign-in extension, by publisher, type and version",
    judged: { settings: "inventory-vm-extensions: must be empty", protectedSettings: "credential-run-as-and-protected" },
  },
  [T.runCommandByVm]: {
    why: "the in-VM check: the probe's script and flags, failing the deploy when it fails",
    judged: {
      source: "inventory-run-commands: the lab's own probe only",
      "parameters[]": "inventory-run-commands: the probe's flags",
      outputBlobUri: "inventory-run-commands",
      errorBlobUri: "inventory-run-commands",
      runAsUser: "credential-run-as-and-protected",
      runAsPassword: "credential-run-as-and-protected",
    },
  },
  [T.schedule]: { why: "the seat's daily auto-shutdown, with no notification webhook" },
  [T.secret]: {
    why: "the canary secret and the RBAC model's placeholder",
    judged: { "properties.value": "credential-secret-values: never a literal" },
  },
  [T.vault]: {
    why: "seed step 2: the vault, its soft delete, purge protection, access model and firewall",
    judged: {
      "properties.accessPolicies[]": "grant-access-policies: the access matrix",
      "properties.networkAcls.ipRules[]": "ingress-vault-firewall",
      "properties.networkAcls.virtualNetworkRules[]": "ingress-vault-firewall",
      "properties.networkAcls.bypass": "ingress-vault-firewall",
      "properties.networkAcls.defaultAction": "kv-network-default-deny",
    },
  },
  [T.bastion]: {
    why: "config bastion: Standard Bastion in AzureBastionSubnet; its feature flags are judged by ingress-bastion-features",
  },
  [T.nat]: { why: "egress for the seats' listKeys call; its one public IP" },
  [T.nic]: {
    why: "a seat's NIC: one IP configuration in the lab subnet (ingress-nic-subnet), a public IP only with allowedSshCidrs (ingress-public-ips)",
  },
  [T.nsg]: {
    why: "the lab subnet's NSG",
    judged: { "securityRules[]": "ingress-nsg-rules: every inbound allow rule" },
  },
  [T.publicIp]: {
    why: "Standard static IPv4 for the NAT gateway, Bastion, and seats with allowedSshCidrs (ingress-public-ips)",
  },
  [T.subnet]: {
    why: "the lab subnet (NSG, NAT gateway, service endpoints, no default outbound access) and AzureBastionSubnet",
  },
  [T.vnet]: { why: "the lab's private address space; no peering, DNS servers or inline subnets" },
  [T.resourceGroup]: { why: "holds the whole lab" },
  [T.storage]: {
    why: "seed step 4: the account whose keys seats list, HTTPS and TLS 1.2 only, no public blobs, firewall to the lab subnet",
    judged: {
      "networkRuleSet.ipRules[]": "ingress-storage-firewall",
      "networkRuleSet.virtualNetworkRules[]": "ingress-storage-firewall",
      "networkRuleSet.resourceAccessRules[]": "ingress-storage-firewall",
      "networkRuleSet.bypass": "ingress-storage-firewall",
      "networkRuleSet.defaultAction": "storage-network-default-deny",
      isSftpEnabled: "ingress-storage-features",
      isLocalUserEnabled: "ingress-storage-features",
      isNfsV3Enabled: "ingress-storage-features",
    },
  },
  [RANDOM_TYPE.randomPassword]: {
    why: "the canary's value and the Windows admin password: length and character classes (credential-random-password-strength)",
  },
  [RANDOM_TYPE.randomString]: { why: "unique suffixes of vault and storage account names" },
};
