// lib/azure/ids.ts: ARM ids built one way and read back; what is not an id of the asked kind is refused.
import {
  ARM_TYPE,
  extensionResourceId,
  GUID,
  GUID_PATTERN,
  isSubscriptionScope,
  NAME_PATTERN,
  parseResourceId,
  parseResourceIdOf,
  parseRoleDefinitionId,
  resourceGroupId,
  resourceGroupOfId,
  resourceId,
  resourceIdPattern,
  roleDefinitionId,
  subscriptionOf,
  subscriptionScope,
} from "../../lib/azure";

const SUB = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const RG = "lab-rg";

describe("builders", () => {
  it("scopes", () => {
    expect(subscriptionScope(SUB)).toBe(`/subscriptions/${SUB}`);
    expect(resourceGroupId(SUB, RG)).toBe(`/subscriptions/${SUB}/resourceGroups/lab-rg`);
  });
  it("a resource and a child resource", () => {
    expect(resourceId(SUB, RG, ARM_TYPE.vault, "kv1")).toBe(
      `/subscriptions/${SUB}/resourceGroups/lab-rg/providers/Microsoft.KeyVault/vaults/kv1`,
    );
    expect(resourceId(SUB, RG, ARM_TYPE.secret, "kv1", "s")).toBe(
      `/subscriptions/${SUB}/resourceGroups/lab-rg/providers/Microsoft.KeyVault/vaults/kv1/secrets/s`,
    );
  });
  it("refuses a name count that does not fit the type", () => {
    expect(() => resourceId(SUB, RG, ARM_TYPE.secret, "kv1")).toThrow(/Microsoft\.KeyVault\/vaults\/secrets takes 2 name\(s\), got 1/);
    expect(() => resourceId(SUB, RG, ARM_TYPE.vault, "kv1", "x")).toThrow(/takes 1 name\(s\), got 2/);
  });
  it("role definition ids, at the subscription and at any scope", () => {
    expect(roleDefinitionId("sub-1", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toBe(
      "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    );
    expect(extensionResourceId(resourceGroupId(SUB, RG), ARM_TYPE.roleAssignment, "a1")).toBe(
      `/subscriptions/${SUB}/resourceGroups/lab-rg/providers/Microsoft.Authorization/roleAssignments/a1`,
    );
  });
});

describe("parsers", () => {
  it("reads back what the builders make", () => {
    expect(parseResourceId(resourceId(SUB, RG, ARM_TYPE.secret, "kv1", "s"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: RG,
      type: "Microsoft.KeyVault/vaults/secrets",
      names: ["kv1", "s"],
    });
    expect(parseRoleDefinitionId(roleDefinitionId(SUB, "g-1"))).toEqual({ subscriptionId: SUB, guid: "g-1" });
  });
  it("compares the fixed segments and the type case-insensitively, as ARM does", () => {
    const id = `/SUBSCRIPTIONS/${SUB}/resourcegroups/${RG}/PROVIDERS/microsoft.keyvault/VAULTS/kv1`;
    expect(parseResourceIdOf(id, ARM_TYPE.vault)?.names).toEqual(["kv1"]);
    expect(parseRoleDefinitionId(`/subscriptions/${SUB}/providers/microsoft.authorization/ROLEDEFINITIONS/g`)?.guid).toBe("g");
  });
  it.each([
    ["a trailing slash", `${resourceId(SUB, RG, ARM_TYPE.vault, "kv1")}/`],
    ["an empty segment", `/subscriptions/${SUB}/resourceGroups//providers/Microsoft.KeyVault/vaults/kv1`],
    ["a type without a name", `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults`],
    ["a resource group id", resourceGroupId(SUB, RG)],
    ["a subscription", subscriptionScope(SUB)],
    ["no leading slash", `subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/kv1`],
  ])("refuses %s", (_what, id) => {
    expect(parseResourceId(id)).toBeUndefined();
  });
  it("parseResourceIdOf refuses another type, a parent or a child of it", () => {
    expect(parseResourceIdOf(resourceId(SUB, RG, ARM_TYPE.storage, "st1"), ARM_TYPE.vault)).toBeUndefined();
    expect(parseResourceIdOf(resourceId(SUB, RG, ARM_TYPE.secret, "kv1", "s"), ARM_TYPE.vault)).toBeUndefined();
    expect(parseResourceIdOf(resourceId(SUB, RG, ARM_TYPE.vault, "kv1"), ARM_TYPE.secret)).toBeUndefined();
  });
  it("role definition ids only at a subscription", () => {
    expect(parseRoleDefinitionId(`${resourceGroupId(SUB, RG)}/providers/Microsoft.Authorization/roleDefinitions/g`)).toBeUndefined();
    expect(parseRoleDefinitionId(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/g`)).toBeUndefined();
  });
  it("scopes: subscription, resource group, the subscription of any id", () => {
    expect(isSubscriptionScope(subscriptionScope(SUB))).toBe(true);
    expect(isSubscriptionScope(resourceGroupId(SUB, RG))).toBe(false);
    expect(resourceGroupOfId(resourceGroupId(SUB, RG))).toBe(RG);
    expect(resourceGroupOfId(resourceId(SUB, RG, ARM_TYPE.vault, "kv1"))).toBeUndefined();
    expect(subscriptionOf(resourceId(SUB, RG, ARM_TYPE.vault, "kv1"))).toBe(SUB);
    expect(subscriptionOf("/providers/Microsoft.Management/managementGroups/mg")).toBeUndefined();
  });
  it("GUID: the 8-4-4-4-12 form only", () => {
    expect(GUID.test(SUB)).toBe(true);
    expect(GUID.test(SUB.toUpperCase())).toBe(true);
    expect(GUID.test(`${SUB}0`)).toBe(false);
    expect(GUID.test(SUB.replace(/-/g, ""))).toBe(false);
  });
});

describe("id patterns for stricter checks (verify's output shapes)", () => {
  const storageId = new RegExp(
    `^${resourceIdPattern(ARM_TYPE.storage, { subscription: GUID_PATTERN, resourceGroup: NAME_PATTERN.resourceGroup, names: [`(${NAME_PATTERN.storageAccount})`] })}$`,
  );
  it("matches what resourceId builds, capturing the name", () => {
    expect(storageId.exec(resourceId(SUB, RG, ARM_TYPE.storage, "dsvmlabst1"))?.[1]).toBe("dsvmlabst1");
  });
  it.each([
    ["a subscription that is not a GUID", resourceId("sub-1", RG, ARM_TYPE.storage, "dsvmlabst1")],
    ["a resource group ending in a period", resourceId(SUB, "rg.", ARM_TYPE.storage, "dsvmlabst1")],
    ["an account name with capitals", resourceId(SUB, RG, ARM_TYPE.storage, "DsvmLab")],
    ["another type", resourceId(SUB, RG, ARM_TYPE.vault, "dsvmlabst1")],
    [
      "the type's dots as any character",
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/MicrosoftxStorage/storageAccounts/dsvmlabst1`,
    ],
  ])("refuses %s", (_what, id) => {
    expect(storageId.test(id)).toBe(false);
  });
  it("defaults to one captured segment per part, and refuses a name count that does not fit", () => {
    const m = new RegExp(`^${resourceIdPattern(ARM_TYPE.secret)}$`).exec(resourceId(SUB, RG, ARM_TYPE.secret, "kv1", "s"));
    expect(m?.slice(1)).toEqual([SUB, RG, "kv1", "s"]);
    expect(() => resourceIdPattern(ARM_TYPE.secret, { names: ["x"] })).toThrow(/takes 2 name pattern\(s\), got 1/);
  });
  it("name rules: a secret of 127 characters passes, 128 or an underscore does not", () => {
    const secret = new RegExp(`^${NAME_PATTERN.secret}$`);
    expect(secret.test("a".repeat(127))).toBe(true);
    expect(secret.test("a".repeat(128))).toBe(false);
    expect(secret.test("a_b")).toBe(false);
    const vault = new RegExp(`^${NAME_PATTERN.vault}$`);
    expect(["kv1", "a".repeat(24)].map((v) => vault.test(v))).toEqual([true, true]);
    expect(["k1", "a".repeat(25), "1kv", "kv-"].map((v) => vault.test(v))).toEqual([false, false, false, false]);
  });
});
