// Regressions of inventory 1: grants to principals the access matrix does not name, or more than it names.
import { BUILTIN_ROLES, LAB_CUSTOM_ROLES, subscriptionScope } from "../../lib/azure";
import { customRoleGuid } from "../../lib/naming";
import { MOCK_CLIENT } from "../../offline/mocks";
import type { Case } from "./case";
import type { Mutation } from "./mutate";
import {
  addAfter,
  addSecretPermissions,
  custom,
  field,
  FOLDS,
  inlinePolicy,
  OUTSIDER,
  replaceRole,
  roleId,
  seat1,
  seatPolicy,
  set,
  STORAGE_BLOB_DATA_OWNER,
  SUB,
  T,
} from "./mutation-helpers";

const RBAC = { vaultAccessModel: "rbac" };
const RBAC_LAB_ROLES = { vaultAccessModel: "rbac", customRoleSource: "lab" };
const LAB_USERS = { labUsersGroupObjectId: "0a0b0c0d-1111-2222-3333-444455556666" };
const ALL_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "backup", "restore", "recover", "purge"];

/** Seat 1's principal id, case-folded, on its storage assignment, with another role. */
const seatAssignment = (fold: (s: string) => string, guid: string) => {
  const s = seat1();
  return [
    s.capture,
    field(T.assignment, "storage-seat1-listkeys", "principalId", (id: string) => fold(id)),
    replaceRole("storage-seat1-listkeys", guid),
  ];
};

/** Principal cases, each tried as written and case-folded. */
const folded: Case[] = FOLDS.flatMap(({ name, fold }): Case[] => [
  {
    title: `outside principal (${name}) is Owner on the subscription`,
    mutations: [
      addAfter((sdk) =>
        custom(sdk, T.assignment, "injected-owner", {
          principalId: fold(OUTSIDER),
          principalType: "User",
          roleDefinitionId: roleId(BUILTIN_ROLES.owner),
          scope: SUB,
        }),
      ),
    ],
    rules: ["grant-role-assignments"],
    says: new RegExp(
      `principal ${fold(OUTSIDER)} holds "Owner" \\(actions \\[\\*\\].*on the subscription ${SUB}.*not in the access matrix`,
    ),
  },
  {
    title: `outside principal (${name}) holds every secret permission and purge on the lab vault`,
    mutations: [
      inlinePolicy({ objectId: fold(OUTSIDER), permissions: { secrets: ALL_SECRET_PERMISSIONS, keys: [], certificates: [], storage: [] } }),
    ],
    rules: ["grant-access-policies"],
    says: new RegExp(`principal ${fold(OUTSIDER)} holds \\[secrets/get, .*secrets/purge\\] on vault .*not in the access matrix`),
  },
  {
    title: `seat principal id (${name}) holding list`,
    mutations: seatPolicy((e) => ({
      ...e,
      objectId: fold(e.objectId),
      permissions: { ...e.permissions, secrets: [...e.permissions.secrets, "list"] },
    })),
    rules: ["grant-access-policies"],
    says: /seat 1 identity holds \[secrets\/get, secrets\/set, secrets\/list\].*\[secrets\/list\] is beyond what it may hold/,
  },
  {
    title: `seat principal id (${name}) holding Owner on the storage account`,
    mutations: seatAssignment(fold, BUILTIN_ROLES.owner),
    rules: ["grant-role-assignments"],
    says: /seat 1 identity holds "Owner" .* on storage account .*not in the access matrix/,
  },
  {
    title: `seat principal id (${name}) holding Storage Blob Data Owner`,
    mutations: seatAssignment(fold, STORAGE_BLOB_DATA_OWNER),
    rules: ["grant-role-assignments"],
    says: /seat 1 identity holds "Storage Blob Data Owner"/,
  },
  {
    title: `Owner made eligible through PIM for an outsider (${name})`,
    mutations: [
      addAfter((sdk) =>
        custom(sdk, "azure-native:authorization:PimRoleEligibilitySchedule", "injected-pim", {
          principalId: fold(OUTSIDER),
          roleDefinitionId: roleId(BUILTIN_ROLES.owner),
          scope: SUB,
        }),
      ),
    ],
    rules: ["grant-role-assignments", "inventory-resource-types"],
    says: /holds "Owner" .*PimRoleEligibilitySchedule is a privileged-identity \(PIM\) grant/,
  },
  {
    title: `a user-assigned identity on a seat holding Owner (${name})`,
    mutations: [
      set(T.vm, "seat1-vm", {
        identity: {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [`${SUB}/resourceGroups/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai`]: {} },
        },
      }),
      addAfter((sdk) => {
        custom(sdk, "azure-native:managedidentity:UserAssignedIdentity", "injected-uai", { resourceGroupName: "x", resourceName: "uai" });
        custom(sdk, T.assignment, "injected-uai-owner", {
          principalId: fold("c0ffee00-1111-4222-8333-444455556666"),
          principalType: "ServicePrincipal",
          roleDefinitionId: roleId(BUILTIN_ROLES.owner),
          scope: SUB,
        });
      }),
    ],
    rules: ["grant-managed-identities", "grant-role-assignments", "inventory-resource-types"],
    says: /Seat VM dsvmlab-vm1 has identity type "SystemAssigned, UserAssigned" and user-assigned identities/,
  },
  {
    title: `the seat policy (id ${name}) gains purge`,
    mutations: seatPolicy((e) => ({
      ...e,
      objectId: fold(e.objectId),
      permissions: { ...e.permissions, secrets: [...e.permissions.secrets, "purge"] },
    })),
    rules: ["grant-access-policies"],
    says: /\[secrets\/purge\] is beyond what it may hold \(\[secrets\/get, secrets\/set\]\)/,
  },
  {
    title: `lab users (id ${name}) get Virtual Machine Administrator Login`,
    config: LAB_USERS,
    mutations: [
      replaceRole("seat1-userlogin", BUILTIN_ROLES.virtualMachineAdministratorLogin),
      field(T.assignment, "seat1-userlogin", "principalId", (id: string) => fold(id)),
    ],
    rules: ["grant-role-assignments"],
    says: /the lab users' group holds "Virtual Machine Administrator Login" \(.*loginAsAdmin.*\) on vm dsvmlab-vm1 via seat1-userlogin: not in the access matrix/,
  },
  {
    title: `rbac: the deployer's (id ${name}) Secrets Officer becomes Owner on the vault`,
    config: RBAC,
    mutations: [
      replaceRole("vault-rbac-operator1", BUILTIN_ROLES.owner),
      field(T.assignment, "vault-rbac-operator1", "principalId", (id: string) => fold(id)),
    ],
    rules: ["grant-role-assignments"],
    says: /the deploying principal holds "Owner" .*on vault/,
  },
  {
    title: `the deployer (id ${name}) gets VM Administrator Login on an Ubuntu seat`,
    mutations: [
      addAfter((sdk) =>
        custom(sdk, T.assignment, "injected-admin-login", {
          principalId: fold(MOCK_CLIENT.objectId),
          principalType: "User",
          roleDefinitionId: roleId(BUILTIN_ROLES.virtualMachineAdministratorLogin),
          scope: `${SUB}/resourceGroups/dsvmlab-dev-rg/providers/Microsoft.Compute/virtualMachines/dsvmlab-vm1`,
        }),
      ),
    ],
    rules: ["grant-role-assignments"],
    says: /the deploying principal holds "Virtual Machine Administrator Login" .* on vm dsvmlab-vm1/,
  },
]);

