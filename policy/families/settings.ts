// Vault and storage account settings that must hold whatever the access matrix says: the access model is explicit
// and consistent, soft delete, default-deny firewalls, no deployment access, TLS and HTTPS, no anonymous blobs.
import { PolicyResourceView, ResourceRule, Rule, RuleBase } from "../engine";
import { accessPolicies, azureName, byType, T } from "../graph";
import { isTrue } from "../shapes/paths";

/** The access policies on a vault: inline ones, and standalone ones on it. */
function policiesOn(
  vault: PolicyResourceView,
  resources: readonly PolicyResourceView[],
): { inline: number; standalone: PolicyResourceView[] } {
  const entries = accessPolicies(resources).filter((e) => e.vault === vault);
  return {
    inline: entries.filter((e) => e.holder === vault).length,
    standalone: entries.filter((e) => e.holder !== vault).map((e) => e.holder),
  };
}

/** A rule that one setting of one resource type must pass. */
export function settingRule(
  spec: RuleBase & {
    readonly type: string;
    readonly path: string;
    readonly ok: (v: unknown) => boolean;
    readonly want: string;
    readonly unset: string;
  },
): ResourceRule {
  const { type, path, ok, want, unset, ...base } = spec;
  const label = type === T.vault ? "Vault" : "Storage account";
  return {
    ...base,
    kind: "resource",
    types: [type],
    check: (r) => {
      const v = path.split(".").reduce<any>((o, k) => o?.[k], r.inputs);
      return ok(v)
        ? []
        : [
            `${label} ${azureName(r, type === T.vault ? "vaultName" : "accountName")} has ${path} ${v === undefined ? unset : JSON.stringify(v)}: set it to ${want}.`,
          ];
    },
  };
}

