// The Azure clouds' endpoints and DNS suffixes the lab reads or writes: Key Vault URIs, blob endpoints, ARM and the
// token audiences. The public cloud is the default; the others are accepted where an output is read back
// (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-and-certificates, and docs.azure.cn's copy).

export interface AzureCloud {
  /** `https://<vault>.<vaultSuffix>/`. */
  readonly vaultSuffix: string;
  /** `https://<account>.blob.<storageSuffix>/`. */
  readonly storageSuffix: string;
}

export const CLOUDS = {
  AzureCloud: { vaultSuffix: "vault.azure.net", storageSuffix: "core.windows.net" },
  AzureChinaCloud: { vaultSuffix: "vault.azure.cn", storageSuffix: "core.chinacloudapi.cn" },
  AzureUSGovernment: { vaultSuffix: "vault.usgovcloudapi.net", storageSuffix: "core.usgovcloudapi.net" },
} as const satisfies Record<string, AzureCloud>;

/** Key Vault DNS suffixes of the clouds in service. */
export const VAULT_DNS_SUFFIXES: readonly string[] = Object.values(CLOUDS).map((c) => c.vaultSuffix);
/** The retired Azure Germany's vault suffix: a vault URI read back may still carry it. */
export const RETIRED_VAULT_DNS_SUFFIXES: readonly string[] = ["vault.microsoftazure.de"];
/** Blob endpoint suffixes (`blob.<storageSuffix>`) of the clouds in service. */
export const BLOB_DNS_SUFFIXES: readonly string[] = Object.values(CLOUDS).map((c) => `blob.${c.storageSuffix}`);

/** A regex alternation of DNS suffixes, dots escaped: `vault\.azure\.net|vault\.azure\.cn|...`. */
export function suffixAlternation(suffixes: readonly string[]): string {
  return suffixes.map((s) => s.replace(/\./g, "\\.")).join("|");
}

/** The public cloud's endpoints and the token audiences (resource ids) the lab asks IMDS and Entra for. */
export const PUBLIC_CLOUD = {
  arm: "https://management.azure.com/",
  /** The ARM audience as a v2 scope. */
  armScope: "https://management.azure.com/.default",
  vaultAudience: "https://vault.azure.net",
  login: "https://login.microsoftonline.com/",
} as const;

/** `https://<vault>.vault.azure.net/`: a vault's URI in the public cloud. */
export function vaultUri(vaultName: string): string {
  return `https://${vaultName}.${CLOUDS.AzureCloud.vaultSuffix}/`;
}

/** `https://<account>.<service>.core.windows.net/`: a storage account's endpoint in the public cloud. */
export function storageEndpoint(accountName: string, service: "blob" | "queue" | "table" | "file"): string {
  return `https://${accountName}.${service}.${CLOUDS.AzureCloud.storageSuffix}/`;
}
