// The offline CI-permission check: the ARM actions each planned resource needs, against what CI's identities hold
// (lib/ci-identities.ts). contributor-cannot-write-authorization, rbac-admin-abac-condition, arm-linked-access-check,
// azure-native-reads-before-create and keyvault-purge-deleted-vault-action are exercised here.
import { BUILTIN_ROLES, roleDefinitionId, TYPE } from "../../lib/azure";
import { actionMatches, CI_BUILTIN_ROLES, CI_CUSTOM_ROLES, CI_IDENTITIES, LAB_DELETABLE_TYPES, roleAllows } from "../../lib/ci-identities";
import { ciNeeds, ciPermissionReport, renderCiPermissions } from "../../offline/ci-permissions";
import type { ProgramRun, RecordedResource } from "../../offline/harness";
import { MOCK_CLIENT } from "../../offline/mocks";
import { ofType, runLab } from "../helpers/program";
import { runInProcess } from "../scripts/shared/command";

const ASSIGNMENT = TYPE.roleAssignment;
const LAB_USERS = {
  labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5",
  operatorObjectIds: '["00000000-0000-0000-0000-0000000000aa"]',
};
const roleId = (guid: string) => roleDefinitionId(MOCK_CLIENT.subscriptionId, guid);

/** A role assignment as a contributor might add it, on top of a real plan. */
function syntheticAssignment(run: ProgramRun, roleGuid: string, principalType: string, name = "outsider"): RecordedResource {
  const template = ofType(run, ASSIGNMENT)[0];
  return {
    ...template,
    urn: template.urn.replace(/::[^:]+$/, `::${name}`),
    name,
    deletedWith: undefined,
    inputs: { ...template.inputs, roleDefinitionId: roleId(roleGuid), principalType, principalId: "00000000-0000-0000-0000-0000000000bb" },
  };
}

describe("role permissions as Microsoft lists them", () => {
  it.each([
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleDefinitions/write", true],
    ["Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/WRITE", true],
    ["*/read", "Microsoft.Compute/virtualMachines/read", true],
    ["*/read", "Microsoft.Compute/virtualMachines/write", false],
    ["Microsoft.KeyVault/vaults/delete", "Microsoft.KeyVault/vaults/deleteX", false],
    ["Microsoft.Support/*", "Microsoft.Supportx/a", false],
  ])("%s matches %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it("contributor-cannot-write-authorization: Contributor holds every write but Microsoft.Authorization's", () => {
    const c = CI_BUILTIN_ROLES.contributor;
    expect(roleAllows(c, "Microsoft.Compute/virtualMachines/runCommands/write")).toBe(true);
    expect(roleAllows(c, "Microsoft.KeyVault/vaults/accessPolicies/write")).toBe(true);
    expect(roleAllows(c, "Microsoft.Authorization/roleDefinitions/write")).toBe(false);
    expect(roleAllows(c, "Microsoft.Authorization/roleAssignments/write")).toBe(false);
    expect(roleAllows(c, "Microsoft.Authorization/roleAssignments/delete")).toBe(false);
    expect(roleAllows(CI_BUILTIN_ROLES.reader, "Microsoft.KeyVault/vaults/write")).toBe(false);
  });

  it("keyvault-purge-deleted-vault-action: the reaper role deletes every lab type and purges vaults, and writes nothing else", () => {
    for (const t of LAB_DELETABLE_TYPES) expect(roleAllows(CI_CUSTOM_ROLES.reaper, `${t}/delete`)).toBe(true);
    expect(roleAllows(CI_CUSTOM_ROLES.reaper, "Microsoft.KeyVault/locations/deletedVaults/purge/action")).toBe(true);
    expect(roleAllows(CI_CUSTOM_ROLES.reaper, "Microsoft.KeyVault/vaults/write")).toBe(false);
    expect(roleAllows(CI_CUSTOM_ROLES.reaper, "Microsoft.Authorization/roleDefinitions/delete")).toBe(false);
    expect(roleAllows(CI_CUSTOM_ROLES.reaper, "Microsoft.Storage/storageAccounts/listkeys/action")).toBe(false);
  });
});

