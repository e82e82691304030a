// The bootstrap project (bootstrap/) under the same mocks as the lab: CI identities trusted by exact GitHub OIDC
// subjects, their roles, and the lab-users group. No Entra, no Azure.
import * as path from "path";
import { BUILTIN_ROLES } from "../../lib/azure";
import { deterministicGuid } from "../../lib/naming";
import { assignableRolesCondition, BOOTSTRAP_PROJECT, readBootstrapConfig } from "../../bootstrap/lib";
import type { ProgramRun } from "../../scripts/lib/harness";
import { MOCK_CLIENT } from "../../scripts/lib/mocks";
import { ofType, one, ROOT } from "../helpers/program";

async function runBootstrap(config: Record<string, string>): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../scripts/lib/harness") as typeof import("../../scripts/lib/harness");
    run = await runProgram({ stack: "admin", config, programDir: path.join(ROOT, "bootstrap"), project: BOOTSTRAP_PROJECT });
  });
  return run!;
}

const FIC = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
const APP = "azuread:index/application:Application";
const SP = "azuread:index/servicePrincipal:ServicePrincipal";
const ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const SUB_SCOPE = `/subscriptions/${MOCK_CLIENT.subscriptionId}`;
const roleId = (guid: string) => `${SUB_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

describe("bootstrap under mocks", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runBootstrap({ githubRepo: "contoso/dsvm-identity-lab" });
  });

  it("creates two applications, each with its service principal, and no password or certificate", () => {
    const apps = ofType(run, APP);
    expect(apps.map((a) => a.inputs.displayName).sort()).toEqual(["dsvm-identity-lab-ci-deploy", "dsvm-identity-lab-ci-preview"]);
    const sps = ofType(run, SP);
    expect(sps.map((s) => s.inputs.clientId).sort()).toEqual(apps.map((a) => a.state.clientId).sort());
    expect(run.resources.filter((r) => /Password|Certificate/.test(r.type))).toEqual([]);
  });

  it("trusts exactly the pull_request subject for previews, and main plus the deploy environment for deploys", () => {
    const subjectsOf = (app: string) => {
      const id = one(run, APP, app).id;
      return ofType(run, FIC).filter((f) => f.inputs.applicationId === id).map((f) => f.inputs.subject).sort();
    };
    expect(subjectsOf("ci-preview")).toEqual(["repo:contoso/dsvm-identity-lab:pull_request"]);
    expect(subjectsOf("ci-deploy")).toEqual(["repo:contoso/dsvm-identity-lab:environment:lab", "repo:contoso/dsvm-identity-lab:ref:refs/heads/main"]);
    for (const f of ofType(run, FIC)) {
      expect(f.inputs.issuer).toBe("https://token.actions.githubusercontent.com");
      expect(f.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
    }
    expect(run.outputs.federatedSubjects).toEqual({
      pullRequest: "repo:contoso/dsvm-identity-lab:pull_request",
      main: "repo:contoso/dsvm-identity-lab:ref:refs/heads/main",
      environment: "repo:contoso/dsvm-identity-lab:environment:lab",
    });
  });

  it("previews get Reader only; deploys get Contributor and a role-assignment right constrained by ABAC", () => {
    const spId = (name: string) => one(run, SP, `${name}-sp`).state.objectId;
    const rolesOf = (name: string) =>
      ofType(run, ASSIGNMENT)
        .filter((a) => a.inputs.principalId === spId(name))
        .map((a) => a.inputs.roleDefinitionId)
        .sort();
    expect(rolesOf("ci-preview")).toEqual([roleId(BUILTIN_ROLES.reader)]);
    expect(rolesOf("ci-deploy")).toEqual([roleId(BUILTIN_ROLES.contributor), roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator)].sort());
    const assignments = ofType(run, ASSIGNMENT);
    expect(assignments.map((a) => a.inputs.roleDefinitionId)).not.toContain(roleId(BUILTIN_ROLES.owner));
    expect(assignments.map((a) => a.inputs.roleDefinitionId)).not.toContain(roleId(BUILTIN_ROLES.userAccessAdministrator));
    for (const a of assignments) {
      expect(a.inputs).toMatchObject({ scope: SUB_SCOPE, principalType: "ServicePrincipal" });
      expect(a.inputs.roleAssignmentName).toBe(deterministicGuid(SUB_SCOPE.toLowerCase(), a.inputs.principalId, a.inputs.roleDefinitionId.toLowerCase()));
    }
    const rbac = assignments.find((a) => a.inputs.roleDefinitionId === roleId(BUILTIN_ROLES.roleBasedAccessControlAdministrator))!;
    expect(rbac.inputs.conditionVersion).toBe("2.0");
    expect(rbac.inputs.condition).toBe(assignableRolesCondition([BUILTIN_ROLES.virtualMachineUserLogin, BUILTIN_ROLES.storageAccountKeyOperator]));
    // Every other role assignment is unconditioned, and only the RBAC one may write assignments.
    expect(assignments.filter((a) => a.inputs.condition)).toHaveLength(1);
  });

  it("creates the lab-users security group and exports its object id for labUsersGroupObjectId", () => {
    const group = one(run, "azuread:index/group:Group", "lab-users");
    expect(group.inputs).toMatchObject({ displayName: "dsvm-identity-lab users", securityEnabled: true, mailEnabled: false });
    expect(run.outputs.labUsersGroupObjectId).toBe(group.state.objectId);
    expect(run.outputs.labUsersGroupObjectId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("exports ids only: tenant, subscription, two client ids", () => {
    expect(Object.keys(run.outputs).sort()).toEqual(["deployClientId", "federatedSubjects", "labUsersGroupObjectId", "previewClientId", "subscriptionId", "tenantId"]);
    expect(run.outputs.previewClientId).not.toBe(run.outputs.deployClientId);
  });
});

describe("bootstrap config and the ABAC condition", () => {
  it("follows deployEnvironment into the deploy subject", async () => {
    const run = await runBootstrap({ githubRepo: "octo-org/lab.repo", deployEnvironment: "prod" });
    expect(ofType(run, FIC).map((f) => f.inputs.subject).sort()).toEqual([
      "repo:octo-org/lab.repo:environment:prod",
      "repo:octo-org/lab.repo:pull_request",
      "repo:octo-org/lab.repo:ref:refs/heads/main",
    ]);
  });

  it.each([
    [{}, "githubRepo = \"\": expected OWNER/REPO"],
    [{ githubRepo: "contoso" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/repo/extra" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/*" }, "expected OWNER/REPO"],
    [{ githubRepo: "contoso/repo", deployEnvironment: "lab env" }, "deployEnvironment"],
    [{ githubRepo: "contoso/repo", labUsersGroupName: " " }, "labUsersGroupName"],
  ])("refuses %j", (config, message) => {
    const all = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${BOOTSTRAP_PROJECT}:${k}`, v]));
    expect(() => readBootstrapConfig(all)).toThrow(message);
  });

  it("the condition lets only the listed roles be assigned or removed, only to service principals and groups", () => {
    const c = assignableRolesCondition(["fb879df8-f326-4884-b1cf-06f3ad86be52", "81a9662b-bebf-436f-a333-f67b29880f12"]);
    expect(c).toContain("!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})");
    expect(c).toContain("!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})");
    expect(c).toContain("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {fb879df8-f326-4884-b1cf-06f3ad86be52, 81a9662b-bebf-436f-a333-f67b29880f12}");
    expect(c).toContain("@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {fb879df8");
    expect(c).toContain("@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal', 'Group'}");
    expect(c).not.toMatch(/8e3af657|18d7d88d|f58310d9/); // never Owner, User Access Administrator or RBAC Administrator
    expect(c.match(/\(/g)!.length).toBe(c.match(/\)/g)!.length);
  });
});
