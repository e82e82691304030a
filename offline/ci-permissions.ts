// Could CI deploy and reap this plan? From the plan's recorded resources: the ARM actions each resource needs to be
// created (`up`) and deleted (`destroy`, the reaper), compared with what CI's identities hold (lib/ci-identities.ts,
// the same data bootstrap/ builds their roles from). Actions are named as in Microsoft's resource provider operations
// (https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations); "join" actions are ARM's
// linked access checks (https://learn.microsoft.com/azure/azure-resource-manager/management/linked-access-check).
import type { RecordedResource } from "./harness";
import { ARM_TYPE, BUILTIN_ROLES, subscriptionOf, TYPE } from "../lib/azure";
import {
  assignableRoleGuid,
  CI_IDENTITIES,
  conditionAllows,
  grantPermissions,
  LAB_ASSIGNABLE_ROLES,
  roleAllows,
  type AssignableRole,
  type CiIdentity,
  type CiIdentityKey,
} from "../lib/ci-identities";

export type CiPhase = "up" | "destroy";

/** One thing a planned resource needs from whoever deploys or deletes it. */
export interface CiNeed {
  readonly urn: string;
  readonly type: string;
  readonly phase: CiPhase;
  readonly action: string;
  readonly why: string;
  /** A data-plane action (Key Vault secrets): outside every CI role, and behind the vault firewall. */
  readonly dataAction?: boolean;
  /** For role assignments: what the ABAC condition tests. */
  readonly assignment?: {
    readonly op: "write" | "delete";
    readonly roleGuid: string;
    readonly principalType: string | undefined;
    readonly subscriptionId: string;
  };
  /** No rule knows this type: nothing can be checked, so it fails until one is added here. */
  readonly unknown?: boolean;
}

export interface CiPermissionMissing {
  readonly identity: CiIdentityKey;
  readonly urn: string;
  readonly type: string;
  readonly action: string;
  readonly why: string;
}

export interface CiPermissionReport {
  /** True when every identity that acts on a lab holds everything its job needs. */
  readonly ok: boolean;
  /** Per identity: what its job is, how many distinct (resource, action) needs were checked, how many it lacks. */
  readonly identities: readonly {
    readonly identity: CiIdentityKey;
    readonly job: CiIdentity["job"];
    readonly checked: number;
    readonly missing: number;
  }[];
  readonly missing: readonly CiPermissionMissing[];
}

type Inputs = Record<string, any>;
type Extra = { action: string; why: string };
interface TypeRule {
  /** The ARM resource type. */
  readonly arm: string;
  /** Linked access checks a create or update makes, by the resource's inputs. */
  readonly joins?: (inputs: Inputs) => Extra[];
  /** How the provider deletes it, when not by `<arm>/delete` alone. */
  readonly destroy?: (inputs: Inputs) => (Extra & { dataAction?: boolean })[];
  /** How the provider writes it, when not by `<arm>/write`. */
  readonly write?: string;
}

const has = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const join = (type: string, why: string): Extra => ({ action: `${type}/join/action`, why });
const { subnet: SUBNET, publicIp: PIP, nsg: NSG } = ARM_TYPE;
const serviceEndpoint = (rules: unknown): Extra[] =>
  has(rules) ? [{ action: `${SUBNET}/joinViaServiceEndpoint/action`, why: "a firewall rule names the lab subnet (service endpoint)" }] : [];

