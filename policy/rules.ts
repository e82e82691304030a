// The lab's policy rules, as plain data and functions over a simple resource view. The same array runs in three places:
// the @pulumi/policy pack (policy/index.ts, during `pulumi preview --policy-pack policy`), the offline plan's policy
// gate (`npm run plan`), and the tests. Each rule says why it exists and where that comes from.
import { createHash } from "crypto";
import { BUILTIN_ROLES } from "../lib/azure";
import { LAB_TAG, parseIsoSeconds } from "../lib/lifecycle";
import { TAGGABLE_TYPES } from "../lib/tags";
import { parseCidr } from "../lib/net";
import { BUILTIN_NAMES } from "../scripts/lib/access-matrix";

export type Enforcement = "mandatory" | "advisory";

/** One resource as the rules see it, whether it came from the mock harness or from the policy engine. */
export interface PolicyResourceView {
  readonly type: string;
  /** Pulumi's logical name. */
  readonly name: string;
  readonly urn: string;
  /** Parent URN, if any. */
  readonly parent?: string;
  /** What the program declared. */
  readonly inputs: Record<string, any>;
  /** Inputs plus what the provider answered (ids, identities). In the policy pack, the same as `inputs`. */
  readonly props: Record<string, any>;
  /** Resource id, when known. */
  readonly id?: string;
  /** URNs this resource's inputs came from: how a policy is traced to a VM while ids are still unknown. */
  readonly dependencies?: readonly string[];
}

/** What a rule may need to know about the stack beyond its resources. */
export interface PolicyContext {
  /** Ephemeral stacks (config `ephemeral`) skip purge protection and must carry expiry tags. */
  readonly ephemeral: boolean;
  /** Config `allowedSshCidrs`, when known (the offline plan knows it; the pack reads the NSG instead). */
  readonly allowedSshCidrs?: readonly string[];
  /** VM sizes the advisory size rule accepts. Default: ALLOWED_VM_SIZES. */
  readonly allowedVmSizes?: readonly string[];
}

/** One finding of a stack rule: the resource at fault (if one) and what to fix. */
export interface Finding {
  readonly urn?: string;
  readonly message: string;
}

interface RuleBase {
  /** Stable id, used in messages, the plan's JSON and the pack (as the policy name). */
  readonly id: string;
  /** One line: what must hold. */
  readonly name: string;
  /** mandatory blocks the deploy and fails the offline gate; advisory is reported only. */
  readonly enforcement: Enforcement;
  /** Why the lab needs this rule. */
  readonly why: string;
  /** Where the rule comes from: seed step, Microsoft cloud security benchmark (MCSB) control, Checkov or tfsec id. */
  readonly source: readonly string[];
  /** How to fix a violation, in general; each message says what to fix in its case. */
  readonly fix: string;
}

/** A rule about one resource at a time: a `validateResource` policy in the pack. */
export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly types: readonly string[];
  readonly check: (r: PolicyResourceView, ctx: PolicyContext) => string[];
}

/** A rule that needs several resources (who is a VM, which vault a policy is on): a `validateStack` policy. */
export interface StackRule extends RuleBase {
  readonly kind: "stack";
  readonly check: (resources: readonly PolicyResourceView[], ctx: PolicyContext) => Finding[];
}

export type Rule = ResourceRule | StackRule;

/** A value the engine does not know yet (during preview). The pack maps the engine's unknowns to this. */
export const UNKNOWN = "(known after deploy)";

// The two boundaries the pack guards are written here, not imported from lib/azure.ts: a PR that widens the program's
// constants must fail the policy, not move it. tests/policy/rules.test.ts checks that the program's constants match.
/** Seed step 2: the only secret permissions a VM identity may hold. */
export const VM_SECRET_PERMISSIONS = ["get", "set"] as const;
/** Seed step 4: the one ARM action a VM identity may hold. */
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action";
/** Seed step 2 in the RBAC model: a VM identity's Key Vault role has exactly these dataActions, and no actions. */
export const VM_SECRET_DATA_ACTIONS = ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/setSecret/action"] as const;

/** Sizes the advisory size rule accepts: general-purpose and memory sizes that run the Gen2 DSVM image. */
export const ALLOWED_VM_SIZES = [
  "Standard_D2s_v5",
  "Standard_D4s_v5",
  "Standard_D8s_v5",
  "Standard_D4as_v5",
  "Standard_D8as_v5",
  "Standard_E4s_v5",
  "Standard_E8s_v5",
  "Standard_NC4as_T4_v3",
] as const;

/** Tags an ephemeral lab's resources must carry (issue 5 applies them in one place). */
export const EPHEMERAL_TAGS = [LAB_TAG.lab, LAB_TAG.owner, LAB_TAG.expiresAt] as const;

/** Security advice the lab deliberately does not follow, each with its reason. The plan prints them. */
export const ACCEPTED_EXCEPTIONS = [
  {
    control: "storage account allowSharedKeyAccess = true",
    source: ["Checkov CKV2_AZURE_40", "MCSB IM-1"],
    reason:
      "The seed's step 4 is 'call listKeys and use the key'; a storage key only works with shared-key access. Seats get listKeys and nothing else, and the account's firewall admits only the lab subnet and operator IPs.",
  },
] as const;