describe.each([
  ["dev", {}, "dev"],
  ["win-rbac", {}, "win-rbac"],
  ["lab-users", {}, "lab-users"],
  ["dev with lab users and an operator", LAB_USERS, "dev"],
  ["lab users on Windows with RBAC", { operatorObjectIds: LAB_USERS.operatorObjectIds }, "win-rbac"],
])("the %s stack", (_label, overrides, stack) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runLab(overrides, stack);
  });

  it("CI could deploy and reap it: nothing missing", () => {
    const report = ciPermissionReport(run.resources);
    expect(report.missing).toEqual([]);
    expect(report.ok).toBe(true);
    const deploy = report.identities.find((i) => i.identity === "deploy")!;
    const reap = report.identities.find((i) => i.identity === "reap")!;
    expect(deploy.checked).toBeGreaterThan(reap.checked);
    expect(reap.checked).toBeGreaterThan(0);
    expect(renderCiPermissions(report).join("\n")).toContain("CI can deploy and reap this lab.");
  });

  it("arm-linked-access-check, azure-native-reads-before-create: lists role assignments with role and principal type, run commands, joins, reads", () => {
    const needs = ciNeeds(run.resources);
    // Every create reads its id first.
    const creates = needs.filter((n) => n.phase === "up" && n.why === "create or update");
    for (const c of creates)
      expect(needs).toContainEqual(expect.objectContaining({ urn: c.urn, phase: "up", action: c.action.replace(/\/write$/, "/read") }));
    const assignments = needs.filter((n) => n.action === "Microsoft.Authorization/roleAssignments/write");
    expect(assignments).toHaveLength(ofType(run, ASSIGNMENT).length);
    for (const a of assignments)
      expect(a.assignment).toMatchObject({
        op: "write",
        subscriptionId: MOCK_CLIENT.subscriptionId,
        roleGuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    expect(needs.map((n) => n.action)).toEqual(
      expect.arrayContaining([
        "Microsoft.Compute/virtualMachines/runCommands/write",
        "Microsoft.Network/virtualNetworks/subnets/join/action",
        "Microsoft.Network/networkInterfaces/join/action",
        "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
        "Microsoft.KeyVault/vaults/write",
      ]),
    );
    // A resource deletedWith its container needs no delete of its own.
    const deletedWith = run.resources.filter((r) => r.deletedWith).map((r) => r.urn);
    expect(needs.filter((n) => n.phase === "destroy" && deletedWith.includes(n.urn))).toEqual([]);
  });
});

