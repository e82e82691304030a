import { BUILTIN_ROLES, LIST_KEYS_ACTION } from "../../lib/azure";
import { MOCK_CLIENT } from "../../scripts/lib/mocks";
import { ofType, one, runLab } from "../helpers/program";

describe("StorageKeyAccess", () => {
  it("is StorageV2, HTTPS only, TLS 1.2, no public blobs, firewall Deny with the lab subnet; shared keys on by design", async () => {
    const run = await runLab({ operatorIpRanges: '["198.51.100.7/32","203.0.113.0/28"]' });
    const account = one(run, "azure-native:storage:StorageAccount", "storage-account").inputs;
    expect(account).toMatchObject({
      kind: "StorageV2",
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      networkRuleSet: { defaultAction: "Deny", bypass: "None" },
    });
    expect(account.networkRuleSet.virtualNetworkRules).toEqual([{ virtualNetworkResourceId: one(run, "azure-native:network:Subnet", "network-subnet").id, action: "Allow" }]);
    // Storage firewalls take a bare address, not /32.
    expect(account.networkRuleSet.ipRules.map((r: any) => r.iPAddressOrRange)).toEqual(["198.51.100.7", "203.0.113.0/28"]);
    expect(account.accountName).toMatch(/^[a-z0-9]{3,24}$/);
  });

  it("defines a custom role whose actions are exactly listKeys, assignable in the lab's resource group only", async () => {
    const run = await runLab();
    const roles = ofType(run, "azure-native:authorization:RoleDefinition");
    expect(roles).toHaveLength(1); // once per lab, not per seat
    const role = roles[0].inputs;
    expect(role.permissions).toEqual([{ actions: [LIST_KEYS_ACTION], notActions: [], dataActions: [], notDataActions: [] }]);
    const rg = one(run, "azure-native:resources:ResourceGroup", "lab");
    expect(role.assignableScopes).toEqual([rg.id]);
    expect(role.roleType).toBe("CustomRole");
  });

  it("assigns each seat's own identity, as a service principal, at the storage account's scope", async () => {
    const run = await runLab({ seats: "3" });
    const account = one(run, "azure-native:storage:StorageAccount", "storage-account");
    const role = ofType(run, "azure-native:authorization:RoleDefinition")[0];
    for (const seat of [1, 2, 3]) {
      const a = one(run, "azure-native:authorization:RoleAssignment", `storage-seat${seat}-listkeys`).inputs;
      const vm = ofType(run, "azure-native:compute:VirtualMachine").find((v) => v.parent?.endsWith(`::seat${seat}`))!;
      expect(a).toMatchObject({
        principalId: vm.state.identity.principalId,
        principalType: "ServicePrincipal",
        scope: account.id,
        roleDefinitionId: `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.state.name}`,
      });
    }
  });

  it("names role assignments deterministically, so a re-run computes the same names", async () => {
    const names = async () => ofType(await runLab(), "azure-native:authorization:RoleAssignment").map((a) => a.inputs.roleAssignmentName).sort();
    const first = await names();
    expect(first).toHaveLength(2);
    for (const n of first) expect(n).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(first).size).toBe(2);
    expect(await names()).toEqual(first);
  });

  it("with listKeysRole=builtin, assigns Storage Account Key Operator Service Role and defines no custom role", async () => {
    const run = await runLab({ listKeysRole: "builtin" });
    expect(ofType(run, "azure-native:authorization:RoleDefinition")).toEqual([]);
    for (const a of ofType(run, "azure-native:authorization:RoleAssignment")) {
      expect(a.inputs.roleDefinitionId).toBe(`/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.storageAccountKeyOperator}`);
    }
  });

  it("outputs the account name, id and blob endpoint", async () => {
    const run = await runLab();
    const account = one(run, "azure-native:storage:StorageAccount", "storage-account");
    expect(run.outputs).toMatchObject({ storageAccountName: account.state.name, storageAccountId: account.id, blobEndpoint: `https://${account.state.name}.blob.core.windows.net/` });
  });
});