export const settingRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "kv-no-mixed-access-policies",
    name: "No vault mixes inline access policies with standalone AccessPolicy resources",
    enforcement: "mandatory",
    why: "Inline policies and standalone AccessPolicy resources overwrite each other on every update (pulumi-azure-native #594), so grants silently appear and vanish.",
    source: ["pulumi-azure-native issue #594", "components/SecretVault.ts design note"],
    fix: "Keep every policy of a vault in one form: inline in properties.accessPolicies (one write, components/SecretVault.ts), with no standalone keyvault.AccessPolicy on it.",
    check: (resources) =>
      byType(resources, T.vault).flatMap((vault) => {
        const { inline, standalone } = policiesOn(vault, resources);
        const name = azureName(vault, "vaultName");
        return inline > 0 && standalone.length > 0
          ? [
              {
                urn: vault.urn,
                message: `Vault ${name} has ${inline} inline access polic${inline === 1 ? "y" : "ies"} and ${standalone.length} standalone AccessPolicy resource(s) (${standalone.map((p) => p.name).join(", ")}): move the standalone ones into the vault's inline accessPolicies, or remove them.`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "resource",
    types: [T.vault],
    id: "kv-rbac-explicit",
    name: "The vault sets enableRbacAuthorization explicitly",
    enforcement: "mandatory",
    why: "The newest Key Vault API defaults to RBAC, which silently ignores access policies: the lab's get/set-only grants would stop applying, or an upgrade would flip the model under a running lab.",
    source: ["seed step 2 (access-policy model)", "Azure Key Vault API 2023+ default (enableRbacAuthorization true)"],
    fix: "Set properties.enableRbacAuthorization: false (config vaultAccessModel accessPolicy) or true (vaultAccessModel rbac) in components/SecretVault.ts.",
    check: (r) =>
      typeof r.inputs.properties?.enableRbacAuthorization === "boolean"
        ? []
        : [
            `Vault ${azureName(r, "vaultName")} leaves enableRbacAuthorization unset: set it to false explicitly (access-policy model) or true (RBAC model), or the API's RBAC default makes every access policy inert.`,
          ],
  },
  {
    kind: "stack",
    id: "kv-access-model-consistent",
    name: "A vault with RBAC authorization has no access policies",
    enforcement: "mandatory",
    why: "With enableRbacAuthorization true, Key Vault ignores access policies. Any left over looks like a grant to a reviewer and silently is none; flipping the flag back would bring them all to life at once.",
    source: [
      "docs/windows-and-rbac.md (RBAC model: no access policies at all)",
      "MCSB PA-7",
      "learn.microsoft.com/azure/key-vault/general/rbac-migration",
    ],
    fix: "In the RBAC model grant through role assignments only (components/VaultRbacAccess.ts); remove every keyvault.AccessPolicy and inline policy on the vault.",
    check: (resources) =>
      byType(resources, T.vault).flatMap((vault) => {
        if (vault.inputs.properties?.enableRbacAuthorization !== true) return [];
        const { inline, standalone } = policiesOn(vault, resources);
        const found = [...standalone.map((p) => p.name), ...(inline ? [`${inline} inline`] : [])];
        return found.length
          ? [
              {
                urn: vault.urn,
                message: `Vault ${azureName(vault, "vaultName")} uses RBAC (enableRbacAuthorization true) but has access policies (${found.join(", ")}): remove them; in the RBAC model every grant is a role assignment.`,
              },
            ]
          : [];
      }),
  },
  settingRule({
    id: "kv-soft-delete-on",
    name: "Soft delete is on",
    enforcement: "mandatory",
    why: "A deleted secret or vault must stay recoverable for the retention period.",
    source: ["MCSB DP-8", "Checkov CKV_AZURE_111", "Checkov CKV_AZURE_42"],
    fix: "Set properties.enableSoftDelete: true.",
    type: T.vault,
    path: "properties.enableSoftDelete",
    ok: (v) => v !== false,
    want: "true",
    unset: '"unset (on by default)"',
  }),
  settingRule({
    id: "kv-network-default-deny",
    name: "The vault's network default action is Deny",
    enforcement: "mandatory",
    why: "Only the lab subnet and operator IPs may reach the vault; a default Allow exposes it to the whole internet.",
    source: ["MCSB NS-2", "Checkov CKV_AZURE_109", "tfsec azure-keyvault-specify-network-acl"],
    fix: 'Set properties.networkAcls.defaultAction: "Deny" and admit the lab subnet and operator IPs explicitly.',
    type: T.vault,
    path: "properties.networkAcls.defaultAction",
    ok: (v) => v === "Deny",
    want: '"Deny" and admit the lab subnet and operator IPs explicitly',
    unset: '"unset (Allow)"',
  }),
  {
    kind: "resource",
    types: [T.vault],
    id: "kv-no-deployment-access",
    name: "enabledForDeployment, enabledForTemplateDeployment and enabledForDiskEncryption are all false",
    enforcement: "mandatory",
    why: "Each flag lets an Azure service (VM provisioning, ARM templates, disk encryption) fetch secrets on behalf of whoever deploys: a path around the access policies.",
    source: ["MCSB PA-7", "MCSB DP-8"],
    fix: "Set the three flags to false in components/SecretVault.ts.",
    check: (r) => {
      const on = ["enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption"].filter((k) =>
        isTrue(r.inputs.properties?.[k]),
      );
      return on.length
        ? [
            `Vault ${azureName(r, "vaultName")} turns on ${on.join(", ")}: set ${on.length === 1 ? "it" : "them"} to false; nothing in the lab retrieves secrets through Azure services.`,
          ]
        : [];
    },
  },

  settingRule({
    id: "storage-https-only",
    name: "The storage account accepts HTTPS only",
    enforcement: "mandatory",
    why: "Shared keys and data must never cross the network in clear text.",
    source: ["MCSB DP-3", "Checkov CKV_AZURE_3", "tfsec azure-storage-enforce-https"],
    fix: "Set enableHttpsTrafficOnly: true.",
    type: T.storage,
    path: "enableHttpsTrafficOnly",
    ok: (v) => v === true,
    want: "true",
    unset: '"unset"',
  }),
  settingRule({
    id: "storage-min-tls-1-2",
    name: "The storage account requires TLS 1.2 or newer",
    enforcement: "mandatory",
    why: "TLS 1.0 and 1.1 are broken and retired by Azure.",
    source: ["MCSB DP-3", "Checkov CKV_AZURE_44", "tfsec azure-storage-use-secure-tls-policy"],
    fix: 'Set minimumTlsVersion: "TLS1_2".',
    type: T.storage,
    path: "minimumTlsVersion",
    ok: (v) => v === "TLS1_2" || v === "TLS1_3",
    want: '"TLS1_2"',
    unset: '"unset (TLS1_0)"',
  }),
  settingRule({
    id: "storage-no-blob-public-access",
    name: "Blob public access is off",
    enforcement: "mandatory",
    why: "The account holds what seats write; no container may ever be readable anonymously.",
    source: ["MCSB NS-2", "Checkov CKV_AZURE_190", "tfsec azure-storage-no-public-access"],
    fix: "Set allowBlobPublicAccess: false.",
    type: T.storage,
    path: "allowBlobPublicAccess",
    ok: (v) => v === false,
    want: "false",
    unset: '"unset"',
  }),
  settingRule({
    id: "storage-network-default-deny",
    name: "The storage account's network default action is Deny",
    enforcement: "mandatory",
    why: "Shared-key access stays on (see the accepted exceptions), so the firewall is what keeps a leaked key from working anywhere but the lab subnet and operator IPs.",
    source: ["MCSB NS-2", "Checkov CKV_AZURE_35", "tfsec azure-storage-default-action-deny"],
    fix: 'Set networkRuleSet.defaultAction: "Deny" and admit the lab subnet and operator IPs explicitly.',
    type: T.storage,
    path: "networkRuleSet.defaultAction",
    ok: (v) => v === "Deny",
    want: '"Deny" and admit the lab subnet and operator IPs explicitly',
    unset: '"unset (Allow)"',
  }),
];