/** Every azure-native type a lab declares. A new type fails the check until it is added here, with its actions. */
const TYPES: Readonly<Record<string, TypeRule>> = {
  [TYPE.resourceGroup]: { arm: ARM_TYPE.resourceGroup },
  [TYPE.nsg]: { arm: NSG },
  [TYPE.vnet]: { arm: ARM_TYPE.vnet },
  [TYPE.subnet]: {
    arm: SUBNET,
    joins: (i) => [
      ...(has(i.networkSecurityGroup) ? [join(NSG, "the subnet names an NSG")] : []),
      ...(has(i.natGateway) ? [join(ARM_TYPE.nat, "the subnet names a NAT gateway")] : []),
    ],
  },
  [TYPE.publicIp]: { arm: PIP },
  [TYPE.nat]: {
    arm: ARM_TYPE.nat,
    joins: (i) => (has(i.publicIpAddresses) ? [join(PIP, "the NAT gateway uses a public IP")] : []),
  },
  [TYPE.nic]: {
    arm: ARM_TYPE.nic,
    joins: (i) => {
      const configs: Inputs[] = i.ipConfigurations ?? [];
      return [
        ...(configs.some((c) => has(c.subnet)) ? [join(SUBNET, "the NIC is in the lab subnet")] : []),
        ...(configs.some((c) => has(c.publicIPAddress)) ? [join(PIP, "the NIC has a public IP")] : []),
        ...(has(i.networkSecurityGroup) ? [join(NSG, "the NIC names an NSG")] : []),
      ];
    },
  },
  [TYPE.bastion]: {
    arm: ARM_TYPE.bastion,
    joins: (i) => {
      const configs: Inputs[] = i.ipConfigurations ?? [];
      return [
        ...(configs.some((c) => has(c.subnet)) ? [join(SUBNET, "Bastion sits in AzureBastionSubnet")] : []),
        ...(configs.some((c) => has(c.publicIPAddress)) ? [join(PIP, "Bastion has a public IP")] : []),
      ];
    },
  },
  [TYPE.vm]: {
    arm: ARM_TYPE.vm,
    joins: (i) => (has(i.networkProfile?.networkInterfaces) ? [join(ARM_TYPE.nic, "the VM uses its NIC")] : []),
    destroy: (i) => [
      { action: `${ARM_TYPE.vm}/delete`, why: "pulumi deletes the VM" },
      ...(i.storageProfile?.osDisk?.deleteOption === "Delete"
        ? [{ action: `${ARM_TYPE.disk}/delete`, why: "osDisk.deleteOption Delete: the OS disk goes with the VM" }]
        : []),
      ...((i.networkProfile?.networkInterfaces ?? []).some((n: Inputs) => n.deleteOption === "Delete")
        ? [{ action: `${ARM_TYPE.nic}/delete`, why: "the NIC's deleteOption Delete: it goes with the VM" }]
        : []),
    ],
  },
  [TYPE.extension]: { arm: ARM_TYPE.extension },
  [TYPE.runCommandByVm]: { arm: ARM_TYPE.runCommand },
  [TYPE.schedule]: { arm: ARM_TYPE.schedule },
  [TYPE.vault]: {
    arm: ARM_TYPE.vault,
    joins: (i) => serviceEndpoint(i.properties?.networkAcls?.virtualNetworkRules),
  },
  // The provider adds and removes one policy with PATCH .../accessPolicies/{add|remove}: a write either way.
  [TYPE.accessPolicy]: {
    arm: ARM_TYPE.accessPolicy,
    destroy: () => [
      {
        action: `${ARM_TYPE.accessPolicy}/write`,
        why: "the provider removes a policy with PATCH .../accessPolicies/remove",
      },
    ],
  },
  // Created through ARM (PUT vaults/secrets) but deleted through the data plane (pulumi-azure-native custom_keyvault.go).
  [TYPE.secret]: {
    arm: ARM_TYPE.secret,
    destroy: () => [
      {
        action: `${ARM_TYPE.secret}/delete`,
        dataAction: true,
        why: "azure-native deletes a secret through the Key Vault data plane: no CI identity holds data actions and the vault firewall refuses the runner; give it deletedWith its vault",
      },
    ],
  },
  [TYPE.storage]: {
    arm: ARM_TYPE.storage,
    joins: (i) => serviceEndpoint(i.networkRuleSet?.virtualNetworkRules),
  },
  [TYPE.roleDefinition]: { arm: ARM_TYPE.roleDefinition },
  [TYPE.roleAssignment]: { arm: ARM_TYPE.roleAssignment },
};

/** Providers that make nothing in Azure (random values live in state only). */
const LOCAL_PROVIDERS = ["random:"];

const ROLE_NAMES: Record<string, string> = Object.fromEntries(Object.entries(BUILTIN_ROLES).map(([k, v]) => [v, k]));
const roleLabel = (r: AssignableRole) => ("builtin" in r.role ? r.role.builtin : `${r.role.labCustom} (custom)`);

function assignmentFacts(r: RecordedResource): { roleGuid: string; principalType: string | undefined; subscriptionId: string } {
  const roleId = String(r.inputs.roleDefinitionId ?? "");
  const roleGuid = roleId.split("/").pop()!.toLowerCase();
  const sub = subscriptionOf(roleId) ?? subscriptionOf(String(r.inputs.scope ?? "")) ?? "";
  return { roleGuid, principalType: r.inputs.principalType, subscriptionId: sub };
}

/** What each planned resource needs to be created and to be deleted. */
export function ciNeeds(resources: readonly RecordedResource[]): CiNeed[] {
  const needs: CiNeed[] = [];
  for (const r of resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:") || LOCAL_PROVIDERS.some((p) => r.type.startsWith(p))) continue;
    const base = { urn: r.urn, type: r.type };
    // What a role assignment's write and delete present to the ABAC condition.
    const facts = r.type === TYPE.roleAssignment ? assignmentFacts(r) : undefined;
    const rule = TYPES[r.type];
    if (!rule) {
      for (const phase of ["up", "destroy"] as const) {
        needs.push({
          ...base,
          phase,
          action: `<unknown ARM actions for ${r.type}>`,
          unknown: true,
          why: `no ARM actions are known for ${r.type}: add its type to offline/ci-permissions.ts (and, if CI must delete it, to LAB_DELETABLE_TYPES)`,
        });
      }
      continue;
    }
    // azure-native reads the id before it creates, so it never adopts an existing resource (provider customCreate/canCreate).
    needs.push({ ...base, phase: "up", action: `${rule.arm}/read`, why: "azure-native reads the id before creating" });
    needs.push({
      ...base,
      phase: "up",
      action: rule.write ?? `${rule.arm}/write`,
      why: "create or update",
      ...(facts && { assignment: { op: "write" as const, ...facts } }),
    });
    for (const extra of rule.joins?.(r.inputs) ?? []) needs.push({ ...base, phase: "up", ...extra });
    // A resource deletedWith another is not deleted by Pulumi: its container's delete removes it.
    if (r.deletedWith) continue;
    const deletes = rule.destroy?.(r.inputs) ?? [{ action: `${rule.arm}/delete`, why: "pulumi destroy deletes it" }];
    for (const d of deletes)
      needs.push({ ...base, phase: "destroy", ...d, ...(facts && { assignment: { op: "delete" as const, ...facts } }) });
  }
  return needs;
}

