// The RBAC model under mocks: SecretGetSetRole (one per lab), SecretVault with enableRbacAuthorization and no access
// policy, and VaultRbacAccess (per-secret seat grants, Secrets Officer for operators). The access matrix shows them.
import { BUILTIN_ROLES, LAB_CUSTOM_ROLES, SEAT_SECRET_DATA_ACTIONS, subscriptionScope, TYPE } from "../../lib/azure";
import { customRoleGuid, roleAssignmentGuid } from "../../lib/naming";
import { accessMatrix } from "../../offline/access-matrix";
import { MOCK_CLIENT } from "../../offline/mocks";
import { ofType, one, runComponents, runLab } from "../helpers/program";

// customRoleSource lab: the lab defines its seat role, so the plan can show what it allows.
const RBAC = { vaultAccessModel: "rbac", seats: "2", customRoleSource: "lab" };
const ASSIGNMENT = TYPE.roleAssignment;

describe("RBAC model (vaultAccessModel: rbac)", () => {
  let run: Awaited<ReturnType<typeof runLab>>;
  beforeAll(async () => {
    run = await runLab(RBAC);
  });

  it("turns RBAC on and makes no access policy at all", () => {
    expect(one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.enableRbacAuthorization).toBe(true);
    expect(ofType(run, "azure-native:keyvault:AccessPolicy")).toEqual([]);
    expect(one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.accessPolicies).toBeUndefined();
  });

  it("pulumi-deleted-with: each seat's secret-scope assignment goes with its vault; the operators' vault-scope one is deleted normally", () => {
    const vault = one(run, "azure-native:keyvault:Vault", "vault-kv");
    const seatAssignments = ofType(run, ASSIGNMENT).filter((a) => /^vault-rbac-seat/.test(a.name));
    expect(seatAssignments).toHaveLength(4);
    for (const a of seatAssignments) expect([a.name, a.deletedWith]).toEqual([a.name, vault.urn]);
    expect(one(run, ASSIGNMENT, "vault-rbac-operator1").deletedWith).toBeUndefined();
  });

  it("defines one seat role per lab: dataActions exactly getSecret and setSecret, no actions, assignable in the lab's group only", () => {
    const defs = ofType(run, "azure-native:authorization:RoleDefinition").filter((d) => d.name === "secret-role-definition");
    expect(defs).toHaveLength(1);
    const group = one(run, "azure-native:resources:ResourceGroup", "lab");
    expect(defs[0].inputs).toMatchObject({
      roleType: "CustomRole",
      permissions: [{ actions: [], notActions: [], dataActions: [...SEAT_SECRET_DATA_ACTIONS], notDataActions: [] }],
      assignableScopes: [group.id],
      scope: group.id,
    });
    expect(JSON.stringify(defs[0].inputs.permissions)).not.toMatch(/readMetadata|\*/);
  });

  it("assigns it to each seat on the canary secret and on <secret>-probe, each scoped to that secret, after it exists", () => {
    const vault = one(run, "azure-native:keyvault:Vault", "vault-kv");
    const role = one(run, "azure-native:authorization:RoleDefinition", "secret-role-definition");
    const vms = ofType(run, "azure-native:compute:VirtualMachine");
    for (const seat of [1, 2]) {
      const principalId = vms.find((v) => v.parent?.endsWith(`::seat${seat}`))!.state.identity.principalId;
      for (const [label, secret, secretResource] of [
        ["sqlpasswd", "SQLPasswd", "vault-canary"],
        ["sqlpasswd-probe", "SQLPasswd-probe", "vault-probe-secret"],
      ]) {
        const a = one(run, ASSIGNMENT, `vault-rbac-seat${seat}-${label}`);
        const scope = `${vault.id}/secrets/${secret}`;
        expect(a.inputs).toMatchObject({
          principalId,
          principalType: "ServicePrincipal",
          scope,
          roleDefinitionId: expect.stringMatching(new RegExp(`/roleDefinitions/${role.state.name}$`)),
        });
        expect(a.inputs.roleAssignmentName).toBe(roleAssignmentGuid(scope, principalId, a.inputs.roleDefinitionId));
        expect(a.dependencies).toContain(one(run, "azure-native:keyvault:Secret", secretResource).urn);
      }
    }
    // Nothing of the seats' at the vault: the secret scopes are all they hold.
    const seatIds = vms.map((v) => v.state.identity.principalId);
    expect(ofType(run, ASSIGNMENT).filter((a) => seatIds.includes(a.inputs.principalId) && a.inputs.scope === vault.id)).toEqual([]);
  });

  it("makes <secret>-probe through the control plane and never writes its placeholder back over a seat's value", () => {
    const probe = one(run, "azure-native:keyvault:Secret", "vault-probe-secret");
    expect(probe.inputs.secretName).toBe("SQLPasswd-probe");
  });

  it("gives the deploying principal Key Vault Secrets Officer on the vault, and nothing else in the vault", () => {
    const vault = one(run, "azure-native:keyvault:Vault", "vault-kv");
    const operator = one(run, ASSIGNMENT, "vault-rbac-operator1");
    expect(operator.inputs).toMatchObject({
      principalId: MOCK_CLIENT.objectId,
      scope: vault.id,
      roleDefinitionId: expect.stringMatching(new RegExp(`/roleDefinitions/${BUILTIN_ROLES.keyVaultSecretsOfficer}$`)),
    });
    expect(operator.inputs.principalType).toBe("User");
  });

  it("names the operators' principal type as configured (CI deploys as a ServicePrincipal)", async () => {
    const ci = await runLab({ ...RBAC, operatorPrincipalType: "ServicePrincipal" });
    expect(one(ci, ASSIGNMENT, "vault-rbac-operator1").inputs.principalType).toBe("ServicePrincipal");
  });

  it("makes each seat's in-VM check wait for that seat's secret grants only", () => {
    const check = one(run, "azure-native:compute:VirtualMachineRunCommandByVirtualMachine", "seat1-check-probe");
    expect(check.dependencies).toEqual(
      expect.arrayContaining([
        one(run, ASSIGNMENT, "vault-rbac-seat1-sqlpasswd").urn,
        one(run, ASSIGNMENT, "vault-rbac-seat1-sqlpasswd-probe").urn,
      ]),
    );
    expect(check.dependencies).not.toContain(one(run, ASSIGNMENT, "vault-rbac-seat2-sqlpasswd").urn);
  });

  it("shows in the access matrix: data actions per seat per secret, Secrets Officer for the operator, no list anywhere for a seat", () => {
    const vaultName = one(run, "azure-native:keyvault:Vault", "vault-kv").state.name;
    const rows = accessMatrix(run.resources, { deployer: MOCK_CLIENT.objectId });
    const seat1 = rows.filter((r) => r.principal === "seat 1 identity");
    expect(seat1.map((r) => r.resource)).toEqual([
      `secret SQLPasswd in key vault ${vaultName}`,
      `secret SQLPasswd-probe in key vault ${vaultName}`,
      expect.stringMatching(/^storage account /),
    ]);
    for (const r of seat1.slice(0, 2)) expect(r.permissions).toEqual([...SEAT_SECRET_DATA_ACTIONS]);
    expect(
      rows
        .filter((r) => r.seat)
        .flatMap((r) => r.permissions)
        .filter((p) => /readMetadata|list\b|secrets\/\*/i.test(p)),
    ).toEqual([]);
    expect(rows.find((r) => r.principal === "deploying principal (operator)")).toMatchObject({
      resource: `key vault ${vaultName}`,
      permissions: ["Microsoft.KeyVault/vaults/secrets/*"],
      via: "role: Key Vault Secrets Officer",
    });
  });
});

