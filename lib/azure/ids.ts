// ARM resource ids, built and read one way everywhere. Assignments name their role by its full id and Azure compares
// it as given, so the lab, bootstrap/ and the policy agree only if they build it alike. Parsers compare the fixed
// segments case-insensitively, as ARM does, and refuse empty segments and trailing slashes.
import { ARM_TYPE } from "./tokens";

/** A GUID in its 8-4-4-4-12 hex form (subscription, tenant and object ids, role GUIDs), as a regex source. */
export const GUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/** Exactly a GUID. */
export const GUID = new RegExp(`^${GUID_PATTERN}$`);

/** `/subscriptions/<sub>`: a subscription's scope (the bootstrap's subscription-wide custom roles live there). */
export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

/** `/subscriptions/<sub>/resourceGroups/<rg>`. */
export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionScope(subscriptionId)}/resourceGroups/${resourceGroup}`;
}

/**
 * `/subscriptions/<sub>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>[/<childType>/<childName>...]`: the id
 * of a resource, from its ARM type (`Microsoft.KeyVault/vaults/secrets`) and one name per type segment.
 */
export function resourceId(subscriptionId: string, resourceGroup: string, armType: string, ...names: readonly string[]): string {
  const [namespace, ...types] = armType.split("/");
  if (types.length !== names.length) throw new Error(`${armType} takes ${types.length} name(s), got ${names.length}`);
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join("/")}`;
}

/** `<scope>/providers/<armType>/<name>`: an extension resource (role definition, role assignment) at any scope. */
export function extensionResourceId(scope: string, armType: string, name: string): string {
  return `${scope}/providers/${armType}/${name}`;
}

/** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`: a built-in or custom role by GUID. */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return extensionResourceId(subscriptionScope(subscriptionId), ARM_TYPE.roleDefinition, roleGuid);
}

const ROLE_DEFINITION_ID = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i;

/** The subscription and GUID of a subscription-level role definition id; undefined for anything else. */
export function parseRoleDefinitionId(id: string): { readonly subscriptionId: string; readonly guid: string } | undefined {
  const m = ROLE_DEFINITION_ID.exec(id);
  return m ? { subscriptionId: m[1], guid: m[2] } : undefined;
}

/** The subscription an id (or scope) is under; undefined when it names none. */
export function subscriptionOf(id: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1];
}

/** True for exactly `/subscriptions/<sub>`. */
export function isSubscriptionScope(id: string): boolean {
  return /^\/subscriptions\/[^/]+$/i.test(id);
}

/** The resource group of exactly `/subscriptions/<sub>/resourceGroups/<rg>`; undefined for anything else. */
export function resourceGroupOfId(id: string): string | undefined {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)$/i.exec(id)?.[1];
}

export interface ParsedResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** `Namespace/type[/childType...]`, as the id spells it. */
  readonly type: string;
  /** One name per type segment, parent first. */
  readonly names: readonly string[];
}

/**
 * A regex source for a resource id of `armType`, no anchors: `/subscriptions/<subscription>/resourceGroups/<resourceGroup>
 * /providers/<armType with a name after each type segment>`. Each part is a regex source (default: one segment,
 * captured); the fixed segments are escaped, so the caller chooses the flags (case-insensitive as ARM, or not).
 */
export function resourceIdPattern(
  armType: string,
  parts: { readonly subscription?: string; readonly resourceGroup?: string; readonly names?: readonly string[] } = {},
): string {
  const [namespace, ...types] = armType.split("/");
  const names = parts.names ?? types.map(() => "([^/]+)");
  if (names.length !== types.length) throw new Error(`${armType} takes ${types.length} name pattern(s), got ${names.length}`);
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return (
    `/subscriptions/${parts.subscription ?? "([^/]+)"}/resourceGroups/${parts.resourceGroup ?? "([^/]+)"}` +
    `/providers/${esc(namespace)}/${types.map((t, i) => `${esc(t)}/${names[i]}`).join("/")}`
  );
}

const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)((?:\/[^/]+\/[^/]+)+)$/i;

/** Reads a resource id in a resource group; undefined for anything else (a scope, an extension resource's id...). */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const m = RESOURCE_ID.exec(id);
  if (!m) return undefined;
  const segments = m[4].slice(1).split("/");
  const types = segments.filter((_, i) => i % 2 === 0);
  return {
    subscriptionId: m[1],
    resourceGroup: m[2],
    type: [m[3], ...types].join("/"),
    names: segments.filter((_, i) => i % 2 === 1),
  };
}

/** The parsed id when it is of `armType` (compared case-insensitively); undefined otherwise. */
export function parseResourceIdOf(id: string, armType: string): ParsedResourceId | undefined {
  const parsed = parseResourceId(id);
  return parsed && parsed.type.toLowerCase() === armType.toLowerCase() ? parsed : undefined;
}
