// `npm run plan` in this process (its main; other programs through --program). The process contract is proven by child
// processes in config.test.ts (exit 2), program.test.ts (exit 0) and tests/scale.test.ts (a large JSON through a pipe).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, runInProcess } from "../shared/command";

async function plan(args: string[]) {
  const r = await runInProcess("scripts/plan/index.ts", args);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The dev lab's plan (text, or JSON), run once for the tests that read it. */
const devPlans = new Map<string, ReturnType<typeof plan>>();
const devPlan = (args: [] | ["--json"]) => {
  const key = args.join(" ");
  if (!devPlans.has(key)) devPlans.set(key, plan(args));
  return devPlans.get(key)!;
};

describe("npm run plan", () => {
  it("prints the dev lab's resource tree, access matrix and outputs, and says nothing was deployed", async () => {
    const { code, out, err } = await devPlan([]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("nothing was deployed");
    expect(out).toMatch(
      /├─ dsvm-identity-lab:lab:SecretVault {2}vault\n(│ {2}[├└]─ .*\n)*│ {2}[├└]─ azure-native:keyvault:Vault {2}vault-kv/,
    );
    expect(out).toMatch(/seat 1 identity +key vault dsvmlab-kv-\w+ +secrets\/get, secrets\/set +(inline )?access policy/);
    expect(out).toMatch(
      /seat 2 identity +storage account dsvmlabst\w+ +Microsoft\.Storage\/storageAccounts\/listkeys\/action +role: Storage listKeys only/,
    );
    expect(out).toMatch(/vaultUri +\(known after deploy\)/);
    expect(out).toMatch(/resourceGroupName +dsvmlab-dev-rg/);
    expect(out).not.toMatch(/ undefined\n/); // a lasting lab has no expiresAt output, as `pulumi stack output` would show
  });

  it("--json writes one document with stable field names", async () => {
    const { code, out } = await devPlan(["--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["version", "project", "stack", "summary", "resources", "accessMatrix", "outputs", "knownAfterDeploy"]),
    );
    expect(report).toMatchObject({ version: 1, project: "dsvm-identity-lab", stack: "dev", summary: { seats: 2 } });
    const seatRows = report.accessMatrix.filter((r: any) => r.seat === 1);
    expect(seatRows.map((r: any) => r.permissions)).toEqual([
      ["secrets/get", "secrets/set"],
      ["Microsoft.Storage/storageAccounts/listkeys/action"],
    ]);
    expect(report.accessMatrix.flatMap((r: any) => r.permissions)).not.toContain("secrets/purge");
    expect(report.accessMatrix.filter((r: any) => r.seat).flatMap((r: any) => r.permissions)).not.toContain("secrets/list");
    expect(report.outputs.vaultUri).toBeNull();
    expect(report.knownAfterDeploy).toContain("vaultUri");
    expect(report.resources.find((r: any) => r.name === "seat1-check-probe").dependsOn.length).toBeGreaterThan(0);
    // Nothing the offline gate cannot see: the lab's one invoke is getClientConfig.
    expect(report.programFindings).toEqual([]);
  });

  it("shows write serialization and the teardown model in text and JSON", async () => {
    const { out } = await devPlan([]);
    expect(out).toMatch(/^Write serialization \(writes Azure runs one at a time\): 0 conflict\(s\)/m);
    expect(out).toMatch(/^ {2}✓ vault dsvmlab-kv-\w+: \d+ writes, one after another/m);
    expect(out).toMatch(/^Destroy \(Pulumi deletes in reverse dependency order/m);
    expect(out).toMatch(/Ordering writes to one vault or VM costs ≈\d+ s on the slowest chain/);
    const report = JSON.parse((await devPlan(["--json"])).out);
    expect(report.writeSerialization).toMatchObject({ conflicts: 0 });
    expect(report.destroy.pulumiDestroy.succeeds).toBe(false);
    expect(report.criticalPath.serialization).toEqual(
      expect.objectContaining({ slowestSeconds: expect.any(Number), costSeconds: expect.any(Number) }),
    );
    expect(report.resources.find((r: any) => r.name === "vault-kv")).toMatchObject({ protect: true, deletedWith: null });
  });

  describe("--destroy", () => {
    it("a lasting lab is blocked by its protected resources, named (pulumi-protect-blocks-destroy): exit 1", async () => {
      const { code, out, err } = await plan(["--destroy"]);
      expect(code).toBe(1);
      expect(out).toMatch(/^Destroy /);
      expect(out).not.toContain("Resource tree");
      expect(out).toMatch(/pulumi destroy: BLOCKED \(2\)/);
      expect(err).toMatch(/^destroy: blocked by 2 issue\(s\): /);
      expect(err).toContain("protected keyvault:Vault vault-kv");
      expect(err).toContain("protected storage:StorageAccount storage-account");
    });

    it("an ephemeral lab tears down: exit 0, and --json prints only the destroy section", async () => {
      const args = ["--destroy", "--config", "ephemeral=true", "--config", "createdAt=2026-11-23T00:00:00Z", "--config", "owner=me"];
      const text = await plan(args);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/pulumi destroy: would succeed\n {2}npm run lab -- destroy: would succeed/);
      const json = await plan([...args, "--json"]);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.out);
      expect(Object.keys(doc)).toEqual(["version", "project", "stack", "destroy"]);
      expect(doc.destroy).toMatchObject({ pulumiDestroy: { succeeds: true, blockers: [] }, labDestroy: { succeeds: true }, protected: [] });
    });
  });

  describe("a program whose writes to one vault may run at once (kv-access-policy-409-serialize)", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-409-"));
      for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "package.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      // The program's files only: this checkout's plan judges it (--program). Only index.ts is edited; the rest is
      // linked (loaded by its real path, so this checkout's modules are not compiled again).
      for (const d of ["components", "lib", "probe", "node_modules"]) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
      // Two standalone policies on the first vault, each waiting for the vault but not for each other, added at the
      // end of the program function.
      const extra =
        '  for (const n of [1, 2]) new extraKv.AccessPolicy(`extra-${n}`, { resourceGroupName: group.name, vaultName: vault.vaultName, policy: { tenantId: client.tenantId, objectId: `00000000-0000-0000-0000-00000000000${n}`, permissions: { secrets: ["get"] } } });';
      const end = "  return outputs;\n}\nexport = lab;";
      const program = fs.readFileSync(path.join(ROOT, "index.ts"), "utf8");
      if (!program.includes(end)) throw new Error(`index.ts no longer ends with ${JSON.stringify(end)}`);
      const edited = program.replace(end, `${extra}\n${end}`);
      fs.writeFileSync(path.join(dir, "index.ts"), `import * as extraKv from "@pulumi/azure-native/keyvault";\n${edited}`);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("fails the plan (exit 1), naming the vault, and shows the pairs (the canary secret too is an ARM write)", async () => {
      const { code, out, err } = await plan(["--program", dir]);
      expect(code).toBe(1);
      expect(err).toMatch(/^write serialization: 1 target\(s\) with writes that may run at once: vault dsvmlab-kv-\w+$/m);
      expect(out).toMatch(
        /✗ BLOCKING vault dsvmlab-kv-\w+: 3 pair\(s\) of writes may run at once, e\.g\. keyvault:AccessPolicy extra-1 and keyvault:AccessPolicy extra-2; keyvault:AccessPolicy extra-1 and keyvault:Secret vault-canary/,
      );
    });
  });

  describe("bad input exits 2 with a clear message and no stack trace", () => {
    let dir: string;
    beforeAll(() => {
      // A project holding the bad stack file, planned with --program: this checkout's program, linked.
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.symlinkSync(path.join(ROOT, "index.ts"), path.join(dir, "index.ts"));
      const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      fs.writeFileSync(
        path.join(dir, "Pulumi.bad.yaml"),
        dev.replace("dsvm-identity-lab:seats: 2", "dsvm-identity-lab:seats: 0\n  dsvm-identity-lab:allowedSshCidrs: ['0.0.0.0/0']"),
      );
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a bad config names each key, value and expected form", async () => {
      const { code, out, err } = await plan(["--stack", "bad", "--program", dir]);
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
      [["--destroyy"], "Unknown option '--destroyy'"],
    ])("%j", async (args, message) => {
      const { code, err } = await plan(args);
      expect(code).toBe(2);
      expect(err).toContain(message);
      expect(err).not.toMatch(/\n\s+at /);
    });
  });
});
