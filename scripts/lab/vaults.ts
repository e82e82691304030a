// Which soft-deleted vaults a lab's destroy purges, as pure functions: only those the stack's own state records, by
// Azure's deleted-vault record, never by its outputs.

/** A soft-deleted vault, as Key Vault's purge API names it. */
export interface VaultRef {
  readonly name: string;
  readonly location: string;
  readonly subscriptionId: string;
  /** The original vault's ARM id: Azure's deleted-vault record, DeletedVault.properties.vaultId. */
  readonly vaultId?: string;
}

/** One resource of `pulumi stack export` (deployment.resources[]): Pulumi's record of what it created. */
export interface StateResource {
  readonly type?: unknown;
  readonly id?: unknown;
}

const RG_TYPE = "azure-native:resources:ResourceGroup";
const VAULT_TYPE = "azure-native:keyvault:Vault";
const RG_ID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourcegroups\/[-\w.()]{1,90}$/i;
const VAULT_ID =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+)\/providers\/microsoft\.keyvault\/vaults\/([a-z][a-z0-9-]{1,22}[a-z0-9])$/i;

/**
 * The vaults a stack owns, by its state: the resource groups and vaults Pulumi recorded creating (ResourceGroup and
 * Vault resources with their ARM ids), never the program's outputs. Ids compare case-insensitively, as ARM's do.
 */
export type OwnVaults =
  | { readonly resourceGroups: readonly { readonly id: string; readonly subscriptionId: string }[]; readonly names: readonly string[] }
  | { readonly problem: string };

/** The ids (lower case) of the resource groups the state records, with their subscriptions. */
export function stateResourceGroups(resources: readonly StateResource[] | undefined): { id: string; subscriptionId: string }[] {
  const out: { id: string; subscriptionId: string }[] = [];
  for (const r of resources ?? []) {
    const m = r.type === RG_TYPE && typeof r.id === "string" ? RG_ID.exec(r.id) : null;
    if (m && !out.some((g) => g.id === r.id!.toString().toLowerCase()))
      out.push({ id: (r.id as string).toLowerCase(), subscriptionId: m[1].toLowerCase() });
  }
  return out;
}

export function ownVaults(resources: readonly StateResource[] | undefined): OwnVaults {
  if (!resources?.length) return { problem: "the stack's state records no resources, so no vault is known to be its own" };
  const groups = stateResourceGroups(resources);
  if (!groups.length) return { problem: "the stack's state records no resource group" };
  const names = new Set<string>();
  for (const r of resources) {
    const m = r.type === VAULT_TYPE && typeof r.id === "string" ? VAULT_ID.exec(r.id) : null;
    if (m && groups.some((g) => g.id === m[1].toLowerCase())) names.add(m[2].toLowerCase());
  }
  if (!names.size)
    return { problem: "the stack's state records no vault in its resource group (deleted by an earlier destroy, or never created)" };
  return { resourceGroups: groups, names: [...names].sort() };
}

/**
 * Which soft-deleted vaults to purge: those whose original id (Azure's deleted-vault record, `properties.vaultId`)
 * lies in one of the stack's own resource groups, and whose name the state recorded for a Vault; nothing else.
 */
export function vaultsToPurge(own: OwnVaults, deleted: readonly VaultRef[]): VaultRef[] {
  if ("problem" in own) return [];
  return deleted.filter((v) => {
    const m = typeof v.vaultId === "string" ? VAULT_ID.exec(v.vaultId) : null;
    if (!m || m[2].toLowerCase() !== v.name.toLowerCase() || !own.names.includes(v.name.toLowerCase())) return false;
    const group = own.resourceGroups.find((g) => g.id === m[1].toLowerCase());
    return group !== undefined && group.subscriptionId === v.subscriptionId.toLowerCase();
  });
}

/** Soft-deleted vaults that came from one of `groups` (resource group ids, lower case): reported, never purged. */
export function vaultsFromGroups(groups: readonly string[], deleted: readonly VaultRef[]): VaultRef[] {
  return deleted.filter((v) => {
    const m = typeof v.vaultId === "string" ? VAULT_ID.exec(v.vaultId) : null;
    return m !== null && groups.includes(m[1].toLowerCase());
  });
}
