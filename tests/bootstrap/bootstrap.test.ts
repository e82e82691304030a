// The bootstrap project (bootstrap/) under the same mocks as the lab: the lab's custom roles at the subscription, CI
// identities each trusted by exactly one GitHub OIDC subject, their roles as lib/ci-identities.ts declares them, and
// the lab-users group. No Entra, no Azure.
import * as path from "path";
import { BUILTIN_ROLES, LAB_CUSTOM_ROLES, roleDefinitionId, subscriptionScope, TYPE } from "../../lib/azure";
import { assignmentConditionText, CI_CUSTOM_ROLES, CI_IDENTITIES, conditionAllows, LAB_ASSIGNABLE_ROLES } from "../../lib/ci-identities";
import { customRoleGuid, roleAssignmentGuid } from "../../lib/naming";
import { BOOTSTRAP_PROJECT, readBootstrapConfig } from "../../bootstrap/lib";
import type { ProgramRun } from "../../offline/harness";
import { MOCK_CLIENT } from "../../offline/mocks";
import { ofType, one, ROOT } from "../helpers/program";

async function runBootstrap(config: Record<string, string>): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../offline/harness") as typeof import("../../offline/harness");
    run = await runProgram({ stack: "admin", config, programDir: path.join(ROOT, "bootstrap"), project: BOOTSTRAP_PROJECT });
  });
  return run!;
}

const FIC = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
const APP = "azuread:index/application:Application";
const SP = "azuread:index/servicePrincipal:ServicePrincipal";
const ASSIGNMENT = TYPE.roleAssignment;
const DEFINITION = TYPE.roleDefinition;
const SUB = MOCK_CLIENT.subscriptionId;
const SUB_SCOPE = subscriptionScope(SUB);
const roleId = (guid: string) => roleDefinitionId(SUB, guid);
const labRoleGuid = (seed: string) => customRoleGuid(SUB_SCOPE, seed);