describe("access-policy model (the default) is unchanged", () => {
  it("makes no role definition or assignment for Key Vault", async () => {
    const run = await runLab();
    expect(
      run.resources.filter((r) => r.name.startsWith("secret-role") || r.name.startsWith("vault-rbac") || r.name === "vault-probe-secret"),
    ).toEqual([]);
    expect(one(run, "azure-native:keyvault:Vault", "vault-kv").inputs.properties.enableRbacAuthorization).toBe(false);
  });
});

describe("customRoleSource subscription (the default): the bootstrap's seat role, referenced by id", () => {
  it("creates no role definition and assigns /subscriptions/<sub>/.../roleDefinitions/<customRoleGuid(subscription, seed)>", async () => {
    const sub = await runLab({ vaultAccessModel: "rbac", seats: "2" });
    expect(ofType(sub, "azure-native:authorization:RoleDefinition")).toEqual([]);
    const guid = customRoleGuid(subscriptionScope(MOCK_CLIENT.subscriptionId), LAB_CUSTOM_ROLES.secretGetSet.seed);
    const expected = `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    for (const seat of [1, 2]) expect(one(sub, ASSIGNMENT, `vault-rbac-seat${seat}-sqlpasswd`).inputs.roleDefinitionId).toBe(expected);
    // Not the lab-scoped GUID: the role lives at the subscription.
    const group = one(sub, "azure-native:resources:ResourceGroup", "lab");
    expect(expected).not.toContain(customRoleGuid(group.id!, LAB_CUSTOM_ROLES.secretGetSet.seed));
  });
});

describe("SecretGetSetRole alone", () => {
  const build = (customRoleSource?: "subscription" | "lab") =>
    runComponents((load) => {
      const { SecretGetSetRole } = load<typeof import("../../components/SecretGetSetRole")>("components/SecretGetSetRole");
      new SecretGetSetRole("role", {
        resourceGroupId: "/subscriptions/sub-9/resourceGroups/Lab-RG",
        subscriptionId: "sub-9",
        customRoleSource,
      });
    });

  it("lab: one definition from LAB_CUSTOM_ROLES, assignable in the resource group only, GUID from the group's id", async () => {
    const run = await build("lab");
    const def = one(run, "azure-native:authorization:RoleDefinition", "role-definition").inputs;
    const spec = LAB_CUSTOM_ROLES.secretGetSet;
    expect(def).toMatchObject({
      roleDefinitionId: customRoleGuid("/subscriptions/sub-9/resourceGroups/Lab-RG", spec.seed),
      roleName: expect.stringMatching(new RegExp(`^${spec.name.replace(/[+]/g, "\\+")} \\(dsvm-identity-lab [0-9a-f]{8}\\)$`)),
      description: spec.description,
      permissions: [{ actions: [], notActions: [], dataActions: [...spec.dataActions], notDataActions: [] }],
      assignableScopes: ["/subscriptions/sub-9/resourceGroups/Lab-RG"],
    });
  });

  it("subscription (default): no definition at all", async () => {
    expect(ofType(await build(), "azure-native:authorization:RoleDefinition")).toEqual([]);
    expect(ofType(await build("subscription"), "azure-native:authorization:RoleDefinition")).toEqual([]);
  });
});

describe("VaultRbacAccess alone (hand-written args)", () => {
  it("scopes each seat's assignment to one secret, deletedWith the vault it is given, principalType ServicePrincipal", async () => {
    const run = await runComponents((load) => {
      const keyvault = load<typeof import("@pulumi/azure-native/keyvault")>("node_modules/@pulumi/azure-native/keyvault");
      const { VaultRbacAccess } = load<typeof import("../../components/VaultRbacAccess")>("components/VaultRbacAccess");
      const vault = new keyvault.Vault("v", {
        resourceGroupName: "rg",
        properties: { tenantId: "t", sku: { family: "A", name: "standard" } },
      });
      const secret = new keyvault.Secret(
        "s",
        { resourceGroupName: "rg", vaultName: vault.name, secretName: "Canary", properties: { value: "x" } },
        { deletedWith: vault },
      );
      new VaultRbacAccess("acc", {
        vaultId: vault.id,
        vault,
        subscriptionId: "sub-1",
        seatRoleDefinitionId: "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/r1",
        seats: [
          { number: 7, principalId: "p1" },
          { number: 8, principalId: "p2" },
        ],
        secrets: [{ name: "Canary", resource: secret }],
        operatorObjectIds: ["op1"],
        operatorPrincipalType: "Group",
      });
    });
    const vault = one(run, "azure-native:keyvault:Vault", "v");
    const seat7 = one(run, ASSIGNMENT, "acc-seat7-canary");
    expect(seat7.inputs).toMatchObject({ principalId: "p1", principalType: "ServicePrincipal", scope: `${vault.id}/secrets/Canary` });
    expect(seat7.deletedWith).toBe(vault.urn);
    expect(one(run, ASSIGNMENT, "acc-seat8-canary").deletedWith).toBe(vault.urn);
    expect(one(run, ASSIGNMENT, "acc-operator1").inputs).toMatchObject({ principalId: "op1", principalType: "Group", scope: vault.id });
  });
});