const T = {
  vm: "azure-native:compute:VirtualMachine",
  runCommandByVm: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
  runCommand: "azure-native:compute:VirtualMachineRunCommand",
  extension: "azure-native:compute:VirtualMachineExtension",
  vault: "azure-native:keyvault:Vault",
  accessPolicy: "azure-native:keyvault:AccessPolicy",
  secret: "azure-native:keyvault:Secret",
  storage: "azure-native:storage:StorageAccount",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  nsg: "azure-native:network:NetworkSecurityGroup",
  securityRule: "azure-native:network:SecurityRule",
  nic: "azure-native:network:NetworkInterface",
  schedule: "azure-native:devtestlab:GlobalSchedule",
  randomPassword: "random:index/randomPassword:RandomPassword",
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the rules.

const known = (v: unknown): v is string => typeof v === "string" && v !== "" && v !== UNKNOWN;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const lower = (v: readonly string[]) => v.map((x) => x.toLowerCase());
const lastSegment = (id: string) => id.split("/").filter(Boolean).pop() ?? id;
const shownList = (v: readonly string[]) => `[${v.join(", ")}]`;
/** Azure names are in inputs (`vaultName`...) offline and in outputs (`name`) in the pack. */
const azureName = (r: PolicyResourceView, key: string) => (known(r.inputs[key]) ? r.inputs[key] : known(r.props.name) ? r.props.name : r.name);
const byType = (resources: readonly PolicyResourceView[], type: string) => resources.filter((r) => r.type === type);

/** Describes a secret-like value without showing it: its length and a short SHA-256 prefix. */
export function fingerprint(value: string): string {
  return `${value.length} chars, sha256 ${createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
}

/** The VM identity a principal reference belongs to: by principal id when known, else by the dependency on the VM. */
function vmOf(principalId: unknown, r: PolicyResourceView, resources: readonly PolicyResourceView[]): PolicyResourceView | undefined {
  const vms = byType(resources, T.vm);
  // A known principal that is no VM's (the lab-users group on a VM's login role) is not a VM identity, even when the
  // assignment depends on the VM through its scope. Unknown (preview): the dependency on the VM is all there is.
  const ids = vms.map((vm) => vm.props.identity?.principalId).filter(known);
  if (known(principalId) && ids.length) return vms.find((vm) => vm.props.identity?.principalId === principalId);
  return vms.find((vm) => r.dependencies?.includes(vm.urn));
}

/** "seat 1 identity" for the lab's seats, else the VM's name: the same labels as the access matrix. */
function identityLabel(vm: PolicyResourceView): string {
  const seat = /::seat(\d+)$/.exec(vm.parent ?? "")?.[1];
  return seat ? `seat ${seat} identity` : `VM ${azureName(vm, "vmName")} identity`;
}

interface PolicyGrant {
  readonly holder: PolicyResourceView;
  readonly objectId: unknown;
  readonly permissions: Record<string, unknown>;
  readonly vault: string;
  readonly where: string;
}

/** Every access policy, standalone or inline, with the vault it is on. */
function accessPolicies(resources: readonly PolicyResourceView[]): PolicyGrant[] {
  const grants: PolicyGrant[] = [];
  for (const r of resources) {
    if (r.type === T.accessPolicy) {
      const p = r.inputs.policy ?? {};
      grants.push({ holder: r, objectId: p.objectId, permissions: p.permissions ?? {}, vault: String(r.inputs.vaultName ?? UNKNOWN), where: "access policy" });
    }
    if (r.type === T.vault) {
      (Array.isArray(r.inputs.properties?.accessPolicies) ? r.inputs.properties.accessPolicies : []).forEach((p: any, i: number) =>
        grants.push({ holder: r, objectId: p?.objectId, permissions: p?.permissions ?? {}, vault: azureName(r, "vaultName"), where: `inline access policy #${i + 1}` }),
      );
    }
  }
  return grants;
}

/** Access policies whose holder is a VM identity. Inline policies name their principal by value only. */
function vmGrants(resources: readonly PolicyResourceView[]) {
  return accessPolicies(resources).flatMap((g) => {
    const vm = g.holder.type === T.accessPolicy ? vmOf(g.objectId, g.holder, resources) : byType(resources, T.vm).find((v) => known(g.objectId) && v.props.identity?.principalId === g.objectId);
    return vm ? [{ ...g, vm }] : [];
  });
}

interface RoleInfo {
  readonly name: string;
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
  /** The definition in this stack, for a custom role. */
  readonly definition?: PolicyResourceView;
  readonly builtinId?: string;
}

/** What a role assignment's role allows: a custom role of this stack, or a built-in one the lab knows. */
function roleOf(a: PolicyResourceView, resources: readonly PolicyResourceView[]): RoleInfo | undefined {
  const roleId = a.inputs.roleDefinitionId;
  const defs = byType(resources, T.roleDefinition);
  const guid = known(roleId) ? lastSegment(roleId).toLowerCase() : undefined;
  const definition = guid
    ? defs.find((d) => [d.inputs.roleDefinitionId, d.props.name].some((n) => known(n) && n.toLowerCase() === guid))
    : defs.find((d) => a.dependencies?.includes(d.urn));
  if (definition) {
    const perms: any[] = Array.isArray(definition.inputs.permissions) ? definition.inputs.permissions : [];
    return {
      name: known(definition.inputs.roleName) ? definition.inputs.roleName : definition.name,
      actions: perms.flatMap((p) => list(p?.actions)),
      dataActions: perms.flatMap((p) => list(p?.dataActions)),
      definition,
    };
  }
  if (!guid) return undefined;
  const builtin = BUILTIN_NAMES[guid];
  return builtin ? { name: builtin.name, actions: builtin.actions, dataActions: builtin.dataActions, builtinId: guid } : { name: `role ${guid}`, actions: [], dataActions: [], builtinId: guid };
}

const PRIVILEGED_ROLES: Record<string, string> = {
  [BUILTIN_ROLES.owner]: "Owner",
  [BUILTIN_ROLES.contributor]: "Contributor",
  [BUILTIN_ROLES.userAccessAdministrator]: "User Access Administrator",
};

const hasWildcard = (actions: readonly string[]) => actions.filter((a) => a.includes("*"));

const STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i;

/** Describes a role assignment scope for a message. */
function scopeKind(scope: string): string {
  if (STORAGE_ACCOUNT_ID.test(scope)) return "a storage account";
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(scope)) return "a resource group";
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return "a subscription";
  if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope) || scope === "/") return "a management group or the tenant root";
  return `the scope ${scope}`;
}

const VAULT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/i;
const SECRET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/secrets\/[^/]+$/i;
const isKeyVaultAction = (a: string) => /^Microsoft\.KeyVault\//i.test(a) || a === "*";

interface VmRoleGrant {
  readonly assignment: PolicyResourceView;
  readonly vm: PolicyResourceView;
  readonly role: RoleInfo;
  /** A Key Vault grant (its role carries Key Vault data actions, or its scope is a vault or secret), else a storage one. */
  readonly vault: boolean;
}

