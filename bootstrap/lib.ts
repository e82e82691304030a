// The bootstrap's rules, pure so tests can check them without Azure: config and OIDC subjects. What each identity
// holds is lib/ci-identities.ts.
import * as pulumi from "@pulumi/pulumi";
import { CI_IDENTITIES, type CiIdentityKey, trustSubject } from "../lib/ci-identities";

export const BOOTSTRAP_PROJECT = "dsvm-identity-lab-bootstrap";

/** GitHub's OIDC token issuer and the audience Entra expects for workload identity federation. */
export const GITHUB_OIDC = { issuer: "https://token.actions.githubusercontent.com", audience: "api://AzureADTokenExchange" } as const;

export interface BootstrapConfig {
  readonly githubRepo: string;
  readonly deployEnvironment: string;
  readonly reapEnvironment: string;
  readonly labUsersGroupName: string;
  /** GitHub's immutable owner and repository ids: with them, every subject is in GitHub's immutable form. */
  readonly githubIds?: { readonly ownerId: string; readonly repositoryId: string };
}

const DEFAULTS: Omit<BootstrapConfig, "githubRepo"> = {
  deployEnvironment: "lab",
  reapEnvironment: "reap",
  labUsersGroupName: "dsvm-identity-lab users",
};

/** Reads the project's config (full keys, as `pulumi.runtime.allConfig()` gives them); a bad value stops the run. */
export function readBootstrapConfig(all: Readonly<Record<string, string>>): BootstrapConfig {
  const get = (key: string) => all[`${BOOTSTRAP_PROJECT}:${key}`];
  const problems: string[] = [];
  const githubRepo = get("githubRepo") ?? "";
  // GitHub owners: 1-39 letters, digits, hyphens; repositories: letters, digits, '.', '_', '-'.
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(githubRepo)) {
    problems.push(
      `${BOOTSTRAP_PROJECT}:githubRepo = ${JSON.stringify(githubRepo)}: expected OWNER/REPO, such as contoso/dsvm-identity-lab`,
    );
  }
  const environment = (key: "deployEnvironment" | "reapEnvironment") => {
    const value = get(key) ?? DEFAULTS[key];
    if (!/^[A-Za-z0-9._-]{1,255}$/.test(value)) {
      problems.push(`${BOOTSTRAP_PROJECT}:${key} = ${JSON.stringify(value)}: expected a GitHub environment name such as ${DEFAULTS[key]}`);
    }
    return value;
  };
  const deployEnvironment = environment("deployEnvironment");
  const reapEnvironment = environment("reapEnvironment");
  // One environment for both would let the reaper's jobs sign in as the deployer, and the other way round.
  if (deployEnvironment === reapEnvironment) {
    problems.push(
      `${BOOTSTRAP_PROJECT}:reapEnvironment = ${JSON.stringify(reapEnvironment)}: expected a GitHub environment other than deployEnvironment`,
    );
  }
  const labUsersGroupName = get("labUsersGroupName") ?? DEFAULTS.labUsersGroupName;
  if (!labUsersGroupName.trim() || labUsersGroupName.length > 256) {
    problems.push(
      `${BOOTSTRAP_PROJECT}:labUsersGroupName = ${JSON.stringify(labUsersGroupName)}: expected a display name of 1-256 characters`,
    );
  }
  const ownerId = get("githubOwnerId");
  const repositoryId = get("githubRepositoryId");
  for (const [key, value] of [
    ["githubOwnerId", ownerId],
    ["githubRepositoryId", repositoryId],
  ] as const) {
    if (value !== undefined && !/^[1-9][0-9]{0,19}$/.test(value))
      problems.push(`${BOOTSTRAP_PROJECT}:${key} = ${JSON.stringify(value)}: expected GitHub's numeric id, such as 123456`);
  }
  if ((ownerId === undefined) !== (repositoryId === undefined)) {
    problems.push(
      `${BOOTSTRAP_PROJECT}:${ownerId === undefined ? "githubOwnerId" : "githubRepositoryId"} is missing: set githubOwnerId and githubRepositoryId together, or neither`,
    );
  }
  if (problems.length) throw new pulumi.RunError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  const githubIds = ownerId !== undefined && repositoryId !== undefined ? { ownerId, repositoryId } : undefined;
  return { githubRepo, deployEnvironment, reapEnvironment, labUsersGroupName, ...(githubIds && { githubIds }) };
}

/** The token subject each CI identity trusts (lib/ci-identities.ts): pull requests, the deploy and the reap environments. */
export function ciSubjects(cfg: BootstrapConfig): Record<CiIdentityKey, string> {
  return Object.fromEntries(CI_IDENTITIES.map((i) => [i.key, trustSubject(i.trust, cfg.githubRepo, cfg, cfg.githubIds)])) as Record<
    CiIdentityKey,
    string
  >;
}
