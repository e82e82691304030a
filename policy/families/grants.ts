// Inventory 1: every grant to every principal (access policies standalone and inline, role assignments at any scope,
// PIM schedules and anything else that names a principal and a role, managed identities, custom roles), checked
// against the documented access matrix. Anything else names the principal, the permission and the scope.
import { DECLARED_BUILTIN_GRANTS, DECLARED_CUSTOM_ROLES, howToAllow } from "../allow-list";
import {
  BASELINE_BUILTIN_ROLES,
  BASELINE_LAB_ROLES,
  BASELINE_ROLE_IDS as BUILTIN_ROLES,
  LIST_KEYS_ACTION,
  OPERATOR_SECRET_PERMISSIONS,
  VM_SECRET_DATA_ACTIONS,
  VM_SECRET_PERMISSIONS,
} from "../baseline";
import { resourceGroupOfId } from "../../lib/azure/ids";
import { customRoleGuid, deterministicGuid } from "../../lib/naming";
import { array, Finding, known, list, lower, PolicyContext, PolicyResourceView, Rule, shownList } from "../engine";
import {
  accessPolicies,
  azureName,
  byType,
  dependsOn,
  isOwnVault,
  seatVms,
  isWindows,
  Principal,
  principalLabel,
  principalOf,
  ResolvedRole,
  roleOf,
  scopeKind,
  ScopeTarget,
  scopeOf,
  seatNumber,
  T,
} from "../graph";

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(lower(a));
  const y = new Set(lower(b));
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/** Secret permissions each kind of principal may hold in an access policy. */
function allowedPolicyPermissions(p: Principal): readonly string[] {
  if (p.kind === "seat" || p.kind === "seatNotYetKnown") return VM_SECRET_PERMISSIONS.map((x) => `secrets/${x}`);
  if (p.kind === "deployer" || p.kind === "operator") return OPERATOR_SECRET_PERMISSIONS.map((x) => `secrets/${x}`);
  return [];
}

/** What the matrix lets this kind of principal hold, for a message. */
function matrixFor(p: Principal): string {
  switch (p.kind) {
    case "seat":
    case "seatNotYetKnown":
      return "a seat may hold secrets get+set on its own vault (or the get+set-only role on its secrets) and the listKeys-only role on the lab's storage account";
    case "deployer":
    case "operator":
      return "operators may hold their access policy (get, list, set, delete, recover) or Key Vault Secrets Officer on the lab's vaults, and Virtual Machine Administrator Login on Windows seats";
    case "labUsers":
      return "the lab users' group may hold Virtual Machine User Login on the seats";
    default:
      return "the access matrix names no grant for this principal";
  }
}

const isOperator = (p: Principal) => p.kind === "deployer" || p.kind === "operator";
const roleText = (role: ResolvedRole) => `"${role.name}" (actions ${shownList(role.actions)}, dataActions ${shownList(role.dataActions)})`;

/** Whether the matrix allows this principal to hold this role at this scope. */
function roleAllowed(p: Principal, role: ResolvedRole, scope: ScopeTarget, ctx: PolicyContext): boolean {
  if (role.kind === "unknown") return false;
  const builtin = (id: string) => role.kind === "builtin" && role.guid === id;
  const declared = (id: string, on: (typeof DECLARED_BUILTIN_GRANTS)[number]["on"]) =>
    DECLARED_BUILTIN_GRANTS.some((g) => g.role === id && g.on === on);
  const onSeat = scope.kind === "vm" && !!scope.target && seatNumber(scope.target, ctx) !== undefined;
  if (p.kind === "seat") {
    if (scope.kind === "storage") {
      const listKeysOnly = role.kind === "custom" && sameSet(role.actions, [LIST_KEYS_ACTION]) && role.dataActions.length === 0;
      return (
        listKeysOnly ||
        (ctx.listKeysRole === "builtin" &&
          builtin(BUILTIN_ROLES.storageAccountKeyOperator) &&
          declared(BUILTIN_ROLES.storageAccountKeyOperator, "storage"))
      );
    }
    if (scope.kind === "vault" || scope.kind === "secret")
      return (
        role.kind === "custom" &&
        role.actions.length === 0 &&
        sameSet(role.dataActions, VM_SECRET_DATA_ACTIONS) &&
        isOwnVault(p.seat, scope.target!, ctx)
      );
    return false;
  }
  if (isOperator(p)) {
    if (scope.kind === "vault")
      return builtin(BUILTIN_ROLES.keyVaultSecretsOfficer) && declared(BUILTIN_ROLES.keyVaultSecretsOfficer, "vault");
    return (
      onSeat &&
      isWindows(scope.target!) &&
      builtin(BUILTIN_ROLES.virtualMachineAdministratorLogin) &&
      declared(BUILTIN_ROLES.virtualMachineAdministratorLogin, "windowsSeat")
    );
  }
  if (p.kind === "labUsers")
    return onSeat && builtin(BUILTIN_ROLES.virtualMachineUserLogin) && declared(BUILTIN_ROLES.virtualMachineUserLogin, "seat");
  return false;
}

