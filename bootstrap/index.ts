// dsvm-identity-lab bootstrap: run once per subscription by an admin (`cd bootstrap && pulumi up`). It creates
//  - the lab's two custom roles (storage listKeys only; Key Vault secret get+set only) at the subscription, so that labs
//    reference them and a deploy identity that may not write role definitions can deploy a lab;
//  - three CI identities, each an Entra application + service principal that GitHub Actions signs in as with OIDC, each
//    trusting exactly one token subject, with the roles lib/ci-identities.ts declares for it:
//    "preview" (pull requests, Reader), "deploy" (the deploy environment: Contributor, plus role assignments
//    constrained by ABAC to the roles labs grant) and "reap" (the reap environment: deletes of the lab's resource
//    types, vault purge, removal of the lab's role assignments only). Azure roles belong to the service principal,
//    so one identity per job is the only way to give each job only what it needs;
//  - the lab-users security group, whose object id goes into the lab's `labUsersGroupObjectId`.
// No password or certificate is created: federated credentials only. docs/bootstrap.md explains each choice.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import { LAB_CUSTOM_ROLES, type LabCustomRole, roleDefinitionId as roleIdOf, subscriptionScope } from "../lib/azure";
import {
  assignmentConditionText,
  CI_CUSTOM_ROLES,
  CI_IDENTITIES,
  type CiCustomRole,
  type CiIdentity,
  grantRoleGuid,
} from "../lib/ci-identities";
import { customRoleGuid, roleAssignmentGuid } from "../lib/naming";
import { BOOTSTRAP_PROJECT, ciSubjects, GITHUB_OIDC, readBootstrapConfig } from "./lib";

const cfg = readBootstrapConfig(pulumi.runtime.allConfig());
const client = authorization.getClientConfigOutput();
const scope = client.subscriptionId.apply(subscriptionScope);
const roleId = (guid: pulumi.Input<string>) => pulumi.all([client.subscriptionId, guid]).apply(([sub, g]) => roleIdOf(sub, g));
const subjects = ciSubjects(cfg);

/** A custom role at the subscription, assignable only there: its GUID is computed, so labs and CI agree on it. */
function subscriptionRole(
  label: string,
  role: { seed: string; name: string; description: string; actions: readonly string[]; dataActions?: readonly string[] },
) {
  const guid = scope.apply((s) => customRoleGuid(s, role.seed));
  return new authorization.RoleDefinition(label, {
    roleDefinitionId: guid,
    scope,
    // Role names are unique in the tenant: the GUID's first characters tell one subscription's roles from another's.
    roleName: pulumi.interpolate`${role.name} (dsvm-identity-lab ${guid.apply((g) => g.slice(0, 8))})`,
    description: role.description,
    roleType: "CustomRole",
    permissions: [{ actions: [...role.actions], notActions: [], dataActions: [...(role.dataActions ?? [])], notDataActions: [] }],
    assignableScopes: [scope],
  });
}

const labRoles = Object.fromEntries(
  (Object.keys(LAB_CUSTOM_ROLES) as LabCustomRole[]).map((key) => [key, subscriptionRole(`lab-role-${key}`, LAB_CUSTOM_ROLES[key])]),
) as Record<LabCustomRole, authorization.RoleDefinition>;
const ciRoles = Object.fromEntries(
  (Object.keys(CI_CUSTOM_ROLES) as CiCustomRole[]).map((key) => [key, subscriptionRole(`ci-role-${key}`, CI_CUSTOM_ROLES[key])]),
) as Record<CiCustomRole, authorization.RoleDefinition>;

function ciIdentity(identity: CiIdentity) {
  const app = new azuread.Application(identity.name, {
    displayName: `${BOOTSTRAP_PROJECT.replace("-bootstrap", "")}-${identity.name}`,
    description: identity.description,
    signInAudience: "AzureADMyOrg",
  });
  const sp = new azuread.ServicePrincipal(`${identity.name}-sp`, {
    clientId: app.clientId,
    appRoleAssignmentRequired: false,
    description: identity.description,
  });
  const subject = subjects[identity.key];
  // Exactly one subject: a job in this identity's GitHub environment (or, for previews, a pull request).
  new azuread.ApplicationFederatedIdentityCredential(`${identity.name}-github`, {
    applicationId: app.id,
    displayName: `github-${identity.trust.kind === "pullRequest" ? "pull-request" : "environment"}`,
    description: `GitHub Actions, ${subject}`,
    issuer: GITHUB_OIDC.issuer,
    audiences: [GITHUB_OIDC.audience],
    subject,
  });
  for (const grant of identity.grants) {
    const label = "builtin" in grant.role ? grant.role.builtin : grant.role.ciCustom;
    const custom = "ciCustom" in grant.role ? ciRoles[grant.role.ciCustom] : undefined;
    const roleDefinitionId = roleId(client.subscriptionId.apply((sub) => grantRoleGuid(grant, sub)));
    // The condition names the lab's custom roles by GUID, and those depend on the subscription: an Output.
    const condition = grant.condition && client.subscriptionId.apply((sub) => assignmentConditionText(grant.condition!, sub));
    new authorization.RoleAssignment(
      `${identity.name}-${label}`,
      {
        principalId: sp.objectId,
        principalType: "ServicePrincipal",
        roleDefinitionId,
        scope,
        roleAssignmentName: pulumi.all([scope, sp.objectId, roleDefinitionId]).apply(([s, p, r]) => roleAssignmentGuid(s, p, r)),
        description: grant.description,
        ...(condition ? { condition, conditionVersion: "2.0" } : {}),
      },
      // A custom role must exist before it is assigned; a conditioned grant names the lab roles, so it waits for them.
      { dependsOn: [...(custom ? [custom] : []), ...(grant.condition ? Object.values(labRoles) : [])] },
    );
  }
  return app;
}

const apps = Object.fromEntries(CI_IDENTITIES.map((i) => [i.key, ciIdentity(i)]));

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
export const previewClientId = apps.preview.clientId;
export const deployClientId = apps.deploy.clientId;
export const reapClientId = apps.reap.clientId;
export const federatedSubjects = subjects;
export const labUsersGroupObjectId = labUsers.objectId;
/** The lab's custom roles, as labs with customRoleSource subscription reference them. */
export const labCustomRoleIds = Object.fromEntries(Object.entries(labRoles).map(([k, r]) => [k, roleId(r.name)]));
