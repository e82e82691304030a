import { MOCK_CLIENT } from "../../offline/mocks";
import type { ProgramRun, RecordedResource } from "../../offline/harness";
import { concurrentPairs, ofType, one, runComponents, runLab } from "../helpers/program";

const T = {
  vault: "azure-native:keyvault:Vault",
  policy: "azure-native:keyvault:AccessPolicy",
  secret: "azure-native:keyvault:Secret",
  assignment: "azure-native:authorization:RoleAssignment",
};
const policiesOf = (run: ProgramRun) => one(run, T.vault, "vault-kv").inputs.properties.accessPolicies as any[];

/** SecretVault alone, with hand-written args. */
function buildVault(over: Record<string, unknown> = {}, name = "kv", model: "accessPolicy" | "rbac" = "accessPolicy") {
  return runComponents((load, sdk) => {
    const { SecretVault } = load<typeof import("../../components/SecretVault")>("components/SecretVault");
    new SecretVault(name, {
      resourceGroupName: "rg",
      location: "westeurope",
      tenantId: "tenant-1",
      namePrefix: "lab",
      subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/lab",
      operatorIpRanges: [],
      seats: [
        { number: 1, principalId: "seat-principal-1" },
        { number: 2, principalId: "seat-principal-2" },
      ],
      operatorObjectIds: ["operator-1"],
      canarySecretName: "Canary",
      access:
        model === "rbac"
          ? {
              model,
              subscriptionId: "sub-1",
              seatRoleDefinitionId: sdk.output("/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/r1"),
              operatorPrincipalType: "User",
            }
          : { model },
      ...over,
    } as any);
  });
}

/** Every write this vault's data or policies take: the vault itself, its secrets and any standalone policy. */
const vaultWrites = (run: ProgramRun): RecordedResource[] => [...ofType(run, T.vault), ...ofType(run, T.secret), ...ofType(run, T.policy)];

describe("SecretVault", () => {
  it("uses access policies explicitly, soft delete on, and no deployment/template/disk-encryption access", async () => {
    const props = one(await runLab(), T.vault, "vault-kv").inputs.properties;
    expect(props).toMatchObject({
      enableRbacAuthorization: false,
      enableSoftDelete: true,
      enabledForDeployment: false,
      enabledForTemplateDeployment: false,
      enabledForDiskEncryption: false,
      tenantId: MOCK_CLIENT.tenantId,
      sku: { family: "A", name: "standard" },
    });
    expect(props.softDeleteRetentionInDays).toBeGreaterThanOrEqual(7);
  });

  it("denies by default at the firewall, admitting the lab subnet and the operator IPs only", async () => {
    const run = await runLab({ operatorIpRanges: '["198.51.100.7"]' });
    const acls = one(run, T.vault, "vault-kv").inputs.properties.networkAcls;
    expect(acls).toMatchObject({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "198.51.100.7" }] });
    expect(acls.virtualNetworkRules).toEqual([
      { id: one(run, "azure-native:network:Subnet", "network-subnet").id, ignoreMissingVnetServiceEndpoint: false },
    ]);
  });

  it("has a valid, unique-by-suffix name: 3-24 characters, starting with a letter", async () => {
    const run = await runLab({ namePrefix: "abcdefghij" });
    const name = one(run, T.vault, "vault-kv").inputs.vaultName as string;
    expect(name).toMatch(/^abcdefghij-kv-[a-z0-9]{6}$/);
    expect(name).toMatch(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
    expect(run.resources.some((r) => r.type === "random:index/randomString:RandomString" && r.name === "vault-suffix")).toBe(true);
  });

  it("kv-access-policy-409-serialize: writes every policy in the vault's one write, and no standalone AccessPolicy (never mixed: #594)", async () => {
    const run = await runLab();
    expect(ofType(run, T.policy)).toEqual([]);
    expect(policiesOf(run)).toHaveLength(3); // the deploying principal and two seats
    // Nothing writes to the vault at the same time as anything else that writes to it.
    expect(concurrentPairs(run, vaultWrites(run))).toEqual([]);
  });

  it("gives each seat's identity secrets get and set only: no list, no keys, certificates or storage", async () => {
    const run = await runLab({ seats: "3" });
    const policies = policiesOf(run);
    for (const seat of [1, 2, 3]) {
      const principal = one(run, "azure-native:compute:VirtualMachine", `seat${seat}-vm`).state.identity.principalId;
      const mine = policies.filter((p) => p.objectId === principal);
      expect(mine).toEqual([
        {
          tenantId: MOCK_CLIENT.tenantId,
          objectId: principal,
          permissions: { secrets: ["get", "set"], keys: [], certificates: [], storage: [] },
        },
      ]);
    }
  });

  it("gives the deploying principal and each configured operator the operator policy, without purge", async () => {
    const extra = "11111111-2222-3333-4444-555555555555";
    const run = await runLab({ operatorObjectIds: JSON.stringify([extra]) });
    const operators = policiesOf(run).slice(0, 2);
    expect(operators.map((p) => p.objectId)).toEqual([MOCK_CLIENT.objectId, extra]);
    for (const p of operators) {
      expect(p.permissions.secrets).toEqual(["get", "list", "set", "delete", "recover"]);
      expect(p.permissions.keys).toEqual([]);
    }
  });

  it("outputs the vault name and URI", async () => {
    const run = await runLab();
    const name = one(run, T.vault, "vault-kv").state.name;
    expect(run.outputs).toMatchObject({ vaultName: name, vaultUri: `https://${name}.vault.azure.net/` });
  });
});

