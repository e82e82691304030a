import { BUILTIN_ROLES, LAB_CUSTOM_ROLES, LIST_KEYS_ACTION, roleDefinitionId, subscriptionScope } from "../../lib/azure";
import { customRoleGuid, deterministicGuid } from "../../lib/naming";
import { MOCK_CLIENT } from "../../offline/mocks";
import { ofType, one, runComponents, runLab } from "../helpers/program";

const LAB_ROLE = { customRoleSource: "lab" };

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
    expect(account.networkRuleSet.virtualNetworkRules).toEqual([
      { virtualNetworkResourceId: one(run, "azure-native:network:Subnet", "network-subnet").id, action: "Allow" },
    ]);
    // Storage firewalls take a bare address, not /32.
    expect(account.networkRuleSet.ipRules.map((r: any) => r.iPAddressOrRange)).toEqual(["198.51.100.7", "203.0.113.0/28"]);
    expect(account.accountName).toMatch(/^[a-z0-9]{3,24}$/);
  });

  it("with customRoleSource lab, defines a custom role whose actions are exactly listKeys, assignable in the lab's resource group only", async () => {
    const run = await runLab(LAB_ROLE);
    const roles = ofType(run, "azure-native:authorization:RoleDefinition");
    expect(roles).toHaveLength(1); // once per lab, not per seat
    const role = roles[0].inputs;
    expect(role.permissions).toEqual([{ actions: [LIST_KEYS_ACTION], notActions: [], dataActions: [], notDataActions: [] }]);
    const rg = one(run, "azure-native:resources:ResourceGroup", "lab");
    expect(role.assignableScopes).toEqual([rg.id]);
    expect(role.roleType).toBe("CustomRole");
  });

  it("assigns each seat's own identity, as a service principal, at the storage account's scope", async () => {
    const run = await runLab({ seats: "3", ...LAB_ROLE });
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
    const names = async () =>
      ofType(await runLab(), "azure-native:authorization:RoleAssignment")
        .map((a) => a.inputs.roleAssignmentName)
        .sort();
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
      expect(a.inputs.roleDefinitionId).toBe(
        `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.storageAccountKeyOperator}`,
      );
    }
  });

  it("with customRoleSource subscription (the default), defines no role and assigns the bootstrap's, by its subscription-scoped GUID", async () => {
    const run = await runLab({ seats: "2" });
    expect(ofType(run, "azure-native:authorization:RoleDefinition")).toEqual([]);
    const guid = customRoleGuid(subscriptionScope(MOCK_CLIENT.subscriptionId), LAB_CUSTOM_ROLES.storageListKeys.seed);
    for (const seat of [1, 2]) {
      expect(one(run, "azure-native:authorization:RoleAssignment", `storage-seat${seat}-listkeys`).inputs.roleDefinitionId).toBe(
        `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      );
    }
  });

  it("outputs the account name, id and blob endpoint", async () => {
    const run = await runLab();
    const account = one(run, "azure-native:storage:StorageAccount", "storage-account");
    expect(run.outputs).toMatchObject({
      storageAccountName: account.state.name,
      storageAccountId: account.id,
      blobEndpoint: `https://${account.state.name}.blob.core.windows.net/`,
    });
  });
});

describe("StorageKeyAccess alone (hand-written args)", () => {
  const RG = "/subscriptions/sub-2/resourceGroups/Lab-RG";
  const build = (listKeysRole: "custom" | "builtin", customRoleSource?: "subscription" | "lab") =>
    runComponents((load) => {
      const { StorageKeyAccess } = load<typeof import("../../components/StorageKeyAccess")>("components/StorageKeyAccess");
      new StorageKeyAccess("st", {
        resourceGroupName: "rg",
        resourceGroupId: RG,
        subscriptionId: "sub-2",
        location: "westeurope",
        namePrefix: "lab",
        subnetId: "s",
        operatorIpRanges: [],
        seats: [{ number: 1, principalId: "p1" }],
        listKeysRole,
        customRoleSource,
      });
    });
  const roleOf = async (...a: Parameters<typeof build>) => {
    const run = await build(...a);
    return {
      defs: ofType(run, "azure-native:authorization:RoleDefinition"),
      assigned: one(run, "azure-native:authorization:RoleAssignment", "st-seat1-listkeys").inputs.roleDefinitionId,
    };
  };
  const id = (guid: string) => roleDefinitionId("sub-2", guid);

  it("custom + subscription (default): no definition; the subscription's role by id", async () => {
    const { defs, assigned } = await roleOf("custom");
    expect(defs).toEqual([]);
    expect(assigned).toBe(id(customRoleGuid("/subscriptions/sub-2", LAB_CUSTOM_ROLES.storageListKeys.seed)));
  });

  it("custom + lab: one definition from LAB_CUSTOM_ROLES, its GUID as first shipped, assigned by that GUID", async () => {
    const { defs, assigned } = await roleOf("custom", "lab");
    expect(defs).toHaveLength(1);
    const spec = LAB_CUSTOM_ROLES.storageListKeys;
    expect(defs[0].inputs).toMatchObject({
      roleDefinitionId: deterministicGuid(RG, spec.seed),
      description: spec.description,
      permissions: [{ actions: [...spec.actions], dataActions: [] }],
      assignableScopes: [RG],
    });
    expect(defs[0].inputs.roleName).toMatch(/^Storage listKeys only \(dsvm-identity-lab [0-9a-f]{8}\)$/);
    expect(assigned).toBe(id(deterministicGuid(RG, spec.seed)));
  });

  it.each(["subscription", "lab"] as const)("builtin + %s: the built-in Key Operator role, no definition", async (source) => {
    const { defs, assigned } = await roleOf("builtin", source);
    expect(defs).toEqual([]);
    expect(assigned).toBe(id(BUILTIN_ROLES.storageAccountKeyOperator));
  });
});
