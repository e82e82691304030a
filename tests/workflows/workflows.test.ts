// The PR, deploy and reap workflows, parsed: jobs, least permissions, actions pinned by commit SHA, OIDC only with
// the exact subject each identity trusts, no inlined secret. federated-credential-subject-environment is tested here.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CI_IDENTITIES, trustSubject } from "../../lib/ci-identities";
import { secretLiteralsIn } from "../../policy/rules";
import { ROOT } from "../helpers/program";
import { type Job, type Workflow, load, text, uses } from "./workflow-file";

const FILES = ["pr.yml", "deploy.yml", "reap.yml"];
const runIndex = (job: Job, re: RegExp) => job.steps.findIndex((s) => re.test(s.run ?? ""));
/** `uses: owner/repo@<40 hex> # vX.Y.Z`: a SHA cannot be moved the way a tag can; the comment says which release. */
const PIN = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w.-]+(?:\/[\w.-]+)*)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$/;
/** Each tag's commit, read from the action's repository with `git rev-parse <tag>^{commit}`. */
const RESOLVED: Record<string, string> = {
  "actions/checkout@v4.2.2": "11bd71901bbe5b1630ceea73d27597364c9af683",
  "actions/setup-node@v4.1.0": "39370e3970a6d050c480ffad4ff0ed4d3fdee5af",
  "actions/upload-artifact@v4.4.3": "b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882",
  "azure/login@v2.2.0": "a65d910e8af852a8061c627c456678983e180302",
  "pulumi/auth-actions@v1.0.0": "80dec0d5e009a11565cbf87d9ef9103fc7d24198",
  "pulumi/actions@v6.0.0": "c7fad9e2f0b79653172b36538b8b34b3c0291952",
};
/** The bootstrap's environment defaults, as bootstrap/Pulumi.yaml declares them. */
const BOOTSTRAP_ENVIRONMENTS = (() => {
  const config = (
    parse(fs.readFileSync(path.join(ROOT, "bootstrap/Pulumi.yaml"), "utf8")) as { config: Record<string, { default: string }> }
  ).config;
  return { deployEnvironment: config.deployEnvironment.default, reapEnvironment: config.reapEnvironment.default };
})();
/** The OIDC subject a job presents (docs.github.com/actions/reference/security/oidc): its environment's, else the event's. */
function subjectOf(wf: Workflow, job: Job): string {
  const env = typeof job.environment === "string" ? job.environment : job.environment?.name;
  if (env) return `repo:OWNER/REPO:environment:${env}`;
  if (Object.keys(wf.on).every((e) => e === "pull_request")) return "repo:OWNER/REPO:pull_request";
  return "repo:OWNER/REPO:ref:refs/heads/main";
}

describe.each(FILES)("%s", (file) => {
  const wf = load(file);

  it("grants nothing at the top and least permissions per job", () => {
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job.permissions).toBeDefined();
      const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write"]);
      for (const [k, v] of Object.entries(job.permissions!))
        expect({ job: name, grant: `${k}:${v}`, allowed: allowed.has(`${k}:${v}`) }).toEqual({
          job: name,
          grant: `${k}:${v}`,
          allowed: true,
        });
      // id-token only where a step logs in with OIDC.
      expect(job.permissions!["id-token"] === "write").toBe(uses(job, "azure/login").length > 0);
    }
  });

  it("pins every third-party action by commit SHA, with its release tag in a comment", () => {
    const lines = text(file)
      .split("\n")
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBe(Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.uses)).length);
    for (const line of lines) {
      const m = PIN.exec(line);
      expect({ line, pinned: Boolean(m) || /uses:\s+\.\//.test(line) }).toEqual({ line, pinned: true });
      // The SHA is the tag's commit, as read from the action's repository (git rev-parse <tag>^{commit}).
      if (m) expect({ action: m[1], tag: m[3], sha: m[2] }).toEqual({ action: m[1], tag: m[3], sha: RESOLVED[`${m[1]}@${m[3]}`] });
    }
  });

  it("logs in to Azure with OIDC from repository variables: no client secret, no credentials JSON", () => {
    for (const job of Object.values(wf.jobs)) {
      for (const step of uses(job, "azure/login")) {
        expect(step.with).toEqual({
          "client-id": "${{ vars.AZURE_CLIENT_ID }}",
          "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
          "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
        });
      }
    }
    expect(text(file)).not.toMatch(/client-secret|clientSecret|AZURE_CREDENTIALS|ARM_CLIENT_SECRET|PULUMI_ACCESS_TOKEN|secrets\./i);
  });

  it("inlines no secret value: expressions reference only vars, github and needs contexts", () => {
    const body = text(file);
    const expressions = [...body.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1].trim());
    for (const e of expressions)
      expect(e).toMatch(/^(vars\.[A-Z_]+( \|\| '[\w-]+')?|github\.[\w.]+( == github\.repository)?|always\(\)|matrix\.node|runner\.temp)$/);
    expect(secretLiteralsIn(body)).toEqual([]);
    // No ids pasted in: subscription, tenant and client ids are variables.
    expect(body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(JSON.stringify(wf.on)).not.toContain("pull_request_target");
  });
});

