// Queries over the stack's resource graph: type tokens, Azure names, who a principal is, what a role allows, where a
// scope points. Principal ids are compared case-insensitively: Entra object ids are.
// Tokens and id parsers only: the roles the gate judges by are its own (./baseline), never lib/azure/roles.ts.
import { isSubscriptionScope, parseResourceIdOf, parseRoleDefinitionId, resourceGroupOfId, subscriptionScope } from "../lib/azure/ids";
import { ARM_TYPE, RANDOM_TYPE, TYPE } from "../lib/azure/tokens";
import { customRoleGuid } from "../lib/naming";
import { effectiveSeatsPerVault, shardOfSeat, vaultLogicalName } from "../lib/shards";
import { array, known, lastSegment, list, PolicyContext, PolicyResourceView } from "./engine";
import { BASELINE_LAB_ROLES } from "./baseline";
import { BUILTIN_NAMES } from "./roles";

/** The type tokens the gate judges: lib/azure's (each is the provider's own; a type the gate does not know is denied). */
export const T = { ...TYPE, randomPassword: RANDOM_TYPE.randomPassword } as const;

// Resources by type, once per evaluation: rules ask for the same types per grant, which in a large lab is thousands.
const typeIndex = new WeakMap<readonly PolicyResourceView[], Map<string, PolicyResourceView[]>>();
export function byType(resources: readonly PolicyResourceView[], type: string): readonly PolicyResourceView[] {
  let index = typeIndex.get(resources);
  if (!index) {
    index = new Map();
    for (const r of resources) {
      const list = index.get(r.type);
      if (list) list.push(r);
      else index.set(r.type, [r]);
    }
    typeIndex.set(resources, index);
  }
  return index.get(type) ?? [];
}
/** Azure names are in inputs (`vaultName`...) offline and in outputs (`name`) in the pack. */
export const azureName = (r: PolicyResourceView, key: string) =>
  known(r.inputs[key]) ? r.inputs[key] : known(r.props.name) ? r.props.name : r.name;
export const dependsOn = (r: PolicyResourceView, on: PolicyResourceView) => !!r.dependencies?.includes(on.urn);
export const sameId = (a: unknown, b: unknown) => known(a) && known(b) && a.toLowerCase() === b.toLowerCase();
/** Whether a value names a resource: its id when known, else a dependency on it (preview). */
export function refersTo(value: unknown, holder: PolicyResourceView, target: PolicyResourceView): boolean {
  const id = target.id ?? target.props.id;
  return known(value) && known(id) ? sameId(value, id) : dependsOn(holder, target);
}
/** Every run-command type, the VM-scoped one and any other the provider adds. */
export const isRunCommand = (r: PolicyResourceView) => /RunCommand/i.test(r.type);

/** A seat: a VM whose parent is the lab's DataScienceVm `seatN`, within config `seats`. */
export function seatNumber(vm: PolicyResourceView, ctx: PolicyContext): number | undefined {
  if (vm.type !== T.vm) return undefined;
  const seat = Number(/::seat(\d+)$/.exec(vm.parent ?? "")?.[1]);
  return seat > 0 && (ctx.seats === undefined || seat <= ctx.seats) ? seat : undefined;
}
export const seatVms = (resources: readonly PolicyResourceView[], ctx: PolicyContext) =>
  byType(resources, T.vm).filter((vm) => seatNumber(vm, ctx) !== undefined);
export const isWindows = (vm: PolicyResourceView) => !!vm.inputs.osProfile?.windowsConfiguration;
/** The seats' OS: config when known, else what the seats run. */
export const labOs = (resources: readonly PolicyResourceView[], ctx: PolicyContext): "ubuntu" | "windows" =>
  ctx.os ?? (byType(resources, T.vm).some(isWindows) ? "windows" : "ubuntu");

export type Principal =
  | { readonly kind: "seat"; readonly seat: number; readonly vm: PolicyResourceView }
  /** Preview only: an inline policy's principal that is one of the seats the vault waits for, not known yet. */
  | { readonly kind: "seatNotYetKnown" }
  | { readonly kind: "vm"; readonly vm: PolicyResourceView }
  | { readonly kind: "deployer" }
  | { readonly kind: "operator" }
  | { readonly kind: "labUsers" }
  | { readonly kind: "other"; readonly id: string };

export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case "seat":
      return `seat ${p.seat} identity`;
    case "seatNotYetKnown":
      return "a seat identity (known after deploy)";
    case "vm":
      return `VM ${azureName(p.vm, "vmName")} identity (not a seat)`;
    case "deployer":
      return "the deploying principal";
    case "operator":
      return "an operator (config operatorObjectIds)";
    case "labUsers":
      return "the lab users' group";
    case "other":
      return `principal ${p.id}`;
  }
}

