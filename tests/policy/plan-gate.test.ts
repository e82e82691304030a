// The offline policy gate end to end: `npm run plan` on a mutated copy of the program exits 1 and names the rule;
// an advisory finding is printed but exits 0. The copy gets the program's files; node_modules is linked. A copy whose
// lib/ is mutated is judged by its own plan (its gate reads that lib/ too); one whose index.ts is mutated, by this
// checkout's (--program). Each runs in this process.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../helpers/program";
import { runInProcess } from "../scripts/shared/command";

const PROGRAM_FILES = ["index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "package.json", "tsconfig.json", "components", "lib", "probe"];
/** The gate: what `npm run plan` runs besides the program. */
const GATE_FILES = ["scripts", "policy", "offline"];

/** A throwaway copy of the program (and of the gate when `withGate`); `edit` changes files in it before the plan runs. */
function mutatedCopy(edit: (dir: string) => void, withGate = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-policy-"));
  for (const f of [...PROGRAM_FILES, ...(withGate ? GATE_FILES : [])])
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  edit(dir);
  return dir;
}

function replaceIn(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing matched ${from}`);
  fs.writeFileSync(file, next);
}

/** The copy's own `npm run plan -- --stack dev`, in this process (its own modules, as its process would load them). */
async function plan(dir: string, ...args: string[]) {
  const r = await runInProcess("scripts/plan/index.ts", ["--stack", "dev", ...args], dir);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("npm run plan as the policy gate", () => {
  it("exits 1 and names the rule when the seat policy gains list (SEAT_SECRET_PERMISSIONS in lib/azure/roles.ts)", async () => {
    const dir = mutatedCopy((d) =>
      replaceIn(
        path.join(d, "lib/azure/roles.ts"),
        'SEAT_SECRET_PERMISSIONS = ["get", "set"]',
        'SEAT_SECRET_PERMISSIONS = ["get", "set", "list"]',
      ),
    );
    dirs.push(dir);
    const text = await plan(dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ MANDATORY grant-access-policies {2}azure-native:keyvault:Vault vault-kv/);
    expect(text.stdout).toMatch(
      /seat 1 identity holds \[secrets\/get, secrets\/set, secrets\/list\] .*\[secrets\/list\] is beyond what it may hold/,
    );
    expect(text.stdout).toMatch(/fix: Grant seats secrets get\+set only/);
    expect(text.stderr).toBe("policy gate: 2 mandatory violation(s): grant-access-policies\n");

    const json = await plan(dir, "--json");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.policy).toMatchObject({ mandatoryViolations: 2, advisoryViolations: 0 });
    expect(report.violations.map((v: any) => [v.ruleId, v.enforcement, v.resource])).toEqual([
      ["grant-access-policies", "mandatory", "azure-native:keyvault:Vault vault-kv"],
      ["grant-access-policies", "mandatory", "azure-native:keyvault:Vault vault-kv"],
    ]);
  });

  it("exits 1 when index.ts exports the canary's value through pulumi.unsecret, and never prints it", async () => {
    const dir = mutatedCopy(
      (d) =>
        replaceIn(
          path.join(d, "index.ts"),
          "  return outputs;\n}\nexport = lab;",
          '  return { ...outputs, leaked: pulumi.unsecret(vault.canarySecret!.properties.apply((p) => p.value ?? "")) };\n}\nexport = lab;',
        ),
      false,
    );
    dirs.push(dir);
    const r = await plan(ROOT, "--json", "--program", dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.violations.map((v: any) => v.ruleId)).toEqual(["credential-stack-outputs"]);
    if (typeof report.outputs.leaked === "string" && report.outputs.leaked.length >= 8)
      expect(JSON.stringify(report.violations)).not.toContain(report.outputs.leaked);
    expect(report.violations[0].message).toMatch(
      /Stack output leaked carries the value of (Key Vault secret vault-canary|random password vault-canary-value) \(32 chars, sha256 [0-9a-f]{8}\)/,
    );
  });

  it("prints an advisory finding and exits 0 (a VM size outside the allowed list)", async () => {
    const dir = mutatedCopy(
      (d) => fs.appendFileSync(path.join(d, "Pulumi.dev.yaml"), "  dsvm-identity-lab:vmSize: Standard_M416ms_v2\n"),
      false,
    );
    dirs.push(dir);
    const r = await plan(ROOT, "--program", dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 mandatory violation\(s\), 2 advisory/);
    expect(r.stdout).toMatch(/! advisory {2}vm-size-allowed {2}azure-native:compute:VirtualMachine seat1-vm/);
  });

  it("passes the repository's own dev stack with no violations", async () => {
    const r = await plan(ROOT, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).violations).toEqual([]);
  });
});