describe("pr.yml", () => {
  const wf = load("pr.yml");

  it("runs on pull requests with an offline job, the base branch's gate, and a preview job after both", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(Object.keys(wf.jobs).sort()).toEqual(["base-gate", "offline", "preview"]);
    expect(wf.jobs.preview.needs).toEqual(["offline", "base-gate"]);
  });

  it("base-gate: checks out the PR and the base commit apart, installs the base's dependencies only, and runs the base's plan --program over the PR for every stack", () => {
    const job = wf.jobs["base-gate"];
    expect(job.permissions).toEqual({ contents: "read" });
    const [pr, base] = uses(job, "actions/checkout");
    expect(pr.with).toEqual({ "persist-credentials": false, path: "pr" });
    expect(base.with).toEqual({ "persist-credentials": false, ref: "${{ github.event.pull_request.base.sha }}", path: "base" });
    // No npm cache a PR's run could have filled; npm ci in base/ only, never in the PR's checkout.
    expect(uses(job, "actions/setup-node")[0].with).toEqual({ "node-version": 20 });
    const installs = job.steps.filter((s) => /npm ci/.test(s.run ?? ""));
    expect(installs.map((s) => [(s as any)["working-directory"], s.run])).toEqual([["base", "npm ci"]]);
    const gate = job.steps.find((s) => /--program/.test(s.run ?? ""))!;
    expect(gate.run).toContain('(cd base && npm run --silent plan -- --stack "$s" --program "$GITHUB_WORKSPACE/pr")');
    expect(gate.run).toMatch(/for f in base\/Pulumi\.\*\.yaml pr\/Pulumi\.\*\.yaml; do/);
    expect(gate.run).toMatch(/exit \$status\s*$/);
    expect(gate.run).toContain("GITHUB_STEP_SUMMARY");
    // Nothing of the PR's runs before the base gate: no step in this job runs in pr/ or npm test.
    expect(job.steps.filter((s) => /npm test|cd pr\b/.test(s.run ?? ""))).toEqual([]);
  });

  it("offline: on Node 20 and 22, npm ci, npm run fetch-reference, npm test, then the plan gate, with the plan in the job summary", () => {
    const job = wf.jobs.offline;
    expect(job.permissions).toEqual({ contents: "read" });
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: { node: [20, 22] } });
    expect(uses(job, "actions/setup-node")[0].with).toMatchObject({ "node-version": "${{ matrix.node }}" });
    // Two legs, two artifacts: the same name twice would fail the second upload.
    expect(uses(job, "actions/upload-artifact")[0].with!.name).toBe("offline-plan-node${{ matrix.node }}");
    const ci = runIndex(job, /^npm ci$/);
    const fetch = runIndex(job, /^npm run fetch-reference$/);
    const test = runIndex(job, /^npm test$/);
    expect(fetch).toBeGreaterThan(ci);
    expect(test).toBeGreaterThan(fetch);
    const gate = runIndex(
      job,
      /for f in Pulumi\.\*\.yaml; do[\s\S]*npm run --silent plan -- --stack "\$s" > "plan-\$s.txt"[\s\S]*exit \$status/,
    );
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(ci);
    expect(gate).toBeGreaterThan(test);
    const summary = job.steps.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""))!;
    expect(summary.if).toBe("always()");
    expect(summary.run).toMatch(/for f in Pulumi\.\*\.yaml; do[\s\S]*cat "plan-\$s.err" "plan-\$s.txt"/);
    expect(uses(job, "actions/upload-artifact")[0].with!.path).toBe("plan-*.json");
  });

  it("every shipped stack file exists to be planned: dev, win-rbac and lab-users", () => {
    expect(
      fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort(),
    ).toEqual(["Pulumi.dev.yaml", "Pulumi.lab-users.yaml", "Pulumi.win-rbac.yaml"]);
  });

  it("preview: same-repository PRs only, pulumi preview with the policy pack, commented on the PR", () => {
    const job = wf.jobs.preview;
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    const [pulumi] = uses(job, "pulumi/actions");
    expect(pulumi.with).toMatchObject({ command: "preview", policyPacks: "policy", "comment-on-pr": true });
    expect(job.steps.indexOf(uses(job, "azure/login")[0])).toBeLessThan(job.steps.indexOf(pulumi));
  });

  it("runs the policy pack that exists", () => {
    expect(fs.existsSync(path.join(ROOT, "policy/PulumiPolicy.yaml"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8")).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("the matrix covers exactly the Node majors package.json's engines allow", () => {
    const engines = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node as string;
    expect(engines).toBe(">=20 <23");
    expect(wf.jobs.offline.strategy!.matrix.node).toEqual([20, 22]);
  });
});

describe("federated-credential-subject-environment: each job presents exactly the subject its identity trusts", () => {
  const bootstrapSubject = (key: string, env = BOOTSTRAP_ENVIRONMENTS) =>
    trustSubject(CI_IDENTITIES.find((i) => i.key === key)!.trust, "OWNER/REPO", env);

  it.each([
    ["pr.yml", "preview", "preview"],
    ["deploy.yml", "deploy", "deploy"],
    ["reap.yml", "reap", "reap"],
  ])("%s job %s signs in as the %s identity", (file, jobName, identity) => {
    const wf = load(file);
    expect(subjectOf(wf, wf.jobs[jobName])).toBe(bootstrapSubject(identity));
  });

  it("the subjects are exactly: pull_request, environment:lab, environment:reap; no branch subject", () => {
    expect(CI_IDENTITIES.map((i) => bootstrapSubject(i.key))).toEqual([
      "repo:OWNER/REPO:pull_request",
      "repo:OWNER/REPO:environment:lab",
      "repo:OWNER/REPO:environment:reap",
    ]);
  });

  it("no job outside pull requests signs in to Azure without an environment (its main-branch subject is trusted by nobody)", () => {
    const trusted = new Set(CI_IDENTITIES.map((i) => bootstrapSubject(i.key)));
    for (const file of FILES) {
      const wf = load(file);
      for (const [name, job] of Object.entries(wf.jobs)) {
        if (uses(job, "azure/login").length === 0) continue;
        expect({ file, name, subject: subjectOf(wf, job), trusted: trusted.has(subjectOf(wf, job)) }).toEqual({
          file,
          name,
          subject: subjectOf(wf, job),
          trusted: true,
        });
      }
    }
    // The old reaper, on main without an environment, would now be refused.
    expect(trusted.has("repo:OWNER/REPO:ref:refs/heads/main")).toBe(false);
  });

  it("deploy and reap use different environments, so neither can sign in as the other", () => {
    expect(load("deploy.yml").jobs.deploy.environment).toBe(BOOTSTRAP_ENVIRONMENTS.deployEnvironment);
    expect(load("reap.yml").jobs.reap.environment).toBe(BOOTSTRAP_ENVIRONMENTS.reapEnvironment);
    expect(BOOTSTRAP_ENVIRONMENTS.deployEnvironment).not.toBe(BOOTSTRAP_ENVIRONMENTS.reapEnvironment);
  });
});

describe("reap.yml", () => {
  const wf = load("reap.yml");

  it("runs hourly and by hand, in the reap environment, and reaps for real", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(Object.keys(wf.jobs)).toEqual(["reap"]);
    expect(wf.jobs.reap.environment).toBe("reap");
    expect(wf.jobs.reap.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(runIndex(wf.jobs.reap, /^npm run --silent lab -- reap --yes$/)).toBeGreaterThan(
      wf.jobs.reap.steps.indexOf(uses(wf.jobs.reap, "azure/login")[0]),
    );
    expect(text("reap.yml")).not.toContain("AZURE_DEPLOY_CLIENT_ID");
  });
});

describe("deploy.yml", () => {
  const wf = load("deploy.yml");

  it("runs on main behind an environment (its required reviewers are the manual approval)", () => {
    expect(wf.on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(wf.jobs)).toEqual(["deploy"]);
    expect(wf.jobs.deploy.environment).toBe("lab");
    expect(wf.jobs.deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("runs pulumi up with the policy pack, then npm run verify for the same stack", () => {
    const job = wf.jobs.deploy;
    const [up] = uses(job, "pulumi/actions");
    expect(up.with).toMatchObject({ command: "up", policyPacks: "policy" });
    const verify = runIndex(job, /^npm run verify -- --stack "\$STACK"$/);
    // The offline gate plans every shipped stack before anything is deployed.
    const plans = runIndex(job, /for f in Pulumi\.\*\.yaml; do[\s\S]*npm run --silent plan -- --stack "\$s"[\s\S]*exit \$status/);
    expect(plans).toBeGreaterThanOrEqual(0);
    expect(plans).toBeLessThan(job.steps.indexOf(up));
    expect(verify).toBeGreaterThan(job.steps.indexOf(up));
    expect(job.env?.STACK).toBe("${{ vars.PULUMI_STACK || 'dev' }}");
  });
});
