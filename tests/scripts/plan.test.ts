import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../helpers/program";

function plan(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/plan.ts", ...args], { cwd, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run plan", () => {
  it("prints the dev lab's resource tree, access matrix and outputs, and says nothing was deployed", () => {
    const { code, out, err } = plan([]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("nothing was deployed");
    expect(out).toMatch(/├─ dsvm-identity-lab:lab:SecretVault {2}vault\n(│ {2}[├└]─ .*\n)*│ {2}[├└]─ azure-native:keyvault:AccessPolicy {2}vault-seat1/);
    expect(out).toMatch(/seat 1 identity +key vault dsvmlab-kv-\w+ +secrets\/get, secrets\/set +access policy/);
    expect(out).toMatch(/seat 2 identity +storage account dsvmlabst\w+ +Microsoft\.Storage\/storageAccounts\/listkeys\/action +role: Storage listKeys only/);
    expect(out).toMatch(/vaultUri +\(known after deploy\)/);
    expect(out).toMatch(/resourceGroupName +dsvmlab-dev-rg/);
    expect(out).not.toMatch(/ undefined\n/); // a lasting lab has no expiresAt output, as `pulumi stack output` would show
  });

  it("--json writes one document with stable field names", () => {
    const { code, out } = plan(["--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["version", "project", "stack", "summary", "resources", "accessMatrix", "outputs", "knownAfterDeploy"]));
    expect(report).toMatchObject({ version: 1, project: "dsvm-identity-lab", stack: "dev", summary: { seats: 2 } });
    const seatRows = report.accessMatrix.filter((r: any) => r.seat === 1);
    expect(seatRows.map((r: any) => r.permissions)).toEqual([["secrets/get", "secrets/set"], ["Microsoft.Storage/storageAccounts/listkeys/action"]]);
    expect(report.accessMatrix.flatMap((r: any) => r.permissions)).not.toContain("secrets/purge");
    expect(report.accessMatrix.filter((r: any) => r.seat).flatMap((r: any) => r.permissions)).not.toContain("secrets/list");
    expect(report.outputs.vaultUri).toBeNull();
    expect(report.knownAfterDeploy).toContain("vaultUri");
    expect(report.resources.find((r: any) => r.name === "vault-seat1").dependsOn.length).toBeGreaterThan(0);
  });

  describe("bad input exits 2 with a clear message and no stack trace", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
      for (const f of ["Pulumi.yaml", "index.ts", "package.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      for (const d of ["components", "lib", "scripts"]) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
      const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), dev.replace("dsvm-identity-lab:seats: 2", "dsvm-identity-lab:seats: 0\n  dsvm-identity-lab:allowedSshCidrs: ['0.0.0.0/0']"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a bad config names each key, value and expected form", () => {
      const { code, out, err } = plan(["--stack", "bad"], dir);
      expect(code).toBe(2);
      expect(out).toBe("");
      expect(err).toContain('dsvm-identity-lab:seats = "0": expected an integer from 1 to');
      expect(err).toContain("dsvm-identity-lab:allowedSshCidrs");
      expect(err).toContain("would open SSH to the whole internet");
      expect(err).not.toMatch(/\n\s+at /);
    });

    it.each([
      [["--stack", "nope"], "no file Pulumi.nope.yaml; stacks here:"],
      [["--stakc", "dev"], "Unknown option '--stakc'"],
      [["--stack"], "--stack"],
      [["extra"], 'unexpected argument "extra"'],
    ])("%j", (args, message) => {
      const { code, err } = plan(args);
      expect(code).toBe(2);
      expect(err).toContain(message);
      expect(err).not.toMatch(/\n\s+at /);
    });
  });
});
