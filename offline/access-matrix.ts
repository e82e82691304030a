// Who may do what on which resource, derived from what the program registered: vault access policies (standalone
// and inline) and role assignments. Seats' identities are named "seat N identity".
import { BUILTIN_NAMES } from "../policy/roles";
import type { RecordedResource } from "./harness";
import {
  ARM_TYPE,
  isSubscriptionScope,
  LAB_CUSTOM_ROLES,
  parseResourceIdOf,
  parseRoleDefinitionId,
  subscriptionScope,
  TYPE,
} from "../lib/azure";
import { customRoleGuid } from "../lib/naming";

/** One of the lab's custom roles referenced from the subscription (customRoleSource subscription), by its GUID. */
function labRoleAtSubscription(roleDefinitionId: string): { name: string; actions: string[] } | undefined {
  const sub = parseRoleDefinitionId(roleDefinitionId)?.subscriptionId;
  const role = sub
    ? Object.values(LAB_CUSTOM_ROLES).find((x) => customRoleGuid(subscriptionScope(sub), x.seed) === roleDefinitionId.split("/").pop())
    : undefined;
  return role && { name: role.name, actions: [...role.actions, ...role.dataActions] };
}

export interface AccessRow {
  /** "seat 1 identity", "deploying principal (operator)", "operator <object id>", or the bare id. */
  readonly principal: string;
  readonly principalId: string;
  readonly seat?: number;
  /** "key vault <name>", "secret <name> in key vault <vault>", "storage account <name>", "resource group <name>", or the scope id. */
  readonly resource: string;
  /** Key Vault permissions as `secrets/get`, role permissions as ARM actions and then data actions. */
  readonly permissions: readonly string[];
  /** "access policy", "inline access policy" or "role: <role name>". */
  readonly via: string;
}

/** Built-in roles the lab knows by id (policy/roles.ts, which the policy gate judges assignments with). */
export { BUILTIN_NAMES };

const lastSegment = (id: string) => id.split("/").filter(Boolean).pop() ?? id;

export interface PrincipalNames {
  /** The deploying principal's object id. */
  readonly deployer?: string;
}

export function principalLabels(
  resources: readonly RecordedResource[],
  names: PrincipalNames = {},
): Map<string, { label: string; seat?: number }> {
  const labels = new Map<string, { label: string; seat?: number }>();
  for (const r of resources) {
    if (r.type !== TYPE.vm) continue;
    const principalId = r.state.identity?.principalId;
    const seat = /::seat(\d+)$/.exec(r.parent ?? "")?.[1];
    if (principalId)
      labels.set(principalId, seat ? { label: `seat ${seat} identity`, seat: Number(seat) } : { label: `VM ${r.state.name} identity` });
  }
  if (names.deployer) labels.set(names.deployer, { label: "deploying principal (operator)" });
  return labels;
}

function describeScope(scope: string, resources: readonly RecordedResource[]): string {
  const owner = resources.find((r) => r.id === scope);
  switch (owner?.type) {
    case TYPE.storage:
      return `storage account ${owner.state.name}`;
    case TYPE.resourceGroup:
      return `resource group ${owner.state.name}`;
    case TYPE.vault:
      return `key vault ${owner.state.name}`;
    case TYPE.vm:
      return `virtual machine ${owner.state.name}`;
    case TYPE.secret:
      return `secret ${owner.state.name} in key vault ${owner.inputs.vaultName}`;
  }
  // A secret scope whose secret this stack does not create: still named in the vault's terms.
  const secret = parseResourceIdOf(scope, ARM_TYPE.secret);
  if (secret) return `secret ${secret.names[1]} in key vault ${secret.names[0]}`;
  if (isSubscriptionScope(scope)) return `subscription ${lastSegment(scope)}`;
  return scope;
}

function policyPermissions(permissions: Record<string, string[] | undefined> | undefined): string[] {
  return Object.entries(permissions ?? {}).flatMap(([kind, list]) => (list ?? []).map((p) => `${kind}/${p}`));
}

export function accessMatrix(resources: readonly RecordedResource[], names: PrincipalNames = {}): AccessRow[] {
  const labels = principalLabels(resources, names);
  // Principals that role assignments name as groups (the lab-users group on each VM's login role).
  const groups = new Set(
    resources
      .filter((r) => r.type === TYPE.roleAssignment && r.inputs.principalType === "Group")
      .map((r) => r.inputs.principalId as string),
  );
  const who = (principalId: string) => {
    const known = labels.get(principalId);
    return {
      principal: known?.label ?? (groups.has(principalId) ? `group ${principalId}` : `operator ${principalId}`),
      principalId,
      ...(known?.seat ? { seat: known.seat } : {}),
    };
  };
  const rows: AccessRow[] = [];
  for (const r of resources) {
    if (r.type === TYPE.accessPolicy) {
      const p = r.inputs.policy ?? {};
      rows.push({
        ...who(p.objectId),
        resource: `key vault ${r.inputs.vaultName}`,
        permissions: policyPermissions(p.permissions),
        via: "access policy",
      });
    }
    if (r.type === TYPE.vault) {
      for (const p of r.inputs.properties?.accessPolicies ?? []) {
        rows.push({
          ...who(p.objectId),
          resource: `key vault ${r.state.name}`,
          permissions: policyPermissions(p.permissions),
          via: "inline access policy",
        });
      }
    }
    if (r.type === TYPE.roleAssignment) {
      const roleGuid = lastSegment(r.inputs.roleDefinitionId ?? "");
      const custom = resources.find((d) => d.type === TYPE.roleDefinition && d.state.name === roleGuid);
      const role = custom
        ? {
            name: custom.inputs.roleName as string,
            actions: (custom.inputs.permissions ?? []).flatMap((p: any) => [...(p.actions ?? []), ...(p.dataActions ?? [])]),
          }
        : BUILTIN_NAMES[roleGuid]
          ? { name: BUILTIN_NAMES[roleGuid].name, actions: [...BUILTIN_NAMES[roleGuid].actions, ...BUILTIN_NAMES[roleGuid].dataActions] }
          : (labRoleAtSubscription(r.inputs.roleDefinitionId ?? "") ?? {
              name: `role ${roleGuid}`,
              actions: ["(unknown role: see its definition)"],
            });
      rows.push({
        ...who(r.inputs.principalId),
        resource: describeScope(r.inputs.scope, resources),
        permissions: role.actions,
        via: `role: ${role.name}`,
      });
    }
  }
  return rows.sort(
    (a, b) => (a.seat ?? 1e9) - (b.seat ?? 1e9) || a.principal.localeCompare(b.principal) || a.resource.localeCompare(b.resource),
  );
}