describe("bootstrap under mocks", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runBootstrap({ githubRepo: "contoso/dsvm-identity-lab" });
  });
  const spId = (name: string) => one(run, SP, `${name}-sp`).state.objectId;
  const assignmentsOf = (name: string) => ofType(run, ASSIGNMENT).filter((a) => a.inputs.principalId === spId(name));

  it("creates three applications, each with its service principal, and no password or certificate", () => {
    const apps = ofType(run, APP);
    expect(apps.map((a) => a.inputs.displayName).sort()).toEqual([
      "dsvm-identity-lab-ci-deploy",
      "dsvm-identity-lab-ci-preview",
      "dsvm-identity-lab-ci-reap",
    ]);
    const sps = ofType(run, SP);
    expect(sps.map((s) => s.inputs.clientId).sort()).toEqual(apps.map((a) => a.state.clientId).sort());
    expect(run.resources.filter((r) => /Password|Certificate/.test(r.type))).toEqual([]);
  });

  // federated-credential-subject-environment: a job in an environment presents repo:O/R:environment:NAME, and only
  // that; a job on main without one presents ref:refs/heads/main, which no identity trusts any more.
  it("federated-credential-subject-environment: each identity trusts exactly one subject; none trusts a branch", () => {
    const subjectsOf = (app: string) => {
      const id = one(run, APP, app).id;
      return ofType(run, FIC)
        .filter((f) => f.inputs.applicationId === id)
        .map((f) => f.inputs.subject);
    };
    expect(subjectsOf("ci-preview")).toEqual(["repo:contoso/dsvm-identity-lab:pull_request"]);
    expect(subjectsOf("ci-deploy")).toEqual(["repo:contoso/dsvm-identity-lab:environment:lab"]);
    expect(subjectsOf("ci-reap")).toEqual(["repo:contoso/dsvm-identity-lab:environment:reap"]);
    expect(ofType(run, FIC)).toHaveLength(3);
    for (const f of ofType(run, FIC)) {
      expect(f.inputs.subject).not.toMatch(/:ref:|refs\/heads|\*/);
      expect(f.inputs.issuer).toBe("https://token.actions.githubusercontent.com");
      expect(f.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
    }
    expect(run.outputs.federatedSubjects).toEqual({
      preview: "repo:contoso/dsvm-identity-lab:pull_request",
      deploy: "repo:contoso/dsvm-identity-lab:environment:lab",
      reap: "repo:contoso/dsvm-identity-lab:environment:reap",
    });
  });

  // custom-role-assignable-scopes: the lab's roles live at the subscription, assignable there, with the GUID a lab
  // computes from the subscription id alone.
  it("custom-role-assignable-scopes: creates the lab's two custom roles once, at and assignable at the subscription", () => {
    const defs = ofType(run, DEFINITION);
    for (const [key, role] of Object.entries(LAB_CUSTOM_ROLES)) {
      const def = one(run, DEFINITION, `lab-role-${key}`);
      expect(def.inputs).toMatchObject({
        roleDefinitionId: labRoleGuid(role.seed),
        scope: SUB_SCOPE,
        assignableScopes: [SUB_SCOPE],
        roleType: "CustomRole",
      });
      expect(def.inputs.permissions).toEqual([
        { actions: [...role.actions], notActions: [], dataActions: [...role.dataActions], notDataActions: [] },
      ]);
      // Unique in the tenant: the name carries the subscription-specific GUID's first characters.
      expect(def.inputs.roleName).toBe(`${role.name} (dsvm-identity-lab ${labRoleGuid(role.seed).slice(0, 8)})`);
      // Custom role names: at most 128 characters.
      expect(def.inputs.roleName.length).toBeLessThanOrEqual(128);
    }
    expect(new Set(defs.map((d) => d.inputs.roleName)).size).toBe(defs.length);
    // The seat roles can never list: no readMetadata, no regenerate.
    expect(JSON.stringify(defs.map((d) => d.inputs.permissions))).not.toMatch(/readMetadata|regeneratekey/i);
    expect(run.outputs.labCustomRoleIds).toEqual({
      storageListKeys: roleId(labRoleGuid(LAB_CUSTOM_ROLES.storageListKeys.seed)),
      secretGetSet: roleId(labRoleGuid(LAB_CUSTOM_ROLES.secretGetSet.seed)),
    });
  });

  it("previews get Reader only", () => {
    expect(assignmentsOf("ci-preview").map((a) => a.inputs.roleDefinitionId)).toEqual([roleId(BUILTIN_ROLES.reader)]);
  });

  it("rbac-admin-abac-condition: deploys get Contributor and RBAC Administrator under the lab-roles condition, as an Output of the subscription", () => {
    const mine = assignmentsOf("ci-deploy");
    expect(mine.map((a) => a.inputs.roleDefinitionId).sort()).toEqual(
      [roleId(BUILTIN_ROLES.contributor), roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator)].sort(),
    );
    const rbac = mine.find((a) => a.inputs.roleDefinitionId === roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator))!;
    expect(rbac.inputs.conditionVersion).toBe("2.0");
    expect(rbac.inputs.condition).toBe(assignmentConditionText({ write: LAB_ASSIGNABLE_ROLES, delete: LAB_ASSIGNABLE_ROLES }, SUB));
    // The subscription's custom-role GUIDs are in it, as computed from the subscription id.
    expect(rbac.inputs.condition).toContain(labRoleGuid(LAB_CUSTOM_ROLES.storageListKeys.seed));
    expect(rbac.inputs.condition).toContain(labRoleGuid(LAB_CUSTOM_ROLES.secretGetSet.seed));
    expect(mine.find((a) => a.inputs.roleDefinitionId === roleId(BUILTIN_ROLES.contributor))!.inputs.condition).toBeUndefined();
  });

  it("the reaper gets its own custom role and RBAC Administrator that may only delete the lab's assignments", () => {
    const reaperGuid = labRoleGuid(CI_CUSTOM_ROLES.reaper.seed);
    const def = one(run, DEFINITION, "ci-role-reaper");
    expect(def.inputs).toMatchObject({ roleDefinitionId: reaperGuid, assignableScopes: [SUB_SCOPE] });
    const actions: string[] = def.inputs.permissions[0].actions;
    expect(actions).toContain("Microsoft.KeyVault/locations/deletedVaults/purge/action");
    expect(actions).toContain("Microsoft.Compute/virtualMachines/delete");
    // Reads and deletes only: no write except removing an access policy, no wildcard action, nothing on Authorization.
    expect(actions.filter((a) => /\/write$/i.test(a))).toEqual(["Microsoft.KeyVault/vaults/accessPolicies/write"]);
    expect(actions.filter((a) => a.includes("*"))).toEqual(["*/read"]);
    expect(actions.filter((a) => /Authorization/i.test(a))).toEqual([]);
    const mine = assignmentsOf("ci-reap");
    expect(mine.map((a) => a.inputs.roleDefinitionId).sort()).toEqual(
      [roleId(reaperGuid), roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator)].sort(),
    );
    const rbac = mine.find((a) => a.inputs.condition)!;
    expect(rbac.inputs.condition).toBe(assignmentConditionText({ write: [], delete: LAB_ASSIGNABLE_ROLES }, SUB));
    // The write expression has no alternative: every write is denied.
    const [write] = rbac.inputs.condition.split("\nAND\n");
    expect(write).toContain("!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})");
    expect(write).not.toContain("OR");
  });

  it("no identity holds Owner or User Access Administrator; every assignment is deterministic and at the subscription", () => {
    const assignments = ofType(run, ASSIGNMENT);
    expect(assignments).toHaveLength(CI_IDENTITIES.reduce((n, i) => n + i.grants.length, 0));
    expect(assignments.map((a) => a.inputs.roleDefinitionId)).not.toContain(roleId(BUILTIN_ROLES.owner));
    expect(assignments.map((a) => a.inputs.roleDefinitionId)).not.toContain(roleId(BUILTIN_ROLES.userAccessAdministrator));
    for (const a of assignments) {
      expect(a.inputs).toMatchObject({ scope: SUB_SCOPE, principalType: "ServicePrincipal" });
      expect(a.inputs.roleAssignmentName).toBe(roleAssignmentGuid(SUB_SCOPE, a.inputs.principalId, a.inputs.roleDefinitionId));
    }
    // Exactly the two RBAC Administrator assignments carry a condition.
    expect(assignments.filter((a) => a.inputs.condition).map((a) => a.inputs.roleDefinitionId)).toEqual([
      roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator),
      roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator),
    ]);
  });

  it("creates the lab-users security group and exports its object id for labUsersGroupObjectId", () => {
    const group = one(run, "azuread:index/group:Group", "lab-users");
    expect(group.inputs).toMatchObject({ displayName: "dsvm-identity-lab users", securityEnabled: true, mailEnabled: false });
    expect(run.outputs.labUsersGroupObjectId).toBe(group.state.objectId);
    expect(run.outputs.labUsersGroupObjectId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("exports ids only: tenant, subscription, three client ids, subjects, role ids", () => {
    expect(Object.keys(run.outputs).sort()).toEqual([
      "deployClientId",
      "federatedSubjects",
      "labCustomRoleIds",
      "labUsersGroupObjectId",
      "previewClientId",
      "reapClientId",
      "subscriptionId",
      "tenantId",
    ]);
    expect(new Set([run.outputs.previewClientId, run.outputs.deployClientId, run.outputs.reapClientId]).size).toBe(3);
  });
});

describe("bootstrap config and the ABAC condition", () => {
  it("follows deployEnvironment and reapEnvironment into the subjects", async () => {
    const run = await runBootstrap({ githubRepo: "octo-org/lab.repo", deployEnvironment: "prod", reapEnvironment: "janitor" });
    expect(
      ofType(run, FIC)
        .map((f) => f.inputs.subject)
        .sort(),
    ).toEqual([
      "repo:octo-org/lab.repo:environment:janitor",
      "repo:octo-org/lab.repo:environment:prod",
      "repo:octo-org/lab.repo:pull_request",
    ]);
  });

  it("federated-credential-subject-environment: with GitHub's immutable ids, every subject is in the immutable form", async () => {
    const run = await runBootstrap({ githubRepo: "contoso/dsvm-identity-lab", githubOwnerId: "123456", githubRepositoryId: "456789" });
    expect(
      ofType(run, FIC)
        .map((f) => f.inputs.subject)
        .sort(),
    ).toEqual([
      "repo:contoso@123456/dsvm-identity-lab@456789:environment:lab",
      "repo:contoso@123456/dsvm-identity-lab@456789:environment:reap",
      "repo:contoso@123456/dsvm-identity-lab@456789:pull_request",
    ]);
  });

  it.each([
    [{}, 'githubRepo = "": expected OWNER/REPO'],
    [
      { githubRepo: "contoso/repo", githubOwnerId: "123" },
      "githubRepositoryId is missing: set githubOwnerId and githubRepositoryId together",
    ],
    [{ githubRepo: "contoso/repo", githubRepositoryId: "123" }, "githubOwnerId is missing"],
    [
      { githubRepo: "contoso/repo", githubOwnerId: "contoso", githubRepositoryId: "1" },
      'githubOwnerId = "contoso": expected GitHub\'s numeric id',
    ],
    [{ githubRepo: "contoso/repo", githubOwnerId: "1", githubRepositoryId: "-5" }, 'githubRepositoryId = "-5"'],
    [{ githubRepo: "contoso" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/repo/extra" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/*" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/repo", deployEnvironment: "lab env" }, "deployEnvironment"],
    [{ githubRepo: "contoso/repo", reapEnvironment: "*" }, "reapEnvironment"],
    [
      { githubRepo: "contoso/repo", reapEnvironment: "lab" },
      'reapEnvironment = "lab": expected a GitHub environment other than deployEnvironment',
    ],
    [{ githubRepo: "contoso/repo", labUsersGroupName: " " }, "labUsersGroupName"],
  ])("refuses %j", (config, message) => {
    const all = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${BOOTSTRAP_PROJECT}:${k}`, v]));
    expect(() => readBootstrapConfig(all)).toThrow(message);
  });

  it("rbac-admin-abac-condition: Microsoft's form, one expression per action, roles grouped by principal types", () => {
    const c = assignmentConditionText({ write: LAB_ASSIGNABLE_ROLES, delete: LAB_ASSIGNABLE_ROLES }, SUB);
    const [write, del] = c.split("\nAND\n");
    expect(write).toMatch(/^\(\n \(\n {2}!\(ActionMatches\{'Microsoft.Authorization\/roleAssignments\/write'\}\)\n \)\n OR\n \(/);
    expect(write).not.toContain("@Resource");
    expect(del).toContain("!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})");
    expect(del).not.toContain("@Request");
    expect(write).toContain(
      `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${BUILTIN_ROLES.virtualMachineUserLogin}}`,
    );
    expect(write).toContain(
      `ForAnyOfAnyValues:GuidEquals {${BUILTIN_ROLES.virtualMachineAdministratorLogin}, ${BUILTIN_ROLES.keyVaultSecretsOfficer}}\n  AND\n  @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group', 'ServicePrincipal'}`,
    );
    expect(write).toContain(
      `{${labRoleGuid("storage-listkeys-only")}, ${labRoleGuid("keyvault-secret-get-set-only")}, ${BUILTIN_ROLES.storageAccountKeyOperator}}\n  AND\n  @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`,
    );
    expect(c).not.toMatch(/8e3af657|18d7d88d|f58310d9|b24988ac/); // never Owner, UAA, RBAC Administrator or Contributor
    expect(c.match(/\(/g)!.length).toBe(c.match(/\)/g)!.length);
    // Another subscription, other custom-role GUIDs: the condition must be computed per subscription.
    expect(assignmentConditionText({ write: LAB_ASSIGNABLE_ROLES, delete: [] }, "11111111-2222-3333-4444-555555555555")).not.toContain(
      labRoleGuid("storage-listkeys-only"),
    );
  });

  it.each([
    ["write", BUILTIN_ROLES.virtualMachineUserLogin, "Group", true],
    ["write", BUILTIN_ROLES.virtualMachineUserLogin, "User", false],
    ["write", BUILTIN_ROLES.keyVaultSecretsOfficer, "user", true],
    ["write", BUILTIN_ROLES.virtualMachineAdministratorLogin, "ServicePrincipal", true],
    ["write", labRoleGuid("storage-listkeys-only"), "ServicePrincipal", true],
    ["write", labRoleGuid("storage-listkeys-only"), "Group", false],
    ["write", BUILTIN_ROLES.owner, "ServicePrincipal", false],
    ["write", BUILTIN_ROLES.keyVaultSecretsOfficer, undefined, false],
    ["delete", BUILTIN_ROLES.userAccessAdministrator, "User", false],
    ["delete", BUILTIN_ROLES.storageAccountKeyOperator.toUpperCase(), "ServicePrincipal", true],
  ] as const)("the deploy condition decides %s of %s to %s: %s", (op, roleGuid, principalType, allowed) => {
    expect(conditionAllows({ write: LAB_ASSIGNABLE_ROLES, delete: LAB_ASSIGNABLE_ROLES }, { op, roleGuid, principalType }, SUB)).toBe(
      allowed,
    );
  });

  it("the reaper's condition allows no write at all, and deletes of the lab's roles only", () => {
    const reaper = CI_IDENTITIES.find((i) => i.key === "reap")!.grants.find((g) => g.condition)!.condition!;
    expect(conditionAllows(reaper, { op: "write", roleGuid: BUILTIN_ROLES.virtualMachineUserLogin, principalType: "Group" }, SUB)).toBe(
      false,
    );
    expect(conditionAllows(reaper, { op: "delete", roleGuid: BUILTIN_ROLES.virtualMachineUserLogin, principalType: "Group" }, SUB)).toBe(
      true,
    );
    expect(conditionAllows(reaper, { op: "delete", roleGuid: BUILTIN_ROLES.owner, principalType: "Group" }, SUB)).toBe(false);
  });
});