describe("what CI could not do fails the check", () => {
  let dev: ProgramRun;
  beforeAll(async () => {
    dev = await runLab({}, "dev");
  });

  it("contributor-cannot-write-authorization: customRoleSource=lab needs roleDefinitions/write, which the deploy identity lacks", async () => {
    const run = await runLab({ customRoleSource: "lab" }, "dev");
    const report = ciPermissionReport(run.resources);
    expect(report.ok).toBe(false);
    const write = report.missing.filter((m) => m.action === "Microsoft.Authorization/roleDefinitions/write");
    expect(write.length).toBeGreaterThan(0);
    expect(write.map((m) => m.identity)).toEqual(write.map(() => "deploy"));
    expect(write[0].why).toMatch(/Contributor's NotActions include Microsoft\.Authorization\/\*\/Write/);
    // The reaper cannot delete it either.
    expect(report.missing.some((m) => m.identity === "reap" && m.action === "Microsoft.Authorization/roleDefinitions/delete")).toBe(true);
    const text = renderCiPermissions(report).join("\n");
    expect(text).toMatch(/MISSING deploy: Microsoft\.Authorization\/roleDefinitions\/write/);
    expect(text).toContain("CI could not deploy or reap this lab as planned");
  });

  it("rbac-admin-abac-condition: an assignment of Owner fails, naming the ABAC condition, for the deployer and the reaper", () => {
    const report = ciPermissionReport([...dev.resources, syntheticAssignment(dev, BUILTIN_ROLES.owner, "ServicePrincipal")]);
    expect(report.ok).toBe(false);
    const owner = report.missing.filter((m) => m.urn.endsWith("::outsider"));
    expect(owner.map((m) => `${m.identity} ${m.action}`).sort()).toEqual([
      "deploy Microsoft.Authorization/roleAssignments/delete",
      "deploy Microsoft.Authorization/roleAssignments/write",
      "reap Microsoft.Authorization/roleAssignments/delete",
    ]);
    for (const m of owner)
      expect(m.why).toMatch(
        /ABAC condition .* does not allow .* role 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 \(owner, a role labs do not grant\)/,
      );
  });

  it.each([
    [BUILTIN_ROLES.virtualMachineUserLogin, "User", "virtualMachineUserLogin to Group"],
    [BUILTIN_ROLES.storageAccountKeyOperator, "Group", "storageAccountKeyOperator to ServicePrincipal"],
    [BUILTIN_ROLES.keyVaultSecretsOfficer, "ForeignGroup", "keyVaultSecretsOfficer to User/Group/ServicePrincipal"],
  ])("a lab role %s to the wrong principal type %s fails, saying what is allowed", (role, type, allowed) => {
    const report = ciPermissionReport([...dev.resources, syntheticAssignment(dev, role, type)]);
    const write = report.missing.find((m) => m.urn.endsWith("::outsider") && m.identity === "deploy" && m.action.endsWith("/write"))!;
    expect(write.why).toContain(`to principalType ${type}`);
    expect(write.why).toContain(allowed);
  });

  it("an assignment without principalType fails: the condition tests it", () => {
    const bare = {
      ...syntheticAssignment(dev, BUILTIN_ROLES.virtualMachineUserLogin, "Group"),
      inputs: {
        ...ofType(dev, ASSIGNMENT)[0].inputs,
        roleDefinitionId: roleId(BUILTIN_ROLES.virtualMachineUserLogin),
        principalType: undefined,
      },
    };
    const report = ciPermissionReport([...dev.resources, bare]);
    expect(report.missing.find((m) => m.urn.endsWith("::outsider"))!.why).toContain("principalType (not sent)");
  });

  it("a secret not deletedWith its vault cannot be deleted by CI (data plane)", () => {
    const secret = dev.resources.find((r) => r.type === "azure-native:keyvault:Secret")!;
    const report = ciPermissionReport(dev.resources.map((r) => (r === secret ? { ...r, deletedWith: undefined } : r)));
    const m = report.missing.filter((x) => x.urn === secret.urn);
    expect(m.map((x) => x.identity).sort()).toEqual(["deploy", "reap"]);
    expect(m[0]).toMatchObject({ action: "Microsoft.KeyVault/vaults/secrets/delete" });
    expect(m[0].why).toMatch(/data plane/);
  });

  it("an Azure type the check does not know fails until its actions are added", () => {
    const template = dev.resources.find((r) => r.type === "azure-native:network:PublicIPAddress")!;
    const odd = { ...template, urn: `${template.urn}-odd`, type: "azure-native:network:ApplicationGateway" };
    const report = ciPermissionReport([...dev.resources, odd]);
    expect(
      report.missing
        .filter((m) => m.urn === odd.urn)
        .map((m) => m.identity)
        .sort(),
    ).toEqual(["deploy", "reap"]);
    expect(report.missing.find((m) => m.urn === odd.urn)!.why).toContain("offline/ci-permissions.ts");
  });

  it("an identity without the reaper role could not reap", () => {
    const reapWithoutRole = CI_IDENTITIES.map((i) =>
      i.key === "reap" ? { ...i, grants: i.grants.filter((g) => !("ciCustom" in g.role)) } : i,
    );
    const report = ciPermissionReport(dev.resources, reapWithoutRole);
    expect(report.missing.some((m) => m.identity === "reap" && m.action === "Microsoft.Compute/virtualMachines/delete")).toBe(true);
    expect(report.missing.every((m) => m.identity === "reap")).toBe(true);
  });
});

describe("npm run plan", () => {
  const plan = (...args: string[]) => runInProcess("scripts/plan/index.ts", args);

  it("exits 1 and names the deploy identity's missing roleDefinitions/write with customRoleSource=lab", async () => {
    const r = await plan("--stack", "dev", "--config", "customRoleSource=lab");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^ci permissions: CI could not deploy or reap this lab: .*deploy Microsoft\.Authorization\/roleDefinitions\/write/m,
    );
    expect(r.stdout).toMatch(/MISSING deploy: Microsoft\.Authorization\/roleDefinitions\/write/);
  });

  it("reports ciPermissions in the JSON, and says nothing on stderr about CI for win-rbac", async () => {
    const r = await plan("--stack", "win-rbac", "--json");
    expect(r.stderr).not.toContain("ci permissions");
    const report = JSON.parse(r.stdout);
    expect(report.ciPermissions).toMatchObject({ ok: true, missing: [] });
    expect(report.ciPermissions.identities.map((i: { identity: string }) => i.identity)).toEqual(["preview", "deploy", "reap"]);
  });
});