export const GRANT_CASES: readonly Case[] = [
  ...folded,
  {
    title: "the seat policy gains all",
    mutations: addSecretPermissions("all"),
    rules: ["grant-access-policies"],
    says: /\[secrets\/all\]/,
  },
  {
    title: "the seat policy gains keys get",
    mutations: seatPolicy((e) => ({ ...e, permissions: { ...e.permissions, keys: ["get"] } })),
    rules: ["grant-access-policies"],
    says: /\[keys\/get\] is beyond/,
  },
  {
    title: "the seat policy names an application (compound identity)",
    mutations: seatPolicy((e) => ({ ...e, applicationId: "5f4e3d2c-1b0a-4988-8776-655443322110" })),
    rules: ["grant-access-policies"],
    says: /names an application/,
  },
  {
    title: "a standalone access policy for an outsider beside the inline ones",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, T.ap, "injected-ap", {
          resourceGroupName: "x",
          vaultName: "dsvmlab-kv-other",
          policy: { tenantId: MOCK_CLIENT.tenantId, objectId: OUTSIDER, permissions: { secrets: ["get"] } },
        }),
      ),
    ],
    rules: ["grant-access-policies"],
    says: /on vault dsvmlab-kv-other .*which is not the lab's/,
  },
  {
    title: "the listKeys role scoped to the resource group",
    mutations: [
      field(T.assignment, "storage-seat1-listkeys", "scope", (s: string) => s.replace(/\/providers\/Microsoft\.Storage\/.*$/, "")),
    ],
    rules: ["grant-role-assignments"],
    says: /seat 1 identity holds .*on the resource group/,
  },
  {
    title: "the listKeys role scoped to the subscription",
    mutations: [field(T.assignment, "storage-seat1-listkeys", "scope", (s: string) => s.replace(/\/resourceGroups\/.*$/, ""))],
    rules: ["grant-role-assignments"],
    says: /on the subscription/,
  },
  {
    title: "a seat assigned Contributor",
    mutations: [replaceRole("storage-seat1-listkeys", BUILTIN_ROLES.contributor)],
    rules: ["grant-role-assignments"],
    says: /"Contributor"/,
  },
  {
    title: "a seat assigned a role id nobody knows",
    mutations: [replaceRole("storage-seat1-listkeys", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")],
    rules: ["grant-role-assignments"],
    says: /unknown role 9a8b7c6d.*cannot be judged/,
  },
  {
    title: "the lab's listKeys role id computed for another subscription",
    mutations: [
      field(T.assignment, "storage-seat1-listkeys", "roleDefinitionId", () =>
        roleId(
          customRoleGuid(subscriptionScope(MOCK_CLIENT.subscriptionId), LAB_CUSTOM_ROLES.storageListKeys.seed),
          "/subscriptions/11111111-2222-3333-4444-555555555555",
        ),
      ),
    ],
    rules: ["grant-role-assignments"],
    says: /unknown role/,
  },
  {
    title: "RoleAssignmentScheduleRequest (active PIM assignment) for a seat",
    mutations: (() => {
      const s = seat1();
      return [
        s.capture,
        addAfter((sdk) =>
          custom(sdk, "azure-native:authorization:RoleAssignmentScheduleRequest", "injected-pim-active", {
            principalId: s.principalId(sdk),
            roleDefinitionId: roleId(BUILTIN_ROLES.contributor),
            scope: SUB,
          }),
        ),
      ];
    })(),
    rules: ["grant-role-assignments", "inventory-resource-types"],
    says: /seat 1 identity holds "Contributor".*PIM/,
  },
  {
    title: "a system identity on the storage account",
    mutations: [set(T.account, undefined, { identity: { type: "SystemAssigned" } })],
    rules: ["grant-managed-identities"],
    says: /StorageAccount storage-account has identity type "SystemAssigned": only seats have an identity/,
  },
  {
    title: "rbac: a seat assigned Key Vault Secrets User (readMetadata lists)",
    config: RBAC,
    mutations: [replaceRole("vault-rbac-seat1-sqlpasswd", BUILTIN_ROLES.keyVaultSecretsUser)],
    rules: ["grant-role-assignments"],
    says: /seat 1 identity holds "Key Vault Secrets User" .*readMetadata/,
  },
  {
    title: "rbac: the seat's secret role scoped to the resource group",
    config: RBAC,
    mutations: [
      field(T.assignment, "vault-rbac-seat1-sqlpasswd", "scope", (s: string) => s.replace(/\/providers\/Microsoft\.KeyVault\/.*$/, "")),
    ],
    rules: ["grant-role-assignments"],
    says: /on the resource group/,
  },
  {
    title: "rbac with lab roles: readMetadata added to the seat role",
    config: RBAC_LAB_ROLES,
    mutations: [
      {
        type: T.roleDef,
        name: "secret-role-definition",
        change: (p) => ({
          ...p,
          permissions: p.permissions.map((x: any) => ({
            ...x,
            dataActions: [...x.dataActions, "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
          })),
        }),
      },
    ],
    rules: ["grant-custom-roles", "grant-role-assignments"],
    says: /Custom role secret-role-definition: its permissions .*readMetadata.* are none of the lab's roles/,
  },
  {
    title: "lab roles: the listKeys role gets a wildcard",
    config: { customRoleSource: "lab" },
    mutations: [
      {
        type: T.roleDef,
        change: (p) => ({
          ...p,
          permissions: [{ actions: ["Microsoft.Storage/storageAccounts/*"], notActions: [], dataActions: [], notDataActions: [] }],
        }),
      },
    ],
    rules: ["grant-custom-roles", "grant-role-assignments"],
    says: /actions \[Microsoft\.Storage\/storageAccounts\/\*\]/,
  },
  {
    title: "lab roles: the listKeys role assignable on the whole subscription",
    config: { customRoleSource: "lab" },
    mutations: [{ type: T.roleDef, change: (p) => ({ ...p, assignableScopes: [SUB] }) }],
    rules: ["grant-custom-roles"],
    says: /assignable at the subscription/,
  },
  {
    title: "a seat's policy also on another shard's vault",
    config: { seats: "3", seatsPerVault: "2" },
    mutations: (() => {
      const s = seat1();
      return [
        s.capture,
        {
          type: T.vault,
          name: "vault2-kv",
          change: (props: any, sdk: any) => ({
            ...props,
            properties: sdk.all([props.properties, s.principalId(sdk)]).apply(([p, id]: [any, string]) => ({
              ...p,
              accessPolicies: [
                ...p.accessPolicies,
                { tenantId: MOCK_CLIENT.tenantId, objectId: id, permissions: { secrets: ["get", "set"] } },
              ],
            })),
          }),
        },
      ] as Mutation[];
    })(),
    rules: ["grant-access-policies"],
    says: /seat 1 identity holds \[secrets\/get, secrets\/set\] on vault .*is not seat 1's own vault/,
  },
  {
    title: "the seat policy names another tenant",
    mutations: seatPolicy((e) => ({ ...e, tenantId: "99999999-8888-4777-8666-555555555555" })),
    rules: ["grant-access-policies"],
    says: /names tenant 99999999-8888-4777-8666-555555555555, not the vault's/,
  },
  {
    title: "drop a seat's identity",
    mutations: [set(T.vm, "seat1-vm", { identity: { type: "None" } })],
    rules: ["vm-identity-system-assigned"],
    says: /VM dsvmlab-vm1 is named by .* but has identity type "None"/,
  },
];