describe("SecretVault alone (hand-written args)", () => {
  it("access policies: operators first, then seats, all inline in one write; each seat's grant is the vault", async () => {
    const run = await buildVault();
    const vault = one(run, T.vault, "kv-kv");
    expect(vault.inputs.properties.accessPolicies.map((p: any) => [p.objectId, p.permissions.secrets.join(",")])).toEqual([
      ["operator-1", "get,list,set,delete,recover"],
      ["seat-principal-1", "get,set"],
      ["seat-principal-2", "get,set"],
    ]);
    expect(ofType(run, T.policy)).toEqual([]);
  });

  it("removing a seat drops its policy from the vault's next write (the vault itself stays)", async () => {
    const one_ = await buildVault({ seats: [{ number: 1, principalId: "seat-principal-1" }] });
    const objectIds = one(one_, T.vault, "kv-kv").inputs.properties.accessPolicies.map((p: any) => p.objectId);
    expect(objectIds).toEqual(["operator-1", "seat-principal-1"]);
    expect(objectIds).not.toContain("seat-principal-2");
  });

  it("kv-secret-delete-is-data-plane, pulumi-deleted-with: the canary goes with its vault, so destroy never deletes it through the data plane", async () => {
    const run = await buildVault();
    const vault = one(run, T.vault, "kv-kv");
    expect(one(run, T.secret, "kv-canary").deletedWith).toBe(vault.urn);
    // The vault itself is deleted normally (protect aside): deletedWith is not set on it.
    expect(vault.deletedWith).toBeUndefined();
  });

  it("RBAC: both secrets go with the vault, the probe secret is written after the canary, and no vault write can overlap another", async () => {
    const run = await buildVault({}, "kv", "rbac");
    const vault = one(run, T.vault, "kv-kv");
    expect(vault.inputs.properties.accessPolicies).toBeUndefined();
    const [canary, probe] = [one(run, T.secret, "kv-canary"), one(run, T.secret, "kv-probe-secret")];
    expect([canary.deletedWith, probe.deletedWith]).toEqual([vault.urn, vault.urn]);
    expect(probe.dependencies).toContain(canary.urn);
    expect(concurrentPairs(run, vaultWrites(run))).toEqual([]);
  });

  it("the check bites: two secrets without the chain are reported as writes that may run at once", async () => {
    const run = await runComponents((load) => {
      const keyvault = load<typeof import("@pulumi/azure-native/keyvault")>("node_modules/@pulumi/azure-native/keyvault");
      const v = new keyvault.Vault("v", { resourceGroupName: "rg", properties: { tenantId: "t", sku: { family: "A", name: "standard" } } });
      new keyvault.Secret("a", { resourceGroupName: "rg", vaultName: v.name, secretName: "a", properties: { value: "x" } });
      new keyvault.Secret("b", { resourceGroupName: "rg", vaultName: v.name, secretName: "b", properties: { value: "y" } });
    });
    expect(concurrentPairs(run, vaultWrites(run))).toEqual(["a | b"]);
  });

  it("refuses the rbac model without its role: tsc at compile time, naming the argument at run time (an untyped caller)", async () => {
    await expect(
      runComponents((load) => {
        const { SecretVault } = load<typeof import("../../components/SecretVault")>("components/SecretVault");
        new SecretVault("kv", {
          resourceGroupName: "rg",
          location: "westeurope",
          tenantId: "t",
          namePrefix: "lab",
          subnetId: "s",
          operatorIpRanges: [],
          seats: [],
          operatorObjectIds: [],
          // @ts-expect-error the rbac model needs subscriptionId, seatRoleDefinitionId and operatorPrincipalType
          access: { model: "rbac" },
        });
      }),
    ).rejects.toThrow(
      /SecretVault kv: access\.model "rbac" needs access\.subscriptionId, access\.seatRoleDefinitionId and access\.operatorPrincipalType/,
    );
  });
});