/** Who a principal id is. Unknown (preview): the one VM the grant's inputs came from, if any. */
export function principalOf(
  principalId: unknown,
  holder: PolicyResourceView,
  resources: readonly PolicyResourceView[],
  ctx: PolicyContext,
): Principal {
  const vmPrincipal = (vm: PolicyResourceView): Principal => {
    const seat = seatNumber(vm, ctx);
    return seat !== undefined ? { kind: "seat", seat, vm } : { kind: "vm", vm };
  };
  if (known(principalId)) {
    const vm = byType(resources, T.vm).find((v) => sameId(v.props.identity?.principalId, principalId));
    if (vm) return vmPrincipal(vm);
    if (sameId(ctx.deployerObjectId, principalId)) return { kind: "deployer" };
    if ((ctx.operatorObjectIds ?? []).some((o) => sameId(o, principalId))) return { kind: "operator" };
    if (sameId(ctx.labUsersGroupObjectId, principalId)) return { kind: "labUsers" };
    return { kind: "other", id: principalId };
  }
  const vms = byType(resources, T.vm).filter((vm) => dependsOn(holder, vm));
  return vms.length === 1 ? vmPrincipal(vms[0]) : { kind: "other", id: principalId === undefined ? "(none given)" : String(principalId) };
}

export interface ResolvedRole {
  readonly name: string;
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
  readonly kind: "builtin" | "custom" | "unknown";
  /** The GUID, when known. */
  readonly guid?: string;
}

/** What a role definition id allows: a custom role of this stack, one of the lab's subscription roles, or a built-in. */
export function roleOf(roleDefinitionId: unknown, holder: PolicyResourceView, resources: readonly PolicyResourceView[]): ResolvedRole {
  const guid = known(roleDefinitionId) ? lastSegment(roleDefinitionId).toLowerCase() : undefined;
  const defs = byType(resources, T.roleDefinition);
  const definition = guid
    ? defs.find((d) => [d.inputs.roleDefinitionId, d.props.name].some((n) => sameId(n, guid)))
    : defs.find((d) => dependsOn(holder, d));
  if (definition) {
    const perms = array(definition.inputs.permissions);
    return {
      name: known(definition.inputs.roleName) ? definition.inputs.roleName : `custom role ${definition.name}`,
      actions: perms.flatMap((p) => list(p?.actions)),
      dataActions: perms.flatMap((p) => list(p?.dataActions)),
      kind: "custom",
      guid,
    };
  }
  if (!guid) return { name: "a role not known before deploy", actions: [], dataActions: [], kind: "unknown" };
  // The lab's roles made once per subscription (customRoleSource subscription): their GUID is derived from the
  // subscription in the id itself, so a role id of another subscription or made up does not match.
  const sub = parseRoleDefinitionId(String(roleDefinitionId))?.subscriptionId;
  if (sub) {
    for (const role of Object.values(BASELINE_LAB_ROLES)) {
      if (customRoleGuid(subscriptionScope(sub), role.seed) === guid)
        return {
          name: `${role.name} (the subscription's lab role)`,
          actions: role.actions,
          dataActions: role.dataActions,
          kind: "custom",
          guid,
        };
    }
  }
  const builtin = BUILTIN_NAMES[guid];
  return builtin
    ? { ...builtin, kind: "builtin", guid }
    : { name: `unknown role ${guid}`, actions: [], dataActions: [], kind: "unknown", guid };
}

export interface ScopeTarget {
  readonly kind: "storage" | "vault" | "secret" | "vm" | "other";
  /** The resource of this stack the scope is, or is under (the vault for a secret). */
  readonly target?: PolicyResourceView;
  readonly label: string;
}

/** The scopes that can be one of the lab's resources: by ARM type, the lab's type and the input naming it. */
const SCOPE_PATTERNS: readonly { readonly kind: ScopeTarget["kind"]; readonly type: string; readonly key: string; readonly arm: string }[] =
  [
    { kind: "storage", type: T.storage, key: "accountName", arm: ARM_TYPE.storage },
    { kind: "vault", type: T.vault, key: "vaultName", arm: ARM_TYPE.vault },
    // A secret's scope names its vault first: the target is the vault.
    { kind: "secret", type: T.vault, key: "vaultName", arm: ARM_TYPE.secret },
    { kind: "vm", type: T.vm, key: "vmName", arm: ARM_TYPE.vm },
  ];

/** Describes a scope that is none of the lab's resources. */
export function scopeKind(scope: string): string {
  if (resourceGroupOfId(scope) !== undefined) return `the resource group ${scope}`;
  if (isSubscriptionScope(scope)) return `the subscription ${scope}`;
  if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope) || scope === "/")
    return `the management group or tenant root ${scope}`;
  return `the scope ${scope}`;
}

