// .github/workflows/reap.yml, parsed: hourly, `npm run lab -- reap --yes`, OIDC only, least permissions, pinned.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../../helpers/program";

const text = fs.readFileSync(path.join(ROOT, ".github/workflows/reap.yml"), "utf8");
const wf = parse(text) as {
  on: any;
  permissions: object;
  jobs: Record<string, { permissions: object; environment?: unknown; steps: Array<{ uses?: string; run?: string; with?: object }> }>;
};

describe("reap.yml", () => {
  const [job] = Object.values(wf.jobs);

  it("runs hourly (and by hand), and reaps for real", () => {
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d{1,2} \* \* \* \*$/) }]);
    expect(wf.on).toHaveProperty("workflow_dispatch");
    expect(job.steps.map((s) => s.run).filter(Boolean)).toContain("npm run --silent lab -- reap --yes");
  });

  it("grants nothing at the top; the job reads contents and mints an OIDC token, nothing more", () => {
    expect(wf.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("signs in with OIDC as the reap identity, from variables; no secret at all", () => {
    const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"))!;
    expect(login.with).toEqual({
      "client-id": "${{ vars.AZURE_CLIENT_ID }}",
      "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
      "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
    // Its own environment: the subject is environment:reap, which only the bootstrap's reap identity trusts.
    expect(job.environment).toBe("reap");
    expect(text).not.toMatch(/secrets\.|client-secret|AZURE_CREDENTIALS|PULUMI_ACCESS_TOKEN/i);
  });

  it("pins every action by commit SHA (the tag is a comment; tests/workflows checks both)", () => {
    const uses = job.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThanOrEqual(4);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});