/** Why `identity` cannot do `need`, or undefined when it can. */
export function lacks(identity: CiIdentity, need: CiNeed): string | undefined {
  if (need.unknown) return need.why;
  if (need.dataAction) return need.why;
  const grants = identity.grants.filter((g) => roleAllows(grantPermissions(g), need.action));
  if (grants.length === 0) {
    const roles = identity.grants.map((g) => grantPermissions(g).name).join(", ");
    const contributor =
      identity.grants.some((g) => "builtin" in g.role && g.role.builtin === "contributor") &&
      /^Microsoft\.Authorization\//i.test(need.action);
    return `not in the Actions minus NotActions of ${roles}${contributor ? " (Contributor's NotActions include Microsoft.Authorization/*/Write and */Delete)" : ""}`;
  }
  if (!need.assignment) return undefined;
  const a = need.assignment;
  if (grants.some((g) => !g.condition || conditionAllows(g.condition, a, a.subscriptionId))) return undefined;
  const allowed = LAB_ASSIGNABLE_ROLES.filter((r) => grants.some((g) => g.condition![a.op].includes(r)));
  const known = LAB_ASSIGNABLE_ROLES.find((r) => assignableRoleGuid(r.role, a.subscriptionId) === a.roleGuid);
  const role = known
    ? roleLabel(known)
    : ROLE_NAMES[a.roleGuid]
      ? `${ROLE_NAMES[a.roleGuid]}, a role labs do not grant`
      : "a role labs do not grant";
  return (
    `the ABAC condition on ${identity.name}'s Role Based Access Control Administrator does not allow ${a.op === "write" ? "assigning" : "removing"} role ${a.roleGuid} (${role}) ` +
    `to principalType ${a.principalType ?? "(not sent)"}: it allows ${allowed.length ? allowed.map((r) => `${roleLabel(r)} to ${r.principalTypes.join("/")}`).join("; ") : "no " + a.op + " at all"}`
  );
}

/** The phases each job must be able to do: deploys also delete (a later `up` removes a seat), the reaper only deletes. */
const PHASES: Record<CiIdentity["job"], readonly CiPhase[]> = { read: [], deploy: ["up", "destroy"], reap: ["destroy"] };

export function ciPermissionReport(
  resources: readonly RecordedResource[],
  identities: readonly CiIdentity[] = CI_IDENTITIES,
): CiPermissionReport {
  const needs = ciNeeds(resources);
  const missing: CiPermissionMissing[] = [];
  const summary = identities.map((identity) => {
    const mine = needs.filter((n) => PHASES[identity.job].includes(n.phase));
    const seen = new Set<string>();
    let checked = 0;
    let lacking = 0;
    for (const need of mine) {
      const key = `${need.urn}\n${need.action}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checked++;
      const why = lacks(identity, need);
      if (why) {
        lacking++;
        missing.push({ identity: identity.key, urn: need.urn, type: need.type, action: need.action, why });
      }
    }
    return { identity: identity.key, job: identity.job, checked, missing: lacking };
  });
  return { ok: missing.length === 0, identities: summary, missing };
}

const JOBS: Record<CiIdentity["job"], string> = {
  read: "pull request previews: read only, nothing to check offline",
  deploy: "pulumi up, including deletes when a seat goes",
  reap: "destroy an expired ephemeral lab",
};

/** The plan's text section. */
export function renderCiPermissions(report: CiPermissionReport): string[] {
  const lines = ["CI permissions (what CI's identities hold, lib/ci-identities.ts, against the ARM actions this plan needs)"];
  for (const s of report.identities) {
    const state = s.job === "read" ? "" : s.missing ? `: ${s.missing} of ${s.checked} missing` : `: all ${s.checked} held`;
    lines.push(`  ${s.identity} (${JOBS[s.job]})${state}`);
  }
  for (const m of report.missing) lines.push(`  MISSING ${m.identity}: ${m.action} for ${m.urn.split("::").pop()} (${m.type}): ${m.why}`);
  lines.push(
    report.ok ? "  CI can deploy and reap this lab." : "  CI could not deploy or reap this lab as planned (npm run plan exits 1).",
  );
  return lines;
}