/** Where a scope points: a storage account, vault, secret or VM of this stack (its own resource group), or elsewhere. */
export function scopeOf(scope: unknown, holder: PolicyResourceView, resources: readonly PolicyResourceView[]): ScopeTarget {
  const rgs = byType(resources, T.resourceGroup);
  const groups = rgs.map((g) => azureName(g, "resourceGroupName").toLowerCase());
  // The lab's resource groups by id when known: a same-named group in another subscription is not the lab's.
  const groupIds = rgs
    .map((g) => g.id ?? g.props.id)
    .filter(known)
    .map((id) => id.toLowerCase());
  if (known(scope)) {
    for (const p of SCOPE_PATTERNS) {
      const m = parseResourceIdOf(scope, p.arm);
      if (!m || (groups.length && !groups.includes(m.resourceGroup.toLowerCase()))) continue;
      if (groupIds.length && !groupIds.some((id) => scope.toLowerCase().startsWith(`${id}/`))) continue;
      const target = byType(resources, p.type).find((r) => azureName(r, p.key).toLowerCase() === m.names[0].toLowerCase());
      if (target)
        return {
          kind: p.kind,
          target,
          label: `${p.kind === "secret" ? `secret ${lastSegment(scope)} in ` : ""}${p.kind === "secret" ? "vault" : p.kind === "storage" ? "storage account" : p.kind} ${azureName(target, p.key)}`,
        };
    }
    return { kind: "other", label: scopeKind(scope) };
  }
  // Preview: the scope is unknown, so it is what the assignment's inputs came from, when that is one resource.
  const secrets = byType(resources, T.secret).filter((s) => dependsOn(holder, s));
  for (const p of SCOPE_PATTERNS.filter((x) => x.kind !== "secret")) {
    const targets = byType(resources, p.type).filter((r) => dependsOn(holder, r));
    if (targets.length === 1) {
      const kind = p.kind === "vault" && secrets.length ? "secret" : p.kind;
      return { kind, target: targets[0], label: `${p.kind} ${azureName(targets[0], p.key)}` };
    }
  }
  return { kind: "other", label: "a scope not known before deploy that is none of the lab's resources" };
}

export interface PolicyEntry {
  readonly holder: PolicyResourceView;
  readonly objectId: unknown;
  readonly applicationId: unknown;
  readonly tenantId: unknown;
  readonly permissions: Record<string, unknown>;
  /** The vault's name, and the vault when it is in this stack. */
  readonly vaultName: string;
  readonly vault?: PolicyResourceView;
  readonly where: string;
}

/** Every access policy, standalone or inline, with the vault it is on. */
export function accessPolicies(resources: readonly PolicyResourceView[]): PolicyEntry[] {
  const vaults = byType(resources, T.vault);
  const out: PolicyEntry[] = [];
  for (const r of resources) {
    if (r.type === T.accessPolicy) {
      const p = r.inputs.policy ?? {};
      const vault = vaults.find(
        (v) => refersTo(r.inputs.vaultName, r, v) || (known(r.inputs.vaultName) && azureName(v, "vaultName") === r.inputs.vaultName),
      );
      out.push({
        holder: r,
        objectId: p.objectId,
        applicationId: p.applicationId,
        tenantId: p.tenantId,
        permissions: p.permissions ?? {},
        vaultName: vault ? azureName(vault, "vaultName") : String(r.inputs.vaultName),
        vault,
        where: `access policy ${r.name}`,
      });
    }
    if (r.type === T.vault) {
      array(r.inputs.properties?.accessPolicies).forEach((p: any, i: number) =>
        out.push({
          holder: r,
          objectId: p?.objectId,
          applicationId: p?.applicationId,
          tenantId: p?.tenantId,
          permissions: p?.permissions ?? {},
          vaultName: azureName(r, "vaultName"),
          vault: r,
          where: `inline access policy #${i + 1} of ${r.name}`,
        }),
      );
    }
  }
  return out;
}

/** `secrets/get`-style permissions of an access policy, lower-cased. */
export const policyPermissions = (permissions: Record<string, unknown>) =>
  Object.entries(permissions).flatMap(([kind, v]) => list(v).map((p) => `${kind}/${p}`.toLowerCase()));

/**
 * Whether a vault is the seat's own: the shard lib/shards.ts gives the seat (the SecretVault component the vault is
 * in). Unknown when config or the vault's component is: then any of the lab's vaults.
 */
export function isOwnVault(seat: number, vault: PolicyResourceView, ctx: PolicyContext): boolean {
  const component = /::([^:]+)$/.exec(vault.parent ?? "")?.[1];
  if (ctx.seats === undefined || ctx.seatsPerVault === undefined || !component) return true;
  const perVault = effectiveSeatsPerVault(ctx.seats, ctx.seatsPerVault, vault.inputs.properties?.enableRbacAuthorization === true);
  return vaultLogicalName(shardOfSeat(seat, perVault)) === component;
}