/** Every role assignment held by a VM identity, with its role, split into Key Vault grants and storage grants. */
function vmRoleGrants(resources: readonly PolicyResourceView[]): VmRoleGrant[] {
  return byType(resources, T.roleAssignment).flatMap((assignment) => {
    const vm = vmOf(assignment.inputs.principalId, assignment, resources);
    const role = vm && roleOf(assignment, resources);
    if (!vm || !role) return [];
    const scope = assignment.inputs.scope;
    const vaultScope = known(scope) ? VAULT_ID.test(scope) || SECRET_ID.test(scope) : byType(resources, T.vault).some((v) => assignment.dependencies?.includes(v.urn));
    return [{ assignment, vm, role, vault: role.dataActions.some(isKeyVaultAction) || vaultScope }];
  });
}

/** The access policies on a vault: standalone ones (by dependency or vault name) and the vault's inline ones. */
function policiesOn(vault: PolicyResourceView, resources: readonly PolicyResourceView[]): { inline: number; standalone: PolicyResourceView[] } {
  const name = azureName(vault, "vaultName");
  return {
    inline: Array.isArray(vault.inputs.properties?.accessPolicies) ? vault.inputs.properties.accessPolicies.length : 0,
    standalone: byType(resources, T.accessPolicy).filter((p) => p.dependencies?.includes(vault.urn) || (known(p.inputs.vaultName) && p.inputs.vaultName === name)),
  };
}

const WORLD_SOURCES = new Set(["*", "0.0.0.0/0", "0.0.0.0", "internet", "any", "::/0"]);
const ADMIN_PORTS = [22, 3389];

interface NsgRule {
  readonly holder: PolicyResourceView;
  readonly label: string;
  readonly rule: Record<string, any>;
}

