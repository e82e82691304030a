// The policy-config-step in pr.yml and deploy.yml: the pack gets its config from npm run policy-config, for the stack
// pulumi runs, with the deployer decoded from the ARM token.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { ROOT } from "../helpers/program";
import { load, uses } from "./workflow-file";

/**
 * The inputs pulumi/actions declares in action.yml at the pinned commit c7fad9e2f0b79653172b36538b8b34b3c0291952
 * (v6.0.0). `policyPackConfigs` is passed on as one `--policy-pack-config FILE` per entry (src/config.ts, then
 * @pulumi/pulumi automation/stack.ts), paired with `policyPacks`.
 */
const PULUMI_ACTIONS_INPUTS = new Set([
  "command",
  "stack-name",
  "pulumi-version",
  "pulumi-version-file",
  "work-dir",
  "comment-on-pr",
  "comment-on-pr-number",
  "comment-on-summary",
  "github-token",
  "cloud-url",
  "secrets-provider",
  "parallel",
  "message",
  "config-map",
  "expect-no-changes",
  "diff",
  "replace",
  "target",
  "target-dependents",
  "policyPacks",
  "policyPackConfigs",
  "refresh",
  "upsert",
  "remove",
  "edit-pr-comment",
  "color",
  "exclude-protected",
  "plan",
  "suppress-outputs",
  "suppress-progress",
  "always-include-summary",
]);
const POLICY_CONFIG_RUN =
  /^\s*npm run --silent policy-config -- --stack "\$STACK" --deployer "\$deployer" --out "\$RUNNER_TEMP\/policy-config\.json"$/m;

describe.each([
  ["pr.yml", "preview", "preview"],
  ["deploy.yml", "deploy", "up"],
])("%s job %s: the policy pack gets its config (policy-config-step)", (file, jobName, command) => {
  const job = load(file).jobs[jobName];
  const [pulumi] = uses(job, "pulumi/actions");
  const policyConfig = job.steps.findIndex((s) => POLICY_CONFIG_RUN.test(s.run ?? ""));

  it("steps in order: Azure login, then npm run policy-config, then pulumi with the pack", () => {
    const login = job.steps.indexOf(uses(job, "azure/login")[0]);
    expect(login).toBeGreaterThanOrEqual(0);
    expect(policyConfig).toBeGreaterThan(login);
    expect(job.steps.indexOf(pulumi)).toBeGreaterThan(policyConfig);
    // Exactly one such step: a second one later would overwrite the file after pulumi read it, or before.
    expect(job.steps.filter((s) => /policy-config/.test(s.run ?? "")).length).toBe(1);
  });

  it("pulumi gets the file policy-config wrote, through pulumi/actions' policyPackConfigs input", () => {
    expect(pulumi.with).toMatchObject({ command, policyPacks: "policy", policyPackConfigs: "${{ runner.temp }}/policy-config.json" });
    // $RUNNER_TEMP in the shell is ${{ runner.temp }} in the expression: the same directory.
    expect(job.steps[policyConfig].run).toContain('--out "$RUNNER_TEMP/policy-config.json"');
    // Every input given is one the pinned action declares (a misspelt input is ignored by the runner, with a warning).
    for (const key of Object.keys(pulumi.with!)) expect({ key, declared: PULUMI_ACTIONS_INPUTS.has(key) }).toEqual({ key, declared: true });
    expect(PULUMI_ACTIONS_INPUTS.has("policyPackConfig")).toBe(false);
  });

  it("the config is for the stack pulumi runs: STACK and stack-name come from the same variable", () => {
    expect(job.env?.STACK).toBe("${{ vars.PULUMI_STACK || 'dev' }}");
    expect(pulumi.with!["stack-name"]).toBe("${{ vars.PULUMI_ORG }}/dsvm-identity-lab/${{ vars.PULUMI_STACK || 'dev' }}");
  });

  it("the step fails on any error: set -euo pipefail before the token is read", () => {
    const run = job.steps[policyConfig].run!;
    expect(job.steps[policyConfig].shell).toBe("bash");
    expect(run.indexOf("set -euo pipefail")).toBeGreaterThanOrEqual(0);
    expect(run.indexOf("set -euo pipefail")).toBeLessThan(run.indexOf("az account get-access-token"));
    // The token is piped, never printed or kept in a variable.
    expect(run).not.toMatch(/echo[^\n]*token|token=/i);
  });

  it("the deployer is the ARM token's oid claim: the step's decoder returns it, and nothing for a token without one", () => {
    const run = job.steps[policyConfig].run!;
    expect(run).toMatch(/az account get-access-token --resource https:\/\/management\.azure\.com\/ --query accessToken -o tsv/);
    const script = /node -e '([^']+)'/.exec(run)![1];
    const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    // The good token through a real `node -e`, as the step runs it (stdin read whole, exit 0); the bad ones in a vm
    // context with the same script, its stdin and stdout stubbed (a throw would be the non-zero exit).
    const decode = (input: string) => spawnSync(process.execPath, ["-e", script], { input, encoding: "utf8" });
    const decodeHere = (input: string) => {
      let stdout = "";
      const stdin = {
        readFileSync: (fd: number, encoding: string) => (fd === 0 && encoding === "utf8" ? input : assert.fail(`read ${fd}`)),
      };
      const context = {
        require: (m: string) => (m === "fs" ? stdin : assert.fail(`the decoder requires ${m}`)),
        process: { stdout: { write: (t: string) => ((stdout += t), true) } },
        Buffer,
      };
      try {
        vm.runInNewContext(script, context);
        return { status: 0, stdout };
      } catch {
        return { status: 1, stdout };
      }
    };
    // A payload whose base64url form has - and _ and no padding, as Entra's tokens do.
    const oid = "6f1e0c3a-7d2b-4b8e-9a51-0c2f3e4d5a6b";
    const payload = { aud: "https://management.azure.com/", oid, appid: "00000000-0000-0000-0000-00000000abcd", xms_x: "??>>~~" };
    const token = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url(payload)}.sig`;
    expect(b64url(payload)).toMatch(/[-_]/);
    const ok = decode(`${token}\n`);
    expect({ status: ok.status, out: ok.stdout }).toEqual({ status: 0, out: oid });
    expect(decodeHere(`${token}\n`)).toEqual({ status: 0, stdout: oid }); // the stubs run the script as node does
    for (const bad of ["", "not-a-jwt", `${b64url({ alg: "none" })}.${b64url({ appid: "x" })}.sig`, "a.!!!.b"]) {
      const r = decodeHere(bad);
      expect({ bad, status: r.status, out: r.stdout }).toEqual({ bad, status: 0, out: "" });
    }
  });
});

describe("package.json: npm run policy-config", () => {
  it("runs scripts/policy-config/index.ts", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts["policy-config"]).toBe("node -r ./scripts/register.js scripts/policy-config/index.ts");
    expect(fs.existsSync(path.join(ROOT, "scripts/policy-config/index.ts"))).toBe(true);
  });
});
