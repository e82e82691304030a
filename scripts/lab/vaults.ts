// Which soft-deleted vaults a lab's destroy purges, as pure functions: only those the stack's own state records, by
// Azure's deleted-vault record, never by its outputs.
import { ARM_TYPE, GUID, NAME_PATTERN, parseResourceIdOf, resourceGroupId, resourceGroupOfId, subscriptionOf, TYPE } from "../../lib/azure";

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

const RG_NAME = new RegExp(`^${NAME_PATTERN.resourceGroup}$`);
const VAULT_NAME = new RegExp(`^${NAME_PATTERN.vault}$`);

/** A resource group id whose subscription is a GUID and whose name Azure allows: its subscription (lower case). */
function resourceGroupSubscription(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  const rg = resourceGroupOfId(id);
  const sub = subscriptionOf(id);
  return rg !== undefined && sub !== undefined && GUID.test(sub) && RG_NAME.test(rg) ? sub.toLowerCase() : undefined;
}

/** A vault id with a name Key Vault allows: its resource group's id and its name, both lower case (ARM ids compare so). */
function vaultOf(id: unknown): { group: string; name: string } | undefined {
  const v = typeof id === "string" ? parseResourceIdOf(id, ARM_TYPE.vault) : undefined;
  return v && VAULT_NAME.test(v.names[0])
    ? { group: resourceGroupId(v.subscriptionId, v.resourceGroup).toLowerCase(), name: v.names[0].toLowerCase() }
    : undefined;
}

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
    const sub = r.type === TYPE.resourceGroup ? resourceGroupSubscription(r.id) : undefined;
    if (sub && !out.some((g) => g.id === r.id!.toString().toLowerCase()))
      out.push({ id: (r.id as string).toLowerCase(), subscriptionId: sub });
  }
  return out;
}

export function ownVaults(resources: readonly StateResource[] | undefined): OwnVaults {
  if (!resources?.length) return { problem: "the stack's state records no resources, so no vault is known to be its own" };
  const groups = stateResourceGroups(resources);
  if (!groups.length) return { problem: "the stack's state records no resource group" };
  const names = new Set<string>();
  for (const r of resources) {
    const v = r.type === TYPE.vault ? vaultOf(r.id) : undefined;
    if (v && groups.some((g) => g.id === v.group)) names.add(v.name);
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
    const m = vaultOf(v.vaultId);
    if (!m || m.name !== v.name.toLowerCase() || !own.names.includes(v.name.toLowerCase())) return false;
    const group = own.resourceGroups.find((g) => g.id === m.group);
    return group !== undefined && group.subscriptionId === v.subscriptionId.toLowerCase();
  });
}

/** Soft-deleted vaults that came from one of `groups` (resource group ids, lower case): reported, never purged. */
export function vaultsFromGroups(groups: readonly string[], deleted: readonly VaultRef[]): VaultRef[] {
  return deleted.filter((v) => {
    const m = vaultOf(v.vaultId);
    return m !== undefined && groups.includes(m.group);
  });
}
