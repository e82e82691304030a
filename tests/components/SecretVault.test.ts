import { MOCK_CLIENT } from "../../scripts/lib/mocks";
import { ofType, one, runLab } from "../helpers/program";

const policiesOf = (run: Awaited<ReturnType<typeof runLab>>) => ofType(run, "azure-native:keyvault:AccessPolicy");

describe("SecretVault", () => {
  it("uses access policies explicitly, soft delete on, and no deployment/template/disk-encryption access", async () => {
    const props = one(await runLab(), "azure-native:keyvault:Vault", "vault-kv").inputs.properties;
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
    const acls = one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.networkAcls;
    expect(acls).toMatchObject({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "198.51.100.7" }] });
    expect(acls.virtualNetworkRules).toEqual([{ id: one(run, "azure-native:network:Subnet", "network-subnet").id, ignoreMissingVnetServiceEndpoint: false }]);
  });

  it("has a valid, unique-by-suffix name: 3-24 characters, starting with a letter", async () => {
    const run = await runLab({ namePrefix: "abcdefghij" });
    const name = one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.vaultName as string;
    expect(name).toMatch(/^abcdefghij-kv-[a-z0-9]{6}$/);
    expect(name).toMatch(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
    expect(run.resources.some((r) => r.type === "random:index/randomString:RandomString" && r.name === "vault-suffix")).toBe(true);
  });

  it("never carries inline access policies: they are all standalone resources", async () => {
    const run = await runLab();
    expect(one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.accessPolicies).toBeUndefined();
    expect(policiesOf(run)).toHaveLength(3);
  });

  it("gives each seat's identity secrets get and set only: no list, no keys, certificates or storage", async () => {
    const run = await runLab({ seats: "3" });
    const vms = ofType(run, "azure-native:compute:VirtualMachine");
    for (const seat of [1, 2, 3]) {
      const policy = one(run, "azure-native:keyvault:AccessPolicy", `vault-seat${seat}`).inputs.policy;
      const vm = vms.find((v) => v.parent?.endsWith(`::seat${seat}`))!;
      expect(policy.objectId).toBe(vm.state.identity.principalId);
      expect(policy.permissions).toEqual({ secrets: ["get", "set"], keys: [], certificates: [], storage: [] });
      expect(policy.permissions.secrets).not.toContain("list");
    }
  });

  it("gives the deploying principal and each configured operator the operator policy, without purge", async () => {
    const extra = "11111111-2222-3333-4444-555555555555";
    const run = await runLab({ operatorObjectIds: JSON.stringify([extra]) });
    const operators = policiesOf(run)
      .filter((p) => p.name.includes("operator"))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => p.inputs.policy);
    expect(operators.map((p) => p.objectId)).toEqual([MOCK_CLIENT.objectId, extra]);
    for (const p of operators) {
      expect(p.permissions.secrets).toEqual(["get", "list", "set", "delete", "recover"]);
      expect(p.permissions.keys).toEqual([]);
    }
  });

  it("outputs the vault name and URI", async () => {
    const run = await runLab();
    const name = one(run, "azure-native:keyvault:Vault", "vault-kv").state.name;
    expect(run.outputs).toMatchObject({ vaultName: name, vaultUri: `https://${name}.vault.azure.net/` });
  });
});
