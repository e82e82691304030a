// The bootstrap's rules, pure so tests can check them without Azure: config, OIDC subjects and the ABAC condition.
import * as pulumi from "@pulumi/pulumi";

export const BOOTSTRAP_PROJECT = "dsvm-identity-lab-bootstrap";

/** GitHub's OIDC token issuer and the audience Entra expects for workload identity federation. */
export const GITHUB_OIDC = { issuer: "https://token.actions.githubusercontent.com", audience: "api://AzureADTokenExchange" } as const;

export interface BootstrapConfig {
  readonly githubRepo: string;
  readonly deployEnvironment: string;
  readonly labUsersGroupName: string;
}

const DEFAULTS: Omit<BootstrapConfig, "githubRepo"> = { deployEnvironment: "lab", labUsersGroupName: "dsvm-identity-lab users" };

/** Reads the project's config (full keys, as `pulumi.runtime.allConfig()` gives them); a bad value stops the run. */
export function readBootstrapConfig(all: Readonly<Record<string, string>>): BootstrapConfig {
  const get = (key: string) => all[`${BOOTSTRAP_PROJECT}:${key}`];
  const problems: string[] = [];
  const githubRepo = get("githubRepo") ?? "";
  // GitHub owners: 1-39 letters, digits, hyphens; repositories: letters, digits, '.', '_', '-'.
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(githubRepo)) {
    problems.push(`${BOOTSTRAP_PROJECT}:githubRepo = ${JSON.stringify(githubRepo)}: expected OWNER/REPO, such as contoso/dsvm-identity-lab`);
  }
  const deployEnvironment = get("deployEnvironment") ?? DEFAULTS.deployEnvironment;
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(deployEnvironment)) {
    problems.push(`${BOOTSTRAP_PROJECT}:deployEnvironment = ${JSON.stringify(deployEnvironment)}: expected a GitHub environment name such as lab`);
  }
  const labUsersGroupName = get("labUsersGroupName") ?? DEFAULTS.labUsersGroupName;
  if (!labUsersGroupName.trim() || labUsersGroupName.length > 256) {
    problems.push(`${BOOTSTRAP_PROJECT}:labUsersGroupName = ${JSON.stringify(labUsersGroupName)}: expected a display name of 1-256 characters`);
  }
  if (problems.length) throw new pulumi.RunError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return { githubRepo, deployEnvironment, labUsersGroupName };
}

/** The token subjects GitHub presents: pull requests, jobs on main, and jobs in the deploy environment. */
export function ciSubjects(cfg: BootstrapConfig): { pullRequest: string; main: string; environment: string } {
  const repo = `repo:${cfg.githubRepo}`;
  return { pullRequest: `${repo}:pull_request`, main: `${repo}:ref:refs/heads/main`, environment: `${repo}:environment:${cfg.deployEnvironment}` };
}

/**
 * ABAC condition (version 2.0) for a role that writes role assignments: it may create and delete only assignments
 * of `roleGuids`, and only to service principals and groups (never users, so never to itself as a person's proxy).
 * The form is Microsoft's "constrain roles" example (learn.microsoft.com/azure/role-based-access-control/
 * delegate-role-assignments-portal).
 */
export function assignableRolesCondition(roleGuids: readonly string[]): string {
  const roles = `{${roleGuids.join(", ")}}`;
  const types = "{'ServicePrincipal', 'Group'}";
  const clause = (action: "write" | "delete", source: "Request" | "Resource") =>
    `(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})
 )
 OR
 (
  @${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals ${roles}
  AND
  @${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase ${types}
 )
)`;
  return `${clause("write", "Request")}\nAND\n${clause("delete", "Resource")}`;
}
