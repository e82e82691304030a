// dsvm-identity-lab bootstrap: run once by an admin (`cd bootstrap && pulumi up`). It creates
//  - two CI identities, each an Entra application + service principal that GitHub Actions signs in as with OIDC:
//    "preview" trusts pull requests and may only read (Reader); "deploy" trusts main and the deploy environment and
//    may deploy labs (Contributor, plus role assignments constrained by an ABAC condition to the roles labs grant).
//    Two identities, not one: Azure roles belong to the service principal, so one identity could not give pull
//    requests less than main.
//  - the lab-users security group, whose object id goes into the lab's `labUsersGroupObjectId`.
// No password or certificate is created: federated credentials only. docs/bootstrap.md explains each choice.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import { BUILTIN_ROLES } from "../lib/azure";
import { deterministicGuid } from "../lib/naming";
import { assignableRolesCondition, BOOTSTRAP_PROJECT, ciSubjects, GITHUB_OIDC, readBootstrapConfig } from "./lib";

const cfg = readBootstrapConfig(pulumi.runtime.allConfig());
const client = authorization.getClientConfigOutput();
const scope = pulumi.interpolate`/subscriptions/${client.subscriptionId}`;
const roleId = (guid: string) => pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const subjects = ciSubjects(cfg);

function ciIdentity(name: string, description: string, trusted: Record<string, string>) {
  const app = new azuread.Application(name, { displayName: `${BOOTSTRAP_PROJECT.replace("-bootstrap", "")}-${name}`, description, signInAudience: "AzureADMyOrg" });
  const sp = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId, appRoleAssignmentRequired: false, description });
  for (const [label, subject] of Object.entries(trusted)) {
    new azuread.ApplicationFederatedIdentityCredential(`${name}-${label}`, {
      applicationId: app.id,
      displayName: `github-${label}`,
      description: `GitHub Actions, ${subject}`,
      issuer: GITHUB_OIDC.issuer,
      audiences: [GITHUB_OIDC.audience],
      subject,
    });
  }
  return { app, sp };
}

function assign(label: string, principalId: pulumi.Output<string>, role: string, extra: Partial<authorization.RoleAssignmentArgs> = {}) {
  const roleDefinitionId = roleId(role);
  return new authorization.RoleAssignment(label, {
    principalId,
    principalType: "ServicePrincipal",
    roleDefinitionId,
    scope,
    roleAssignmentName: pulumi.all([scope, principalId, roleDefinitionId]).apply(([s, p, r]) => deterministicGuid(s.toLowerCase(), p, r.toLowerCase())),
    ...extra,
  });
}

const preview = ciIdentity("ci-preview", "dsvm-identity-lab CI: pull request previews (read only)", { "pull-request": subjects.pullRequest });
const deploy = ciIdentity("ci-deploy", "dsvm-identity-lab CI: deploys and the hourly reaper", { main: subjects.main, environment: subjects.environment });

// Preview reads: Reader covers `pulumi preview` (GETs and the client-config invoke; no listKeys, no secrets).
assign("ci-preview-reader", preview.sp.objectId, BUILTIN_ROLES.reader, { description: "dsvm-identity-lab CI previews: read only" });
// Deploy: everything a lab creates, except role assignments (Contributor cannot write Microsoft.Authorization).
assign("ci-deploy-contributor", deploy.sp.objectId, BUILTIN_ROLES.contributor, { description: "dsvm-identity-lab CI deploys: lab resources" });
// ...and role assignments, but only of the roles labs grant, and only to service principals and groups.
assign("ci-deploy-rbac", deploy.sp.objectId, BUILTIN_ROLES.roleBasedAccessControlAdministrator, {
  description: "dsvm-identity-lab CI deploys: may assign only VM User Login and Storage Account Key Operator",
  condition: assignableRolesCondition([BUILTIN_ROLES.virtualMachineUserLogin, BUILTIN_ROLES.storageAccountKeyOperator]),
  conditionVersion: "2.0",
});

const labUsers = new azuread.Group("lab-users", {
  displayName: cfg.labUsersGroupName,
  description: "May sign in to dsvm-identity-lab seats with their Entra account (Virtual Machine User Login).",
  securityEnabled: true,
  mailEnabled: false,
  preventDuplicateNames: true,
});

// What the lab project and the GitHub repository need. Ids, not secrets.
export const tenantId = client.tenantId;
export const subscriptionId = client.subscriptionId;
export const previewClientId = preview.app.clientId;
export const deployClientId = deploy.app.clientId;
export const federatedSubjects = subjects;
export const labUsersGroupObjectId = labUsers.objectId;