/**
 * A lab role's GUID is its deterministic one (customRoleGuid of its resource group and the role's seed): a definition
 * with a built-in role's GUID, or any other GUID, redefines a role some other grant or person relies on.
 */
function customRoleIdProblems(d: PolicyResourceView, key: keyof typeof BASELINE_LAB_ROLES | undefined): string[] {
  const id = d.inputs.roleDefinitionId ?? d.props.name;
  if (!known(id)) return [];
  const guid = String(id).split("/").pop()!.toLowerCase();
  const builtin = BASELINE_BUILTIN_ROLES[guid];
  if (builtin) return [`its GUID ${guid} is the built-in role "${builtin.name}"'s: a custom role must never reuse a built-in role's id`];
  const scope = d.inputs.scope ?? list(d.inputs.assignableScopes)[0];
  if (!key || !known(scope)) return [];
  // The storage role keeps the GUID it first shipped with (the scope as given, not lower-cased): both are computed.
  const expected = customRoleGuid(String(scope), BASELINE_LAB_ROLES[key].seed);
  return expected === guid || deterministicGuid(String(scope), BASELINE_LAB_ROLES[key].seed) === guid
    ? []
    : [
        `its GUID ${guid} is not the lab role's computed one (${expected}, from its resource group and seed "${BASELINE_LAB_ROLES[key].seed}")`,
      ];
}

/** Anything that grants a principal a role: role assignments, PIM eligibility and assignment schedules, and the like. */
export const isRoleGrant = (r: PolicyResourceView) =>
  r.type !== T.roleDefinition &&
  r.inputs.principalId !== undefined &&
  (r.inputs.roleDefinitionId !== undefined || r.inputs.roleDefinitionName !== undefined);

const MATRIX_SOURCE = [
  "seed step 2 (get, set)",
  "seed step 4 (listKeys)",
  "MCSB PA-7 (least privilege)",
  "MCSB PA-1 (limit privileged users)",
];

