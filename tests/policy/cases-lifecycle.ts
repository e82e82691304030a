// Regressions of the lifecycle checks: retention, purge protection and protect on what must outlive a destroy, the
// in-VM check's wiring, and the vault's and storage account's settings.
import { MOCK_CLIENT } from "../../offline/mocks";
import type { Case } from "./case";
import { addAfter, custom, set, T, vaultProps } from "./mutation-helpers";
import type { Mutation } from "./mutate";

export const LIFECYCLE_CASES: readonly Case[] = [
  {
    title: "soft-delete retention 7 days on a lasting lab",
    mutations: [vaultProps((p) => ({ ...p, softDeleteRetentionInDays: 7 }))],
    rules: ["lifecycle-lasting-retention"],
    says: /keeps deleted secrets 7 days on a lasting stack: set softDeleteRetentionInDays to 90/,
  },
  {
    title: "purge protection off on a lasting lab",
    mutations: [vaultProps((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== "enablePurgeProtection")))],
    rules: ["kv-purge-protection"],
    says: /no purge protection on a non-ephemeral stack/,
  },
  {
    title: "protect off on the vault",
    mutations: [{ type: T.vault, change: (p) => p, opts: (o) => ({ ...o, protect: false }) }],
    rules: ["lifecycle-lasting-protect"],
    says: /Vault dsvmlab-kv-\w+ is not protected on a lasting stack/,
  },
  {
    title: "protect off on the storage account",
    mutations: [{ type: T.account, change: (p) => p, opts: (o) => ({ ...o, protect: false }) }],
    rules: ["lifecycle-lasting-protect"],
    says: /Storage account dsvmlabst\w+ is not protected/,
  },
  {
    title: "checkOnDeploy: seat 2's check runs on seat 1",
    mutations: [set(T.runCommand, "seat2-check-probe", { vmName: "dsvmlab-vm1" })],
    rules: ["lifecycle-check-on-deploy"],
    says: /Seat VM dsvmlab-vm2 has no in-VM check though checkOnDeploy is true/,
  },
  {
    title: "checkOnDeploy: a check that cannot fail the deploy",
    mutations: [set(T.runCommand, "seat1-check-probe", { treatFailureAsDeploymentFailure: false })],
    rules: ["lifecycle-check-on-deploy"],
    says: /cannot fail the deploy/,
  },
  {
    title: "soft delete off",
    mutations: [vaultProps((p) => ({ ...p, enableSoftDelete: false }))],
    rules: ["kv-soft-delete-on"],
    says: /enableSoftDelete false: set it to true/,
  },
  {
    title: "enabledForDeployment true",
    mutations: [vaultProps((p) => ({ ...p, enabledForDeployment: true }))],
    rules: ["kv-no-deployment-access"],
    says: /turns on enabledForDeployment/,
  },
  {
    title: "enableRbacAuthorization unset",
    mutations: [vaultProps((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== "enableRbacAuthorization")))],
    rules: ["kv-rbac-explicit"],
    says: /leaves enableRbacAuthorization unset/,
  },
  {
    title: "rbac: an access policy on an RBAC vault",
    config: { vaultAccessModel: "rbac" },
    mutations: [
      vaultProps((p) => ({
        ...p,
        accessPolicies: [{ tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } }],
      })),
    ],
    rules: ["kv-access-model-consistent"],
    says: /uses RBAC \(enableRbacAuthorization true\) but has access policies \(1 inline\)/,
  },
  {
    title: "a standalone access policy beside the vault's inline ones",
    mutations: (() => {
      let vault: any;
      return [
        { type: T.vault, name: "vault-kv", change: (p) => p, capture: (r: any) => (vault = r) },
        addAfter(
          (sdk) =>
            custom(sdk, T.ap, "injected-ap-mixed", {
              resourceGroupName: "x",
              vaultName: vault.name,
              policy: { tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } },
            }),
          { type: T.secret, name: "vault-canary" },
        ),
      ] as Mutation[];
    })(),
    rules: ["kv-no-mixed-access-policies"],
    says: /has 3 inline access policies and 1 standalone AccessPolicy resource\(s\) \(injected-ap-mixed\)/,
  },
  {
    title: "TLS 1.0",
    mutations: [set(T.account, undefined, { minimumTlsVersion: "TLS1_0" })],
    rules: ["storage-min-tls-1-2"],
    says: /minimumTlsVersion "TLS1_0"/,
  },
  {
    title: "HTTPS only off",
    mutations: [set(T.account, undefined, { enableHttpsTrafficOnly: false })],
    rules: ["storage-https-only"],
    says: /enableHttpsTrafficOnly false/,
  },
];
