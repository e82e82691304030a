// The PR and deploy workflows, parsed: jobs, least permissions, pinned actions, OIDC only, no inlined secret.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { secretLiteralsIn } from "../../policy/rules";
import { ROOT } from "../helpers/program";

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = { "runs-on": string; if?: string; needs?: string | string[]; environment?: string | { name: string }; permissions?: Record<string, string>; env?: Record<string, unknown>; steps: Step[] };
type Workflow = { name: string; on: Record<string, any>; permissions: Record<string, string>; jobs: Record<string, Job> };

const FILES = ["pr.yml", "deploy.yml"];
const text = (f: string) => fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8");
const load = (f: string) => parse(text(f)) as Workflow;
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
const runIndex = (job: Job, re: RegExp) => job.steps.findIndex((s) => re.test(s.run ?? ""));

describe.each(FILES)("%s", (file) => {
  const wf = load(file);

  it("grants nothing at the top and least permissions per job", () => {
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job.permissions).toBeDefined();
      const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write"]);
      for (const [k, v] of Object.entries(job.permissions!)) expect({ job: name, grant: `${k}:${v}`, allowed: allowed.has(`${k}:${v}`) }).toEqual({ job: name, grant: `${k}:${v}`, allowed: true });
      // id-token only where a step logs in with OIDC.
      expect(job.permissions!["id-token"] === "write").toBe(uses(job, "azure/login").length > 0);
    }
  });

  it("pins every action to a full version or a commit", () => {
    const all = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(all.length).toBeGreaterThan(0);
    for (const u of all) expect(u).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
  });

  it("logs in to Azure with OIDC from repository variables: no client secret, no credentials JSON", () => {
    for (const job of Object.values(wf.jobs)) {
      for (const step of uses(job, "azure/login")) {
        expect(step.with).toEqual({ "client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" });
      }
    }
    expect(text(file)).not.toMatch(/client-secret|clientSecret|AZURE_CREDENTIALS|ARM_CLIENT_SECRET|PULUMI_ACCESS_TOKEN|secrets\./i);
  });

  it("inlines no secret value: expressions reference only vars, github and needs contexts", () => {
    const body = text(file);
    const expressions = [...body.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1].trim());
    for (const e of expressions) expect(e).toMatch(/^(vars\.[A-Z_]+( \|\| '[\w-]+')?|github\.[\w.]+( == github\.repository)?|always\(\))$/);
    expect(secretLiteralsIn(body)).toEqual([]);
    // No ids pasted in: subscription, tenant and client ids are variables.
    expect(body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(JSON.stringify(wf.on)).not.toContain("pull_request_target");
  });
});

describe("pr.yml", () => {
  const wf = load("pr.yml");

  it("runs on pull requests with an offline job and a preview job after it", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(Object.keys(wf.jobs).sort()).toEqual(["offline", "preview"]);
    expect(wf.jobs.preview.needs).toBe("offline");
  });

  it("offline: npm ci, npm test, then the plan gate, with tree and access matrix in the job summary", () => {
    const job = wf.jobs.offline;
    expect(job.permissions).toEqual({ contents: "read" });
    const ci = runIndex(job, /^npm ci$/);
    const test = runIndex(job, /^npm test$/);
    const gate = runIndex(job, /set -o pipefail\n\s*npm run --silent plan -- --stack dev \| tee plan.txt/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(ci);
    expect(gate).toBeGreaterThan(test);
    const summary = job.steps.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""))!;
    expect(summary.if).toBe("always()");
    expect(summary.run).toMatch(/cat plan.txt/);
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
    expect(verify).toBeGreaterThan(job.steps.indexOf(up));
    expect(job.env?.STACK).toBe("${{ vars.PULUMI_STACK || 'dev' }}");
  });
});
