// The mutation suite's cases: one security regression each, injected into the real program under mocks with a stack
// transformation, and exactly the rules that must catch it. Two test files run halves of it in parallel.
import { randomBytes } from "crypto";
import { BUILTIN_ROLES } from "../../lib/azure";
import { MOCK_CLIENT } from "../../scripts/lib/mocks";
import { checkRecorded } from "../../policy/offline";
import { contextFromConfig, Violation } from "../../policy/rules";
import { devConfig } from "../helpers/program";
import { Mutation, patch, runMutated } from "./mutate";

const AP = "azure-native:keyvault:AccessPolicy";
const VAULT = "azure-native:keyvault:Vault";
const ACCOUNT = "azure-native:storage:StorageAccount";
const ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const ROLEDEF = "azure-native:authorization:RoleDefinition";
const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";
const NSG = "azure-native:network:NetworkSecurityGroup";

// Made up at test time, so no credential-looking literal is committed; tests check none is ever echoed.
const FAKE_PASSWORD = `P${randomBytes(12).toString("hex")}`;
const FAKE_ACCOUNT_KEY = randomBytes(64).toString("base64");

const seatPolicy = (fn: (p: any) => any): Mutation => ({ type: AP, name: "vault-seat1", change: (props, sdk) => ({ ...props, policy: patch(sdk, props.policy, fn) }) });
const secrets = (...extra: string[]) => seatPolicy((p) => ({ ...p, permissions: { ...p.permissions, secrets: [...p.permissions.secrets, ...extra] } }));
const assignRole = (guid: string): Mutation => ({
  type: ASSIGNMENT,
  name: "storage-seat1-listkeys",
  change: (props, sdk) => ({ ...props, roleDefinitionId: patch<string>(sdk, props.roleDefinitionId, (id) => id.replace(/[^/]+$/, guid)) }),
});
const rescope = (fn: (scope: string) => string): Mutation => ({ type: ASSIGNMENT, name: "storage-seat1-listkeys", change: (props, sdk) => ({ ...props, scope: patch(sdk, props.scope, fn) }) });
const account = (fields: Record<string, unknown>): Mutation => ({ type: ACCOUNT, change: (props) => ({ ...props, ...fields }) });
const vaultProps = (fn: (p: any) => any): Mutation => ({ type: VAULT, change: (props, sdk) => ({ ...props, properties: patch(sdk, props.properties, fn) }) });
const withoutKey = (key: string) => (o: any) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const publicIp: Mutation = {
  type: NIC,
  name: "seat1-nic",
  change: (props, sdk) => ({
    ...props,
    ipConfigurations: patch<any[]>(sdk, props.ipConfigurations, (cs) => cs.map((c) => ({ ...c, publicIPAddress: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/injected-ip" } }))),
  }),
};
const nsgRule = (rule: Record<string, unknown>): Mutation => ({
  type: NSG,
  change: (props) => ({
    ...props,
    securityRules: [{ name: "injected", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationAddressPrefix: "*", ...rule }],
  }),
});
const osProfile = (fn: (o: any) => any): Mutation => ({ type: VM, name: "seat1-vm", change: (props, sdk) => ({ ...props, osProfile: patch(sdk, props.osProfile, fn) }) });
const runCommand = (script: string): Mutation => ({
  type: VM,
  name: "seat1-vm",
  change: (props) => props,
  add: (props) => {
    const compute = require("@pulumi/azure-native/compute") as typeof import("@pulumi/azure-native/compute");
    new compute.VirtualMachineRunCommandByVirtualMachine("injected-runcommand", {
      resourceGroupName: props.resourceGroupName,
      vmName: props.vmName,
      location: props.location,
      runCommandName: "injected",
      source: { script },
    });
  },
});

export interface Case {
  readonly title: string;
  /** Config on top of the dev stack (the RBAC cases run with vaultAccessModel rbac). */
  readonly config?: Record<string, string>;
  readonly mutations: readonly Mutation[];
  /** Exactly the rules that must fire. */
  readonly rules: readonly string[];
  /** What the first rule's message must say (the fix, in the reviewer's terms). */
  readonly says: RegExp;
}

// The RBAC model's regressions: on seat 1's assignment on the canary secret, or on the lab's get+set-only role.
const RBAC = { vaultAccessModel: "rbac" };
const KV_ASSIGNMENT = "vault-rbac-seat1-sqlpasswd";
const seatRole = (fn: (perm: any) => any): Mutation => ({ type: ROLEDEF, name: "secret-role-definition", change: (props) => ({ ...props, permissions: props.permissions.map(fn) }) });
const kvAssignment = (field: "roleDefinitionId" | "scope", fn: (v: string) => string): Mutation => ({ type: ASSIGNMENT, name: KV_ASSIGNMENT, change: (props, sdk) => ({ ...props, [field]: patch(sdk, props[field], fn) }) });
const READ_METADATA = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

const RBAC_CASES: readonly Case[] = [
  { title: "rbac: add readMetadata to the seat role", config: RBAC, mutations: [seatRole((p) => ({ ...p, dataActions: [...p.dataActions, READ_METADATA] }))], rules: ["kv-rbac-vm-get-set-only"], says: /seat 1 identity is assigned .* remove \[Microsoft\.KeyVault\/vaults\/secrets\/readMetadata\/action\]; assign the get\+set-only custom role/ },
  { title: "rbac: add secrets/* to the seat role", config: RBAC, mutations: [seatRole((p) => ({ ...p, dataActions: [...p.dataActions, "Microsoft.KeyVault/vaults/secrets/*"] }))], rules: ["kv-rbac-vm-get-set-only", "role-no-privileged-or-wildcard"], says: /remove \[Microsoft\.KeyVault\/vaults\/secrets\/\*\]/ },
  { title: "rbac: an action in the seat role", config: RBAC, mutations: [seatRole((p) => ({ ...p, actions: ["Microsoft.KeyVault/vaults/read"] }))], rules: ["kv-rbac-vm-get-set-only"], says: /remove \[Microsoft\.KeyVault\/vaults\/read\]/ },
  { title: "rbac: the seat role loses setSecret", config: RBAC, mutations: [seatRole((p) => ({ ...p, dataActions: p.dataActions.filter((d: string) => !/setSecret/.test(d)) }))], rules: ["kv-rbac-vm-get-set-only"], says: /dataActions \[Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action\]/ },
  { title: "rbac: assign Key Vault Secrets User", config: RBAC, mutations: [kvAssignment("roleDefinitionId", (id) => id.replace(/[^/]+$/, BUILTIN_ROLES.keyVaultSecretsUser))], rules: ["kv-rbac-vm-get-set-only"], says: /the built-in role "Key Vault Secrets User" .*which can list the vault's secrets/ },
  { title: "rbac: assign Key Vault Secrets Officer", config: RBAC, mutations: [kvAssignment("roleDefinitionId", (id) => id.replace(/[^/]+$/, BUILTIN_ROLES.keyVaultSecretsOfficer))], rules: ["kv-rbac-vm-get-set-only", "role-no-privileged-or-wildcard"], says: /"Key Vault Secrets Officer"/ },
  { title: "rbac: assign Key Vault Administrator", config: RBAC, mutations: [kvAssignment("roleDefinitionId", (id) => id.replace(/[^/]+$/, BUILTIN_ROLES.keyVaultAdministrator))], rules: ["kv-rbac-vm-get-set-only", "role-no-privileged-or-wildcard"], says: /"Key Vault Administrator"/ },
  { title: "rbac: scope the secret role to the resource group", config: RBAC, mutations: [kvAssignment("scope", (s) => s.replace(/\/providers\/Microsoft\.KeyVault\/.*$/, ""))], rules: ["kv-rbac-vm-scope-vault-or-secret"], says: /Key Vault role assignment vault-rbac-seat1-sqlpasswd is scoped to a resource group: scope it to the secret/ },
  { title: "rbac: scope the secret role to the subscription", config: RBAC, mutations: [kvAssignment("scope", (s) => s.replace(/\/resourceGroups\/.*$/, ""))], rules: ["kv-rbac-vm-scope-vault-or-secret"], says: /scoped to a subscription/ },
  {
    title: "rbac: an access policy on an RBAC vault",
    config: RBAC,
    mutations: [vaultProps((p) => ({ ...p, accessPolicies: [{ tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } }] }))],
    rules: ["kv-access-model-consistent"],
    says: /uses RBAC \(enableRbacAuthorization true\) but has access policies \(1 inline\): remove them/,
  },
  { title: "access policies on a vault flipped to RBAC", mutations: [vaultProps((p) => ({ ...p, enableRbacAuthorization: true }))], rules: ["kv-access-model-consistent"], says: /but has access policies \(vault-operator1, vault-seat1, vault-seat2\)/ },
];

export const CASES: readonly Case[] = [
  { title: "add list to the seat's secret permissions", mutations: [secrets("list")], rules: ["kv-vm-secrets-get-set-only"], says: /seat 1 identity .*remove \[list\].*only get and set/ },
  { title: "add all to the seat's secret permissions", mutations: [secrets("all")], rules: ["kv-vm-secrets-get-set-only", "kv-no-purge-for-vm"], says: /remove \[all\]/ },
  { title: "grant purge on secrets", mutations: [secrets("purge")], rules: ["kv-vm-secrets-get-set-only", "kv-no-purge-for-vm"], says: /remove \[purge\]/ },
  { title: "grant keys get", mutations: [seatPolicy((p) => ({ ...p, permissions: { ...p.permissions, keys: ["get"] } }))], rules: ["kv-vm-no-key-cert-storage-permissions"], says: /\[keys\/get\].*remove them/ },
  { title: "grant certificates list", mutations: [seatPolicy((p) => ({ ...p, permissions: { ...p.permissions, certificates: ["list"] } }))], rules: ["kv-vm-no-key-cert-storage-permissions"], says: /\[certificates\/list\]/ },
  { title: "assign Contributor", mutations: [assignRole(BUILTIN_ROLES.contributor)], rules: ["role-vm-listkeys-only", "role-no-privileged-or-wildcard"], says: /seat 1 identity is assigned "Contributor".*assign the listKeys-only role/ },
  { title: "assign Owner", mutations: [assignRole(BUILTIN_ROLES.owner)], rules: ["role-vm-listkeys-only", "role-no-privileged-or-wildcard"], says: /"Owner"/ },
  { title: "assign User Access Administrator", mutations: [assignRole(BUILTIN_ROLES.userAccessAdministrator)], rules: ["role-vm-listkeys-only", "role-no-privileged-or-wildcard"], says: /"User Access Administrator"/ },
  {
    title: "wildcard action in the custom role",
    mutations: [{ type: ROLEDEF, change: (props) => ({ ...props, permissions: [{ actions: ["Microsoft.Storage/storageAccounts/*"], notActions: [], dataActions: [], notDataActions: [] }] }) }],
    rules: ["role-vm-listkeys-only", "role-no-privileged-or-wildcard"],
    says: /actions \[Microsoft\.Storage\/storageAccounts\/\*\]/,
  },
  {
    title: "regeneratekey added to the custom role",
    mutations: [{ type: ROLEDEF, change: (props) => ({ ...props, permissions: [{ actions: ["Microsoft.Storage/storageAccounts/listkeys/action", "Microsoft.Storage/storageAccounts/regeneratekey/action"] }] }) }],
    rules: ["role-vm-listkeys-only"],
    says: /regeneratekey.*actions exactly/,
  },
  { title: "scope the role to the resource group", mutations: [rescope((s) => s.replace(/\/providers\/Microsoft\.Storage\/.*$/, ""))], rules: ["role-scope-storage-account"], says: /scoped to a resource group: scope it to the lab's storage account/ },
  { title: "scope the role to the subscription", mutations: [rescope((s) => s.replace(/\/resourceGroups\/.*$/, ""))], rules: ["role-scope-storage-account"], says: /scoped to a subscription/ },
  { title: "enable blob public access", mutations: [account({ allowBlobPublicAccess: true })], rules: ["storage-no-blob-public-access"], says: /allowBlobPublicAccess true: set it to false/ },
  { title: "TLS 1.0", mutations: [account({ minimumTlsVersion: "TLS1_0" })], rules: ["storage-min-tls-1-2"], says: /has minimumTlsVersion "TLS1_0": set it to "TLS1_2"/ },
  { title: "httpsOnly false", mutations: [account({ enableHttpsTrafficOnly: false })], rules: ["storage-https-only"], says: /enableHttpsTrafficOnly false: set it to true/ },
  {
    title: "storage network default Allow",
    mutations: [{ type: ACCOUNT, change: (props, sdk) => ({ ...props, networkRuleSet: patch(sdk, props.networkRuleSet, (n: any) => ({ ...n, defaultAction: "Allow" })) }) }],
    rules: ["storage-network-default-deny"],
    says: /has networkRuleSet.defaultAction "Allow": set it to "Deny"/,
  },
  { title: "vault network default Allow", mutations: [vaultProps((p) => ({ ...p, networkAcls: { ...p.networkAcls, defaultAction: "Allow" } }))], rules: ["kv-network-default-deny"], says: /has properties.networkAcls.defaultAction "Allow": set it to "Deny"/ },
  { title: "enableRbacAuthorization unset", mutations: [vaultProps(withoutKey("enableRbacAuthorization"))], rules: ["kv-rbac-explicit"], says: /leaves enableRbacAuthorization unset: set it to false explicitly/ },
  { title: "soft delete off", mutations: [vaultProps((p) => ({ ...p, enableSoftDelete: false }))], rules: ["kv-soft-delete-on"], says: /enableSoftDelete false: set it to true/ },
  { title: "enabledForDeployment true", mutations: [vaultProps((p) => ({ ...p, enabledForDeployment: true }))], rules: ["kv-no-deployment-access"], says: /turns on enabledForDeployment: set it to false/ },
  { title: "purge protection off on a lasting stack", mutations: [vaultProps(withoutKey("enablePurgeProtection"))], rules: ["kv-purge-protection"], says: /no purge protection on a non-ephemeral stack/ },
  {
    title: "public IP with a 0.0.0.0/0 SSH rule",
    mutations: [publicIp, nsgRule({ sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "22" })],
    rules: ["vm-no-public-ip-without-ssh-cidrs", "nsg-no-admin-ports-from-internet"],
    says: /NIC seat1-nic has a public IP, but the NSG admits SSH from \[0\.0\.0\.0\/0\]/,
  },
  { title: "public IP without allowedSshCidrs", mutations: [publicIp], rules: ["vm-no-public-ip-without-ssh-cidrs"], says: /config allowedSshCidrs is empty: remove the public IP, or set allowedSshCidrs/ },
  { title: "RDP from Internet", mutations: [nsgRule({ sourceAddressPrefix: "Internet", destinationPortRange: "3389" })], rules: ["nsg-no-admin-ports-from-internet"], says: /allows port \[3389\] from \[Internet\]: restrict the source/ },
  { title: "a port range over 22 from *", mutations: [nsgRule({ sourceAddressPrefixes: ["*"], destinationPortRanges: ["20-30"] })], rules: ["nsg-no-admin-ports-from-internet"], says: /port \[20-30\] from \[\*\]/ },
  { title: "enable password authentication", mutations: [osProfile((o) => ({ ...o, linuxConfiguration: { ...o.linuxConfiguration, disablePasswordAuthentication: false } }))], rules: ["vm-password-auth-disabled"], says: /disablePasswordAuthentication is not true.*SSH key only/ },
  // Removing the key outright crashes the program itself (vm.identity.apply), so the regression is an explicit None.
  { title: "drop the identity", mutations: [{ type: VM, name: "seat1-vm", change: (props) => ({ ...props, identity: { type: "None" } }) }], rules: ["vm-identity-system-assigned"], says: /VM dsvmlab-vm1 is named by .* but has identity type "None": set identity.type to "SystemAssigned"/ },
  {
    title: "mix inline and standalone access policies",
    mutations: [vaultProps((p) => ({ ...p, accessPolicies: [{ tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } }] }))],
    rules: ["kv-no-mixed-access-policies"],
    says: /1 inline access policy and 3 standalone AccessPolicy resource\(s\).*move the inline ones/,
  },
  { title: "secret literal in a run command script", mutations: [runCommand(`#!/bin/sh\nexport DB_PASSWORD=${FAKE_PASSWORD}\n./run.sh`)], rules: ["no-secret-literals-in-scripts"], says: /injected-runcommand source.script contains a credential assigned a literal value: remove it/ },
  {
    title: "storage key in custom data",
    mutations: [osProfile((o) => ({ ...o, customData: Buffer.from(`#cloud-config\nruncmd:\n  - echo "AccountKey=${FAKE_ACCOUNT_KEY}" > /etc/lab\n`).toString("base64") }))],
    rules: ["no-secret-literals-in-scripts"],
    says: /seat1-vm osProfile.customData contains a storage account key/,
  },
  {
    title: "the canary secret's value in the in-VM check's script",
    mutations: (() => {
      // The RandomPassword behind the canary is captured when it is constructed; its result then feeds the script.
      let canary: { result: unknown } | undefined;
      return [
        { type: "random:index/randomPassword:RandomPassword", change: (props: Record<string, any>) => props, capture: (r: any) => (canary = r) },
        {
          type: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
          name: "seat1-check-probe",
          change: (props: Record<string, any>, sdk: any) => ({ ...props, source: sdk.all([props.source, canary!.result]).apply(([src, v]: [any, string]) => ({ ...src, script: `${src.script}\n# ${v}\n` })) }),
        },
      ] as Mutation[];
    })(),
    rules: ["no-secret-literals-in-scripts"],
    says: /seat1-check-probe source.script contains the value of random password vault-canary-value \(\d+ chars, sha256 [0-9a-f]{8}\)/,
  },
  ...RBAC_CASES,
];

/** Runs one case and checks what fired. */
export async function expectCaught(c: Case): Promise<void> {
  const run = await runMutated(c.mutations, c.config);
  const violations = checkRecorded(run.resources, contextFromConfig(devConfig(c.config)));
  const fired = [...new Set(violations.map((v) => v.ruleId))].sort();
  expect(fired).toEqual([...c.rules].sort());
  const first: Violation[] = violations.filter((v) => v.ruleId === c.rules[0]);
  expect(first.some((v) => c.says.test(v.message))).toBe(true);
  // Every finding is mandatory here, points at a resource, and says what to change.
  for (const v of violations) {
    expect(v.enforcement).toBe("mandatory");
    expect(v.urn).toMatch(/^urn:pulumi:/);
    expect(v.message).toMatch(/: (set|remove|restrict|assign|scope|move|use|add)|Set |Remove /i);
  }
  // No finding ever carries the secret it found.
  const text = JSON.stringify(violations);
  expect(text).not.toContain(FAKE_PASSWORD);
  expect(text).not.toContain(FAKE_ACCOUNT_KEY);
  for (const r of run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) expect(text).not.toContain(String(r.state.result));
}