/** Every NSG rule: inline in NetworkSecurityGroup.securityRules, and standalone SecurityRule resources. */
function nsgRules(resources: readonly PolicyResourceView[]): NsgRule[] {
  const out: NsgRule[] = [];
  for (const r of resources) {
    if (r.type === T.nsg) {
      const rules: any[] = Array.isArray(r.inputs.securityRules) ? r.inputs.securityRules : [];
      rules.forEach((rule, i) => out.push({ holder: r, label: `NSG ${azureName(r, "networkSecurityGroupName")} rule ${rule?.name ?? `#${i + 1}`}`, rule: rule ?? {} }));
    }
    if (r.type === T.securityRule) out.push({ holder: r, label: `NSG rule ${azureName(r, "securityRuleName")}`, rule: r.inputs });
  }
  return out;
}

const isInboundAllow = (rule: Record<string, any>) => String(rule.direction ?? "").toLowerCase() === "inbound" && String(rule.access ?? "").toLowerCase() === "allow";
const sources = (rule: Record<string, any>) => [...(known(rule.sourceAddressPrefix) ? [rule.sourceAddressPrefix] : []), ...list(rule.sourceAddressPrefixes)];
const ports = (rule: Record<string, any>) => [...(known(rule.destinationPortRange) ? [rule.destinationPortRange] : []), ...list(rule.destinationPortRanges)];

/** Whether a port spec ("22", "20-25", "*") covers a port. */
function coversPort(spec: string, port: number): boolean {
  const s = spec.trim();
  if (s === "*") return true;
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  return !!m && Number(m[1]) <= port && port <= Number(m[2] ?? m[1]);
}

const isWorld = (source: string) => WORLD_SOURCES.has(source.trim().toLowerCase()) || /\/0$/.test(source.trim());

/** Base64 text (custom data, user data) decoded when it is valid base64, else as it is. */
function decoded(value: string): string {
  const compact = value.replace(/\s+/g, "");
  if (compact.length >= 8 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const text = Buffer.from(compact, "base64").toString("utf8");
    if (!text.includes("\uFFFD")) return `${value}\n${text}`;
  }
  return value;
}

/** Patterns of credential literals. Names only: messages never show a matched value. */
const SECRET_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a storage account key in a connection string", re: /AccountKey=[A-Za-z0-9+/]{20,}={0,2}/i },
  { what: "a SAS token signature", re: /[?&]sig=[A-Za-z0-9%+/]{16,}/i },
  { what: "a bearer token (JWT)", re: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/ },
  { what: "a storage account key", re: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/ },
  { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  {
    what: "a credential assigned a literal value",
    re: /\b[A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key|account_?key|access_?key|client_?secret|connection_?string)\b["']?\s*[:=]\s*(["'])[^"'$\s{}()<>]{6,}\1/i,
  },
  {
    what: "a credential assigned a literal value",
    re: /^\s*(?:export\s+)?[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCOUNT_?KEY|ACCESS_?KEY|CLIENT_?SECRET)=(?![$"'`(])[^\s;]{6,}/im,
  },
];

/** What kinds of credential literal a text holds (pattern names, never the values). Also used on the workflows. */
export function secretLiteralsIn(text: string): string[] {
  return [...new Set(SECRET_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))];
}

/** Texts a resource runs or hands to a VM: custom data, user data, run command scripts, extension settings. */
function scriptTexts(r: PolicyResourceView): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const add = (where: string, v: unknown, base64 = false) => known(v) && out.push({ where, text: base64 ? decoded(v) : v });
  if (r.type === T.vm) {
    add("osProfile.customData", r.inputs.osProfile?.customData, true);
    add("userData", r.inputs.userData, true);
  }
  if (r.type === T.runCommandByVm || r.type === T.runCommand) {
    add("source.script", r.inputs.source?.script);
    add("source.scriptUri", r.inputs.source?.scriptUri);
    (Array.isArray(r.inputs.parameters) ? r.inputs.parameters : []).forEach((p: any) => add(`parameters.${p?.name ?? "?"}`, p?.value));
  }
  if (r.type === T.extension) {
    const settings = r.inputs.settings;
    if (settings && typeof settings === "object") add("settings", JSON.stringify(settings));
  }
  return out;
}

/** Secret values this stack itself holds (the canary secret, random passwords), when known: never to appear in scripts. */
function knownSecretValues(resources: readonly PolicyResourceView[]): { from: string; value: string }[] {
  const out: { from: string; value: string }[] = [];
  for (const r of resources) {
    const v = r.type === T.secret ? r.inputs.properties?.value : r.type === T.randomPassword ? r.props.result : undefined;
    if (known(v) && v.length >= 8) out.push({ from: `${r.type === T.secret ? "Key Vault secret" : "random password"} ${r.name}`, value: v });
  }
  return out;
}

/** A rule that one setting of one resource type must pass: most vault and storage rules. */
function settingRule(spec: RuleBase & { readonly type: string; readonly path: string; readonly ok: (v: unknown) => boolean; readonly want: string; readonly unset: string }): ResourceRule {
  const { type, path, ok, want, unset, ...base } = spec;
  const label = type === T.vault ? "Vault" : "Storage account";
  return {
    ...base,
    kind: "resource",
    types: [type],
    check: (r) => {
      const v = path.split(".").reduce<any>((o, k) => o?.[k], r.inputs);
      return ok(v) ? [] : [`${label} ${azureName(r, type === T.vault ? "vaultName" : "accountName")} has ${path} ${v === undefined ? unset : JSON.stringify(v)}: set it to ${want}.`];
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The rules.

export const rules: readonly Rule[] = [
  {
    kind: "stack",
    id: "vm-identity-system-assigned",
    name: "A VM that the lab's access policies or role assignments refer to has a system-assigned identity",
    enforcement: "mandatory",
    why: "Seats reach Key Vault and storage as their own managed identity, so no credential ever lives on the VM. Without the identity the grants point at nothing and someone will be tempted to put a key on the VM instead.",
    source: ["seed step 1 (turn on the VM's managed identity)", "MCSB IM-3 (managed identities for workloads)"],
    fix: "Keep `identity: { type: \"SystemAssigned\" }` on every seat's VM (components/DataScienceVm.ts).",
    check: (resources) => {
      const referenced = new Map<string, { vm: PolicyResourceView; by: string }>();
      for (const g of vmGrants(resources)) referenced.set(g.vm.urn, { vm: g.vm, by: `${g.where} ${g.holder.name}` });
      for (const a of byType(resources, T.roleAssignment)) {
        const vm = vmOf(a.inputs.principalId, a, resources);
        if (vm) referenced.set(vm.urn, { vm, by: `role assignment ${a.name}` });
      }
      return [...referenced.values()].flatMap(({ vm, by }) => {
        const type = String(vm.inputs.identity?.type ?? "");
        return /SystemAssigned/i.test(type)
          ? []
          : [{ urn: vm.urn, message: `VM ${azureName(vm, "vmName")} is named by ${by} but has identity type ${JSON.stringify(vm.inputs.identity?.type ?? "none")}: set identity.type to "SystemAssigned" so the grant has a principal, and never replace it with a stored credential.` }];
      });
    },
  },
  {
    kind: "stack",
    id: "kv-vm-secrets-get-set-only",
    name: "A VM identity's secret permissions are a subset of {get, set}: never list, never all",
    enforcement: "mandatory",
    why: "The seed gives each VM get and set. `list` would let one seat enumerate every secret in the shared vault (including other seats' and the operators'); `all` adds delete, purge and backup.",
    source: ["seed step 2 (access policy: get, set)", "MCSB PA-7 (least privilege)", "MCSB DP-8"],
    fix: "Keep the seat policy at SEAT_SECRET_PERMISSIONS in lib/azure.ts (get, set).",
    check: (resources) =>
      vmGrants(resources).flatMap((g) => {
        const secrets = lower(list(g.permissions.secrets));
        const extra = secrets.filter((p) => !(VM_SECRET_PERMISSIONS as readonly string[]).includes(p));
        return extra.length
          ? [{ urn: g.holder.urn, message: `${identityLabel(g.vm)} has secret permissions ${shownList(secrets)} on vault ${g.vault} (${g.where} ${g.holder.name}): remove ${shownList(extra)}. A VM may only get and set secrets (seed step 2).` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "kv-vm-no-key-cert-storage-permissions",
    name: "A VM identity has no key, certificate or storage-account permissions in Key Vault",
    enforcement: "mandatory",
    why: "Seats store and read secrets only. Key, certificate and managed-storage permissions would open signing, decryption and storage-key access that no step of the seed needs.",
    source: ["seed step 2", "MCSB PA-7", "MCSB DP-8"],
    fix: "Send empty lists for keys, certificates and storage in the seat's access policy (components/SecretVault.ts).",
    check: (resources) =>
      vmGrants(resources).flatMap((g) => {
        const extra = ["keys", "certificates", "storage"].flatMap((k) => list(g.permissions[k]).map((p) => `${k}/${p}`));
        return extra.length
          ? [{ urn: g.holder.urn, message: `${identityLabel(g.vm)} has ${shownList(extra)} on vault ${g.vault} (${g.where} ${g.holder.name}): remove them; a VM gets secret permissions (get, set) only.` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "kv-no-purge-for-vm",
    name: "No access policy grants purge to a VM identity",
    enforcement: "mandatory",
    why: "Purge destroys a soft-deleted secret for good. A compromised VM must never be able to erase what it touched.",
    source: ["MCSB DP-8 (protect keys and secrets from deletion)", "Checkov CKV_AZURE_42 (key vault is recoverable)"],
    fix: "Remove purge (and all, which includes it) from the VM's access policy.",
    check: (resources) =>
      vmGrants(resources).flatMap((g) => {
        const purge = Object.entries(g.permissions).flatMap(([k, v]) => lower(list(v)).filter((p) => p === "purge" || p === "all").map((p) => `${k}/${p}`));
        return purge.length
          ? [{ urn: g.holder.urn, message: `${identityLabel(g.vm)} may purge on vault ${g.vault}: ${shownList(purge)} (${g.where} ${g.holder.name}). Remove them; purging is an operator's decision, never a VM's.` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "kv-no-mixed-access-policies",
    name: "No vault mixes inline access policies with standalone AccessPolicy resources",
    enforcement: "mandatory",
    why: "Inline policies and standalone AccessPolicy resources overwrite each other on every update (pulumi-azure-native #594), so grants silently appear and vanish.",
    source: ["pulumi-azure-native issue #594", "components/SecretVault.ts design note"],
    fix: "Keep all policies as standalone keyvault.AccessPolicy resources and leave the vault's properties.accessPolicies unset.",
    check: (resources) =>
      byType(resources, T.vault).flatMap((vault) => {
        const { inline, standalone } = policiesOn(vault, resources);
        const name = azureName(vault, "vaultName");
        return inline > 0 && standalone.length > 0
          ? [{ urn: vault.urn, message: `Vault ${name} has ${inline} inline access polic${inline === 1 ? "y" : "ies"} and ${standalone.length} standalone AccessPolicy resource(s) (${standalone.map((p) => p.name).join(", ")}): move the inline ones to keyvault.AccessPolicy resources.` }]
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
        : [`Vault ${azureName(r, "vaultName")} leaves enableRbacAuthorization unset: set it to false explicitly (access-policy model) or true (RBAC model), or the API's RBAC default makes every access policy inert.`],
  },
  {
    kind: "stack",
    id: "kv-access-model-consistent",
    name: "A vault with RBAC authorization has no access policies",
    enforcement: "mandatory",
    why: "With enableRbacAuthorization true, Key Vault ignores access policies. Any left over looks like a grant to a reviewer and silently is none; flipping the flag back would bring them all to life at once.",
    source: ["issue 7 (RBAC model: no access policies at all)", "MCSB PA-7", "learn.microsoft.com/azure/key-vault/general/rbac-migration"],
    fix: "In the RBAC model grant through role assignments only (components/VaultRbacAccess.ts); remove every keyvault.AccessPolicy and inline policy on the vault.",
    check: (resources) =>
      byType(resources, T.vault).flatMap((vault) => {
        if (vault.inputs.properties?.enableRbacAuthorization !== true) return [];
        const { inline, standalone } = policiesOn(vault, resources);
        const found = [...standalone.map((p) => p.name), ...(inline ? [`${inline} inline`] : [])];
        return found.length
          ? [{ urn: vault.urn, message: `Vault ${azureName(vault, "vaultName")} uses RBAC (enableRbacAuthorization true) but has access policies (${found.join(", ")}): remove them; in the RBAC model every grant is a role assignment.` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "kv-rbac-vm-get-set-only",
    name: "A VM identity's Key Vault role has dataActions exactly getSecret and setSecret, and no actions",
    enforcement: "mandatory",
    why: "No built-in role is get+set without list: Key Vault Secrets User has readMetadata, which lists every secret in the vault; Officer and Administrator add delete and purge. Only a custom role with exactly the two data actions keeps the seed's 'get and set, never list'.",
    source: ["seed step 2 (get, set; never list)", "issue 7 (RBAC model)", "MCSB PA-7 (least privilege)"],
    fix: `Assign the lab's custom role (components/SecretGetSetRole.ts) whose dataActions are exactly [${VM_SECRET_DATA_ACTIONS.join(", ")}] and whose actions are empty.`,
    check: (resources) =>
      vmRoleGrants(resources)
        .filter((g) => g.vault)
        .flatMap(({ assignment: a, vm, role }) => {
          const want = VM_SECRET_DATA_ACTIONS.map((d) => d.toLowerCase());
          const have = lower(role.dataActions);
          const extra = role.dataActions.filter((d) => !want.includes(d.toLowerCase()));
          const exact = !!role.definition && extra.length === 0 && want.every((d) => have.includes(d)) && role.actions.length === 0;
          if (exact) return [];
          const what = role.builtinId
            ? `the built-in role "${role.name}" (dataActions ${shownList(role.dataActions)})${role.dataActions.some((d) => /readMetadata|\*/i.test(d)) ? ", which can list the vault's secrets" : ""}`
            : `"${role.name}" with dataActions ${shownList(role.dataActions)} and actions ${shownList(role.actions)}`;
          const remove = role.builtinId ? "" : ` remove ${shownList([...extra, ...role.actions])};`;
          return [{ urn: a.urn, message: `${identityLabel(vm)} is assigned ${what} by ${a.name}:${remove} assign the get+set-only custom role (dataActions exactly [getSecret, setSecret], no actions) instead.` }];
        }),
  },
  {
    kind: "stack",
    id: "kv-rbac-vm-scope-vault-or-secret",
    name: "A VM identity's Key Vault role assignment is scoped to a vault or a secret, never a resource group or subscription",
    enforcement: "mandatory",
    why: "Scoped to a resource group or subscription, get and set reach every vault there, other labs' included. A secret scope is the tightest: the seat reaches only the secrets it uses.",
    source: ["issue 7 (scope: the individual secrets)", "learn.microsoft.com/azure/key-vault/general/rbac-guide (best practices: vault or secret scope)", "MCSB PA-7"],
    fix: "Use `<vaultId>/secrets/<name>` (or the vault's id) as the assignment's scope (components/VaultRbacAccess.ts).",
    check: (resources) =>
      vmRoleGrants(resources)
        .filter((g) => g.vault)
        .flatMap(({ assignment: a, vm }) => {
          const scope = a.inputs.scope;
          const ok = known(scope) ? VAULT_ID.test(scope) || SECRET_ID.test(scope) : byType(resources, T.vault).some((v) => a.dependencies?.includes(v.urn));
          return ok ? [] : [{ urn: a.urn, message: `${identityLabel(vm)}'s Key Vault role assignment ${a.name} is scoped to ${known(scope) ? scopeKind(scope) : "a scope that is not a vault or a secret"}: scope it to the secret (<vaultId>/secrets/<name>) or the vault instead.` }];
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
    fix: "Set properties.networkAcls.defaultAction: \"Deny\" and admit the lab subnet and operator IPs explicitly.",
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
      const on = ["enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption"].filter((k) => r.inputs.properties?.[k] === true);
      return on.length ? [`Vault ${azureName(r, "vaultName")} turns on ${on.join(", ")}: set ${on.length === 1 ? "it" : "them"} to false; nothing in the lab retrieves secrets through Azure services.`] : [];
    },
  },
  {
    kind: "resource",
    types: [T.vault],
    id: "kv-purge-protection",
    name: "Purge protection is on, unless the stack is ephemeral",
    enforcement: "mandatory",
    why: "With purge protection, nobody (not even an owner) can erase a deleted secret before retention ends. Ephemeral labs skip it so teardown can free the vault's name.",
    source: ["MCSB DP-8", "Checkov CKV_AZURE_110", "tfsec azure-keyvault-no-purge"],
    fix: "Set properties.enablePurgeProtection: true (send it only when true: the API rejects an explicit false), or mark the stack ephemeral.",
    check: (r, ctx) =>
      ctx.ephemeral || r.inputs.properties?.enablePurgeProtection === true
        ? []
        : [`Vault ${azureName(r, "vaultName")} has no purge protection on a non-ephemeral stack: set properties.enablePurgeProtection to true.`],
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
    fix: "Set minimumTlsVersion: \"TLS1_2\".",
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
    fix: "Set networkRuleSet.defaultAction: \"Deny\" and admit the lab subnet and operator IPs explicitly.",
    type: T.storage,
    path: "networkRuleSet.defaultAction",
    ok: (v) => v === "Deny",
    want: '"Deny" and admit the lab subnet and operator IPs explicitly',
    unset: '"unset (Allow)"',
  }),
  {
    kind: "stack",
    id: "role-vm-listkeys-only",
    name: "A VM identity's role is the listKeys-only custom role or the built-in Key Operator role",
    enforcement: "mandatory",
    why: "The seed's step 4 needs exactly one ARM action, listKeys. Any other role gives a seat powers no step uses.",
    source: ["seed step 4 (grant the VM access to storage keys)", "MCSB PA-7"],
    fix: `Use the custom role whose only action is ${LIST_KEYS_ACTION} (config listKeysRole=custom), or the built-in Storage Account Key Operator Service Role (listKeysRole=builtin).`,
    check: (resources) =>
      vmRoleGrants(resources)
        .filter((g) => !g.vault)
        .flatMap(({ assignment: a, vm, role }) => {
          const ok = role.definition
            ? role.actions.length === 1 && role.actions[0].toLowerCase() === LIST_KEYS_ACTION.toLowerCase() && role.dataActions.length === 0
            : role.builtinId === BUILTIN_ROLES.storageAccountKeyOperator;
          return ok
            ? []
            : [{ urn: a.urn, message: `${identityLabel(vm)} is assigned "${role.name}" (actions ${shownList([...role.actions, ...role.dataActions])}) by ${a.name}: assign the listKeys-only role (actions exactly [${LIST_KEYS_ACTION}]) or the built-in Key Operator role instead.` }];
        }),
  },
  {
    kind: "stack",
    id: "role-no-privileged-or-wildcard",
    name: "No Owner, Contributor, User Access Administrator or wildcard action for a VM identity, and no wildcard in the lab's custom roles",
    enforcement: "mandatory",
    why: "A seat with a privileged or wildcard role can grant itself anything, read every key and delete the lab: one compromised VM would own the subscription's slice.",
    source: ["MCSB PA-1", "MCSB PA-7", "Checkov CKV_AZURE_39 (no custom owner roles)", "tfsec azure-authorization-limit-role-actions"],
    fix: "Remove the assignment, or replace the role with the listKeys-only role; list custom role actions one by one, without '*'.",
    check: (resources) => {
      const findings: Finding[] = [];
      for (const d of byType(resources, T.roleDefinition)) {
        const perms: any[] = Array.isArray(d.inputs.permissions) ? d.inputs.permissions : [];
        const wild = hasWildcard(perms.flatMap((p) => [...list(p?.actions), ...list(p?.dataActions)]));
        if (wild.length) findings.push({ urn: d.urn, message: `Custom role ${d.name} has wildcard actions ${shownList(wild)}: remove the wildcard and list the exact actions the lab needs (${LIST_KEYS_ACTION}).` });
      }
      for (const { assignment: a, vm, role } of vmRoleGrants(resources)) {
        const privileged = role.builtinId ? PRIVILEGED_ROLES[role.builtinId] : undefined;
        const wild = hasWildcard([...role.actions, ...role.dataActions]);
        if (privileged || wild.length) {
          findings.push({ urn: a.urn, message: `${identityLabel(vm)} is assigned ${privileged ? `the privileged built-in role ${privileged}` : `"${role.name}" with wildcard actions ${shownList(wild)}`} by ${a.name}: remove this assignment; a seat may only call listKeys and get and set its secrets.` });
        }
      }
      return findings;
    },
  },
  {
    kind: "stack",
    id: "role-scope-storage-account",
    name: "A VM identity's role assignment is scoped to a storage account, never a resource group or subscription",
    enforcement: "mandatory",
    why: "Scoped to a resource group or subscription, listKeys reaches every storage account there, not just the lab's.",
    source: ["seed step 4 (scope: the storage account)", "MCSB PA-7"],
    fix: "Use the storage account's id as the assignment's scope (components/StorageKeyAccess.ts).",
    check: (resources) =>
      vmRoleGrants(resources)
        .filter((g) => !g.vault)
        .flatMap(({ assignment: a, vm }) => {
          const scope = a.inputs.scope;
          // Unknown during preview: then the scope must at least come from a storage account of this stack.
          const ok = known(scope)
            ? STORAGE_ACCOUNT_ID.test(scope)
            : byType(resources, T.storage).some((s) => a.dependencies?.includes(s.urn));
          return ok ? [] : [{ urn: a.urn, message: `${identityLabel(vm)}'s role assignment ${a.name} is scoped to ${known(scope) ? scopeKind(scope) : "a scope that is not a storage account"}: scope it to the lab's storage account id instead.` }];
        }),
  },
  {
    kind: "stack",
    id: "vm-password-auth-disabled",
    name: "Password authentication is disabled (Linux), or the admin password is a generated one nobody knows (Windows)",
    enforcement: "mandatory",
    why: "Linux seats sign in by SSH key only; a password can be guessed, phished or leaked. Azure requires a Windows admin password, so it must be a RandomPassword of the stack that no one ever sees; people sign in with Entra ID.",
    source: ["MCSB IM-6", "Checkov CKV_AZURE_1", "tfsec azure-compute-disable-password-authentication", "issue 7 (Windows: no password that anyone knows)"],
    fix: "Linux: set osProfile.linuxConfiguration.disablePasswordAuthentication: true and never set adminPassword. Windows: take adminPassword from a @pulumi/random RandomPassword, as a secret, never exported.",
    check: (resources) =>
      byType(resources, T.vm).flatMap((r) => {
        const os = r.inputs.osProfile ?? {};
        const problems: string[] = [];
        if (os.windowsConfiguration) {
          const pw = os.adminPassword;
          // Generated: the value of a RandomPassword of this stack when known (offline), else its dependency (preview).
          const generated = byType(resources, T.randomPassword).some((p) => (known(pw) && known(p.props.result) ? p.props.result === pw : r.dependencies?.includes(p.urn)));
          if (pw === undefined) problems.push("osProfile.adminPassword is not set (Azure requires one on Windows)");
          else if (!generated) problems.push("osProfile.adminPassword is not a generated RandomPassword of this stack (someone could know it)");
          return problems.length
            ? [{ urn: r.urn, message: `Windows VM ${azureName(r, "vmName")}: ${problems.join(" and ")}. Set adminPassword from a @pulumi/random RandomPassword, secret and never exported; sign-in is through Entra ID.` }]
            : [];
        }
        if (os.linuxConfiguration?.disablePasswordAuthentication !== true) problems.push("osProfile.linuxConfiguration.disablePasswordAuthentication is not true");
        if (os.adminPassword !== undefined) problems.push("osProfile.adminPassword is set");
        return problems.length
          ? [{ urn: r.urn, message: `VM ${azureName(r, "vmName")}: ${problems.join(" and ")}. Set disablePasswordAuthentication: true and remove adminPassword; sign-in is by SSH key only.` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "vm-no-public-ip-without-ssh-cidrs",
    name: "No VM has a public IP unless allowedSshCidrs is set and the NSG admits SSH only from those CIDRs",
    enforcement: "mandatory",
    why: "The lab's VMs are reached only through SSH from configured CIDRs. A public IP without that rule is attack surface for nothing; with a wide rule it is an open door.",
    source: ["MCSB NS-1", "Checkov CKV_AZURE_119", "tfsec azure-network-no-public-ingress"],
    fix: "Remove the public IP, or set config allowedSshCidrs to your public CIDRs (never 0.0.0.0/0).",
    check: (resources, ctx) => {
      const withIp = [
        ...byType(resources, T.nic).filter((n) => (Array.isArray(n.inputs.ipConfigurations) ? n.inputs.ipConfigurations : []).some((c: any) => c?.publicIPAddress)),
        ...byType(resources, T.vm).filter((vm) =>
          (Array.isArray(vm.inputs.networkProfile?.networkInterfaceConfigurations) ? vm.inputs.networkProfile.networkInterfaceConfigurations : []).some((n: any) =>
            (Array.isArray(n?.ipConfigurations) ? n.ipConfigurations : []).some((c: any) => c?.publicIPAddressConfiguration),
          ),
        ),
      ];
      if (withIp.length === 0) return [];
      const sshSources = nsgRules(resources)
        // SSH, or RDP for Windows seats: the same allowedSshCidrs admit either.
        .filter((n) => isInboundAllow(n.rule) && ports(n.rule).some((p) => ADMIN_PORTS.some((port) => coversPort(p, port))))
        .flatMap((n) => sources(n.rule));
      const configured = ctx.allowedSshCidrs;
      const why = sshSources.some((s) => isWorld(s) || !parseCidr(s.trim(), true))
        ? `the NSG admits SSH from ${shownList(sshSources)}, not only from specific public CIDRs`
        : configured !== undefined && configured.length === 0
          ? "config allowedSshCidrs is empty"
          : sshSources.length === 0
            ? "no NSG rule admits SSH from specific CIDRs"
            : configured && sshSources.some((s) => !configured.includes(s))
                ? `the NSG admits SSH from ${shownList(sshSources.filter((s) => !configured.includes(s)))}, which allowedSshCidrs does not list`
                : undefined;
      return why
        ? withIp.map((r) => ({ urn: r.urn, message: `${r.type === T.nic ? "NIC" : "VM"} ${r.name} has a public IP, but ${why}: remove the public IP, or set allowedSshCidrs to your public CIDRs.` }))
        : [];
    },
  },
  {
    kind: "stack",
    id: "nsg-no-admin-ports-from-internet",
    name: "No NSG rule allows port 22, 3389 or * from *, 0.0.0.0/0 or Internet",
    enforcement: "mandatory",
    why: "SSH and RDP open to the internet are brute-forced within minutes of a deploy.",
    source: ["MCSB NS-1", "Checkov CKV_AZURE_10 (SSH)", "Checkov CKV_AZURE_9 (RDP)", "tfsec azure-network-ssh-blocked-from-internet"],
    fix: "Admit SSH only from config allowedSshCidrs (specific public CIDRs); never from *, 0.0.0.0/0 or Internet.",
    check: (resources) =>
      nsgRules(resources).flatMap(({ holder, label, rule }) => {
        if (!isInboundAllow(rule)) return [];
        const world = sources(rule).filter(isWorld);
        const open = ports(rule).filter((p) => p.trim() === "*" || ADMIN_PORTS.some((port) => coversPort(p, port)));
        return world.length && open.length
          ? [{ urn: holder.urn, message: `${label} allows port ${shownList(open)} from ${shownList(world)}: restrict the source to the CIDRs in allowedSshCidrs, or delete the rule.` }]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "no-secret-literals-in-scripts",
    name: "No secret literals in custom data, user data, run command scripts or extension settings",
    enforcement: "mandatory",
    why: "Scripts and custom data are stored in plain text in ARM and in the Pulumi state, readable by anyone with Reader. VMs fetch secrets with their identity at run time instead.",
    source: ["seed step 3 (read secrets with the VM's identity)", "MCSB IM-8", "Checkov CKV_AZURE_45", "tfsec azure-compute-no-secrets-in-custom-data"],
    fix: "Read the value inside the VM from Key Vault with its managed identity, or pass it through the run command's protectedParameters.",
    check: (resources) => {
      const held = knownSecretValues(resources);
      return resources.flatMap((r) =>
        scriptTexts(r).flatMap(({ where, text }) => {
          const hits = new Set<string>(secretLiteralsIn(text));
          for (const s of held) if (text.includes(s.value)) hits.add(`the value of ${s.from} (${fingerprint(s.value)})`);
          return hits.size
            ? [{ urn: r.urn, message: `${r.name} ${where} contains ${[...hits].join(" and ")}: remove it; read secrets inside the VM from Key Vault with its managed identity, or pass them in protectedParameters.` }]
            : [];
        }),
      );
    },
  },
  // Advisory rules: reported, never blocking.
  {
    kind: "stack",
    id: "vm-auto-shutdown",
    name: "Every VM has an enabled auto-shutdown schedule",
    enforcement: "advisory",
    why: "DSVMs are large; a seat left running overnight costs more than the lab's whole day.",
    source: ["lab cost guard (config autoShutdownTime)", "Azure DevTest Labs ComputeVmShutdownTask"],
    fix: "Keep the devtestlab.GlobalSchedule (ComputeVmShutdownTask) per VM in components/DataScienceVm.ts.",
    check: (resources) => {
      const schedules = byType(resources, T.schedule).filter((s) => s.inputs.taskType === "ComputeVmShutdownTask" && s.inputs.status !== "Disabled");
      return byType(resources, T.vm).flatMap((vm) =>
        schedules.some((s) => (known(vm.id) && s.inputs.targetResourceId === vm.id) || s.dependencies?.includes(vm.urn))
          ? []
          : [{ urn: vm.urn, message: `VM ${azureName(vm, "vmName")} has no enabled auto-shutdown schedule: add a devtestlab.GlobalSchedule (ComputeVmShutdownTask) targeting it.` }],
      );
    },
  },
  {
    kind: "resource",
    types: [T.vm],
    id: "vm-size-allowed",
    name: "VM sizes come from the lab's allowed list",
    enforcement: "advisory",
    why: "Sizes outside the list are either too small for the DSVM image or expensive GPU and memory sizes nobody reviewed.",
    source: ["lab cost guard", "DSVM image 2204-gen2 needs Generation 2 sizes"],
    fix: `Use one of ${ALLOWED_VM_SIZES.join(", ")}, or extend ALLOWED_VM_SIZES in policy/rules.ts in a reviewed PR.`,
    check: (r, ctx) => {
      const size = r.inputs.hardwareProfile?.vmSize;
      const allowed = ctx.allowedVmSizes ?? ALLOWED_VM_SIZES;
      return !known(size) || allowed.includes(size) ? [] : [`VM ${azureName(r, "vmName")} has size ${size}, which is not in the allowed list: use one of ${allowed.join(", ")}.`];
    },
  },
  {
    kind: "stack",
    id: "tags-on-ephemeral-labs",
    name: "On ephemeral stacks, every taggable resource carries the tags lab, owner and expiresAt (ISO 8601)",
    enforcement: "advisory",
    why: "The reaper finds and tears down expired labs by these tags; an untagged resource outlives its lab and keeps costing.",
    source: ["issue 5 (ephemeral labs)", "MCSB AM-1 (asset inventory)"],
    fix: "Apply the tags in one place (the stack transform for ephemeral stacks), not per resource.",
    check: (resources, ctx) =>
      !ctx.ephemeral
        ? []
        : resources
            .filter((r) => TAGGABLE_TYPES.has(r.type) || r.inputs.tags !== undefined)
            .flatMap((r) => {
              const tags = (r.inputs.tags ?? {}) as Record<string, unknown>;
              const missing: string[] = EPHEMERAL_TAGS.filter((t) => !known(tags[t]));
              const expiry = tags[LAB_TAG.expiresAt];
              if (known(expiry) && !parseIsoSeconds(expiry)) missing.push(`${LAB_TAG.expiresAt} (not ISO 8601 UTC such as 2025-01-31T09:00:00Z)`);
              return missing.length ? [{ urn: r.urn, message: `${r.type.split(":").pop()} ${r.name} lacks tag${missing.length === 1 ? "" : "s"} ${missing.join(", ")} on an ephemeral stack: apply them in the stack's tag transform.` }] : [];
            }),
  },
];

/** A broken rule, found and reported. Field names are stable: docs/plan-json.md documents them. */
export interface Violation {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly enforcement: Enforcement;
  /** URN of the resource at fault, or null for the stack as a whole. */
  readonly urn: string | null;
  /** "<type> <name>" of that resource, or "stack". */
  readonly resource: string;
  /** What is wrong and what to change. */
  readonly message: string;
  /** The rule's general fix. */
  readonly fix: string;
}

/** Runs every rule over the resources. Violations come out in rule order, then resource order. */
export function evaluate(resources: readonly PolicyResourceView[], ctx: PolicyContext, ruleSet: readonly Rule[] = rules): Violation[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const violation = (rule: Rule, urn: string | undefined, message: string): Violation => {
    const r = urn ? byUrn.get(urn) : undefined;
    return { ruleId: rule.id, ruleName: rule.name, enforcement: rule.enforcement, urn: urn ?? null, resource: r ? `${r.type} ${r.name}` : "stack", message, fix: rule.fix };
  };
  return ruleSet.flatMap((rule) =>
    rule.kind === "resource"
      ? resources.filter((r) => rule.types.includes(r.type)).flatMap((r) => rule.check(r, ctx).map((m) => violation(rule, r.urn, m)))
      : rule.check(resources, ctx).map((f) => violation(rule, f.urn, f.message)),
  );
}

/** Whether resources say the stack is ephemeral (tag `ephemeral: "true"`): the pack's fallback when no config says. */
export function ephemeralByTags(resources: readonly PolicyResourceView[]): boolean {
  return resources.some((r) => r.inputs.tags?.[LAB_TAG.ephemeral] === "true");
}

/** The context the offline plan derives from a stack's config (values as the CLI hands them over: strings, JSON). */
export function contextFromConfig(raw: Readonly<Record<string, string | undefined>>): PolicyContext {
  const array = (v: string | undefined) => {
    try {
      const parsed = JSON.parse(v ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  };
  return { ephemeral: raw.ephemeral === "true", allowedSshCidrs: array(raw.allowedSshCidrs) };
}