export const grantRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "grant-access-policies",
    name: "Every Key Vault access policy, standalone or inline, is one the access matrix names",
    enforcement: "mandatory",
    why: "A vault's access policies are its door list. Seats may get and set secrets (never list, delete or purge), operators may manage them, and nobody else is in it; an id in another case is the same principal (Entra ids are case-insensitive).",
    source: MATRIX_SOURCE,
    fix: "Grant seats secrets get+set only, operators OPERATOR_SECRET_PERMISSIONS only, and no one else; add a principal to config operatorObjectIds if it really operates the lab.",
    check: (resources, ctx) => {
      // Preview: seats' ids are unknown until their VMs exist, and an inline policy depends on all of them. An entry
      // with an unknown id counts as a seat's while the vault has no more such entries than seats it depends on.
      const entries = accessPolicies(resources);
      const unknownSeatSlots = new Map<PolicyResourceView, number>();
      for (const v of byType(resources, T.vault))
        unknownSeatSlots.set(
          v,
          seatVms(resources, ctx).filter((vm) => dependsOn(v, vm)).length -
            entries.filter((e) => e.holder === v && !known(e.objectId)).length,
        );
      return entries.flatMap((e): Finding[] => {
        const unknownSeat = e.holder.type === T.vault && !known(e.objectId) && (unknownSeatSlots.get(e.holder) ?? -1) >= 0;
        const p: Principal = unknownSeat ? { kind: "seatNotYetKnown" } : principalOf(e.objectId, e.holder, resources, ctx);
        const who = principalLabel(p);
        const perms = lower(Object.entries(e.permissions).flatMap(([k, v]) => list(v).map((x) => `${k}/${x}`)));
        const allowed = allowedPolicyPermissions(p);
        const extra = perms.filter((x) => !allowed.includes(x));
        const problems: string[] = [];
        if (!e.vault) problems.push(`it is on vault ${e.vaultName}, which is not the lab's`);
        else if (p.kind === "seat" && !isOwnVault(p.seat, e.vault, ctx))
          problems.push(`vault ${e.vaultName} is not seat ${p.seat}'s own vault`);
        const tenant = e.vault?.inputs.properties?.tenantId;
        if (known(e.tenantId) && known(tenant) && e.tenantId.toLowerCase() !== tenant.toLowerCase())
          problems.push(`it names tenant ${e.tenantId}, not the vault's`);
        if (known(e.applicationId))
          problems.push(`it names an application (${e.applicationId}) acting for the principal, which the matrix never does`);
        if (extra.length)
          problems.push(
            `${shownList(extra)} ${allowed.length ? `is beyond what it may hold (${shownList(allowed)})` : "is not in the access matrix"}`,
          );
        if (allowed.length === 0 && !extra.length) problems.push("the principal is not in the access matrix");
        return problems.length
          ? [
              {
                urn: e.holder.urn,
                message: `${who} holds ${shownList(perms)} on vault ${e.vaultName} (${e.where}): ${problems.join("; ")}. Remove ${extra.length ? shownList(extra) : "the policy"}; ${matrixFor(p)}. ${howToAllow("another grant")}`,
              },
            ]
          : [];
      });
    },
  },
  {
    kind: "stack",
    id: "grant-role-assignments",
    name: "Every role grant (assignment at any scope, PIM eligibility or schedule) is one the access matrix names",
    enforcement: "mandatory",
    why: "A role assignment anywhere (subscription, resource group, the lab's resources) or a role made eligible through PIM is a way to power the lab does not need. Only the matrix's grants are allowed: seats' listKeys and get+set roles, operators' Secrets Officer and Windows admin sign-in, lab users' VM sign-in.",
    source: [...MATRIX_SOURCE, "Checkov CKV_AZURE_39 (no custom owner roles)"],
    fix: "Remove the grant, or change it to the matrix's role at the matrix's scope; never assign Owner, Contributor or a wildcard role, and never through PIM.",
    check: (resources, ctx) =>
      resources.filter(isRoleGrant).flatMap((r): Finding[] => {
        const p = principalOf(r.inputs.principalId, r, resources, ctx);
        const role = roleOf(r.inputs.roleDefinitionId ?? r.inputs.roleDefinitionName, r, resources);
        const scope = scopeOf(r.inputs.scope, r, resources);
        const pim = r.type !== T.roleAssignment;
        if (!pim && roleAllowed(p, role, scope, ctx)) return [];
        const why = pim
          ? `${r.type.split(":").pop()} is a privileged-identity (PIM) grant, which the access matrix never uses`
          : role.kind === "unknown"
            ? `${role.name} is neither a built-in role the gate knows nor one of the lab's custom roles, so its permissions cannot be judged`
            : `not in the access matrix (${matrixFor(p)})`;
        return [
          {
            urn: r.urn,
            message: `${principalLabel(p)} holds ${roleText(role)} on ${scope.label} via ${r.name}: ${why}. Remove it. ${howToAllow("another grant")}`,
          },
        ];
      }),
  },
  {
    kind: "stack",
    id: "grant-managed-identities",
    name: "Only seats have a managed identity, and it is system-assigned",
    enforcement: "mandatory",
    why: "Every identity is a principal that can be granted anything. Seats need exactly one, their own system identity; a user-assigned identity outlives its VM, can be attached to other resources, and is how a grant reaches somewhere the matrix cannot see.",
    source: ["seed step 1 (the VM's system-assigned identity)", "MCSB IM-3 (managed identities)", "MCSB PA-7"],
    fix: 'Keep identity { type: "SystemAssigned" } on seat VMs only; remove user-assigned identities and identities on other resources.',
    check: (resources, ctx) =>
      resources.flatMap((r): Finding[] => {
        if (/managedidentity:/i.test(r.type))
          return [
            {
              urn: r.urn,
              message: `${r.type.split(":").pop()} ${r.name} is a managed identity the access matrix does not name: remove it. ${howToAllow("another identity")}`,
            },
          ];
        const id = r.inputs.identity;
        if (!id || typeof id !== "object") return [];
        const type = String(id.type ?? "");
        const uai = Object.keys(id.userAssignedIdentities ?? {});
        if (!uai.length && /^(none)?$/i.test(type)) return [];
        const seat = seatNumber(r, ctx) !== undefined;
        if (seat && /^SystemAssigned$/i.test(type) && !uai.length) return [];
        const what = [type && `identity type ${JSON.stringify(type)}`, uai.length && `user-assigned identities ${shownList(uai)}`]
          .filter(Boolean)
          .join(" and ");
        return [
          {
            urn: r.urn,
            message: `${seat ? `Seat VM ${azureName(r, "vmName")}` : `${r.type.split(":").pop()} ${r.name}`} has ${what}: ${seat ? "a seat has its system-assigned identity only; remove the user-assigned ones" : "only seats have an identity; remove it"}. ${howToAllow("another identity")}`,
          },
        ];
      }),
  },
  {
    kind: "stack",
    id: "grant-custom-roles",
    name: "Custom role definitions are exactly the lab's two roles, assignable in the lab's resource group only",
    enforcement: "mandatory",
    why: "A custom role is a permission set anyone in its assignable scopes can be given. The lab's are listKeys only, and get+set secrets only; a wildcard, an extra action or a subscription-wide scope turns them into something else.",
    source: ["seed step 4", "seed step 2", "MCSB PA-7", "tfsec azure-authorization-limit-role-actions", "Checkov CKV_AZURE_39"],
    fix: "Keep the role's permissions exactly as declared (DECLARED_CUSTOM_ROLES) and its assignableScopes the lab's resource group.",
    check: (resources) => {
      const groups = byType(resources, T.resourceGroup);
      return byType(resources, T.roleDefinition).flatMap((d): Finding[] => {
        const perms = array(d.inputs.permissions);
        const actions = perms.flatMap((p) => list(p?.actions));
        const dataActions = perms.flatMap((p) => list(p?.dataActions));
        const problems: string[] = [];
        const matched = DECLARED_CUSTOM_ROLES.find(
          (c) =>
            sameSet(c.actions, actions) &&
            sameSet(c.dataActions, dataActions) &&
            sameSet(BASELINE_LAB_ROLES[c.key].actions, actions) &&
            sameSet(BASELINE_LAB_ROLES[c.key].dataActions, dataActions),
        );
        if (!matched) {
          problems.push(
            `its permissions (actions ${shownList(actions)}, dataActions ${shownList(dataActions)}) are none of the lab's roles (${DECLARED_CUSTOM_ROLES.map((c) => shownList([...c.actions, ...c.dataActions])).join(" or ")})`,
          );
        }
        const notPerms = perms.flatMap((p) => [...list(p?.notActions), ...list(p?.notDataActions)]);
        if (notPerms.length)
          problems.push(`it has notActions/notDataActions ${shownList(notPerms)} (the lab's roles list what they allow, nothing else)`);
        problems.push(...customRoleIdProblems(d, matched?.key));
        const scopes = [...list(d.inputs.assignableScopes), d.inputs.scope].filter((x) => x !== undefined);
        // Preview: a scope not known yet is the lab's resource group only if the definition's inputs came from it.
        const isGroup = (s: unknown) =>
          known(s)
            ? groups.some((g) => resourceGroupOfId(s)?.toLowerCase() === azureName(g, "resourceGroupName").toLowerCase())
            : groups.some((g) => dependsOn(d, g));
        const wide = scopes.filter((s) => !isGroup(s)).map(String);
        if (wide.length) problems.push(`it is assignable at ${wide.map(scopeKind).join(", ")}, not only the lab's resource group`);
        return problems.length
          ? [
              {
                urn: d.urn,
                message: `Custom role ${d.name}: ${problems.join("; ")}. Remove what is extra. ${howToAllow("another custom role")}`,
              },
            ]
          : [];
      });
    },
  },
  {
    kind: "stack",
    id: "vm-identity-system-assigned",
    name: "A seat that a grant names has a system-assigned identity",
    enforcement: "mandatory",
    why: "Seats reach Key Vault and storage as their own managed identity, so no credential ever lives on the VM. Without the identity the grants point at nothing and someone will be tempted to put a key on the VM instead.",
    source: ["seed step 1 (turn on the VM's managed identity)", "MCSB IM-3 (managed identities for workloads)"],
    fix: 'Keep `identity: { type: "SystemAssigned" }` on every seat\'s VM (components/DataScienceVm.ts).',
    check: (resources, ctx) => {
      const named = new Map<string, { vm: PolicyResourceView; by: string }>();
      const note = (p: Principal, by: string) => (p.kind === "seat" || p.kind === "vm") && named.set(p.vm.urn, { vm: p.vm, by });
      for (const e of accessPolicies(resources)) note(principalOf(e.objectId, e.holder, resources, ctx), e.where);
      for (const r of resources.filter(isRoleGrant))
        note(principalOf(r.inputs.principalId, r, resources, ctx), `role assignment ${r.name}`);
      return [...named.values()].flatMap(({ vm, by }) =>
        /SystemAssigned/i.test(String(vm.inputs.identity?.type ?? ""))
          ? []
          : [
              {
                urn: vm.urn,
                message: `VM ${azureName(vm, "vmName")} is named by ${by} but has identity type ${JSON.stringify(vm.inputs.identity?.type ?? "none")}: set identity.type to "SystemAssigned" so the grant has a principal, and never replace it with a stored credential.`,
              },
            ],
      );
    },
  },
];
