// verify asks ARM whether every vault and VM the outputs name is the lab's before it writes anything or runs anything
// (Vaults_Get and VirtualMachines_Get on the twin, in Azure's shape). Each refusal: exit 1, the mismatch named, no
// secret written (no ARM PUT, no new version), no run command sent. Also: a check passes only when ok and status agree.
import * as fs from "fs";
import * as path from "path";
import { PROBE_CHECKS } from "../../../probe/contract";
import { reportError } from "../../../scripts/shared/cli";
import { verifyCli } from "../../../scripts/verify/cli";
import { renderTable } from "../../../scripts/verify/table";
import { VerifyDeps, VerifyReport } from "../../../scripts/verify/verify";
import { TWIN_ENDPOINTS, useVerifyTwin } from "../../twin/fixture";
import { grantLab } from "../../../twin/grants";
import { AzureTwin, Identity } from "../../../twin/twin";
import { twinOutputs } from "../../../twin/outputs";

const SECRET = "SQLPasswd";
let twin: AzureTwin;
let seat1: Identity;
let seat2: Identity;
let operator: Identity;
let deps: VerifyDeps;

const lab = useVerifyTwin({ seat1: "dsvmlab-vm1", seat2: "dsvmlab-vm2" });
beforeAll(() => {
  ({
    twin,
    id: { seat1, seat2, operator },
    deps,
  } = lab);
});

function outputs(over: Record<string, unknown> = {}) {
  return { ...twinOutputs(twin, [seat1, seat2], SECRET), ...over };
}

const grant = () => grantLab(twin, operator, [seat1, seat2], SECRET, { operatorPolicy: false });

async function verify(o: unknown, argv: string[] = []) {
  const file = path.join(twin.dir, "outputs-ownership.json");
  fs.writeFileSync(file, JSON.stringify(o));
  let stdout = "";
  let stderr = "";
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const result = await verifyCli(["--outputs", file, "--deadline-seconds", "5", ...argv], io, () => deps, TWIN_ENDPOINTS).then(
    (code) => ({ code, text: "" }),
    (e: unknown) => reportError(e),
  );
  return { ...result, stdout, stderr };
}

/** Nothing was written and nothing run: no ARM secret PUT, no run command, the canary untouched. */
function expectUntouched() {
  expect(twin.requests.filter((r) => r.service === "arm" && r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(twin.events).toEqual([]);
  expect(twin.secretVersions(SECRET).map((v) => v.value)).toEqual(["value-from-pulumi"]);
}

describe("verify confirms through ARM that the vaults and VMs are the lab's, before any write", () => {
  it("passes, and reads each vault and VM with a GET before the first PUT and run command", async () => {
    grant();
    const run = await verify(outputs());
    expect(run.code).toBe(0);
    const arm = twin.requests.filter((r) => r.service === "arm").map((r) => `${r.method} ${r.path.split("/providers/")[1] ?? r.path}`);
    const firstWrite = arm.findIndex((r) => !r.startsWith("GET "));
    expect(arm.slice(0, firstWrite).sort()).toEqual([
      `GET Microsoft.Compute/virtualMachines/dsvmlab-vm1`,
      `GET Microsoft.Compute/virtualMachines/dsvmlab-vm2`,
      `GET Microsoft.KeyVault/vaults/${twin.vaultName}`,
    ]);
    expect(run.stderr).toMatch(/ARM confirms 1 vault\(s\) and 2 VM\(s\) are this lab's/);
  }, 60000);

  it.each([
    [
      "a VM without the lab tag",
      () => twin.armMeta.set("dsvmlab-vm2", { tags: { owner: "someone" } }),
      /VM dsvmlab-vm2 \(seat 2\): has no "lab" tag/,
    ],
    [
      "a VM of another lab",
      () => twin.armMeta.set("dsvmlab-vm2", { tags: { lab: "prod", ephemeral: "false" } }),
      /VM dsvmlab-vm2 \(seat 2\): its lab tag "prod" is not the stack of resource group dsvmlab-test-rg/,
    ],
    ["a vault without the lab tag", () => twin.armMeta.set(twin.vaultName, { tags: {} }), /vault dsvmlab-kv-twin01: has no "lab" tag/],
    [
      "a vault whose firewall allows another resource group's subnet",
      () =>
        twin.armMeta.set(twin.vaultName, {
          subnetId: `/subscriptions/${twin.subscriptionId}/resourceGroups/prod-rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
        }),
      /vault dsvmlab-kv-twin01: its firewall allows no subnet of resource group dsvmlab-test-rg/,
    ],
    [
      "a VM whose NIC is in another resource group",
      () =>
        twin.armMeta.set("dsvmlab-vm1", {
          nicId: `/subscriptions/${twin.subscriptionId}/resourceGroups/prod-rg/providers/Microsoft.Network/networkInterfaces/n`,
        }),
      /VM dsvmlab-vm1 \(seat 1\): its network interfaces are not in resource group dsvmlab-test-rg/,
    ],
  ])(
    "refuses %s: exit 1, named, nothing written, no run command",
    async (_label, arrange, message) => {
      grant();
      arrange();
      const run = await verify(outputs());
      expect(run.code).toBe(1);
      expect(run.text).toMatch(/not this lab's resources, so nothing was written and nothing run/);
      expect(run.text).toMatch(message);
      expectUntouched();
    },
    60000,
  );

  it("refuses a vault ARM does not know in the lab's resource group (404), and a vault URI ARM gives otherwise", async () => {
    grant();
    const unknown = await verify(outputs({ vaultName: "dsvmlab-kv-zzzzzz" }));
    expect(unknown.code).toBe(1);
    expect(unknown.text).toMatch(/vault dsvmlab-kv-zzzzzz: ARM could not read it \(404/);
    expectUntouched();
    grant();
    const otherUri = await verify(outputs({ vaultUri: "https://127.0.0.1:1/" }));
    expect(otherUri.code).toBe(1);
    expect(otherUri.text).toMatch(
      /vault dsvmlab-kv-twin01: ARM gives its URI as "https:\/\/127\.0\.0\.1:\d+\/", the outputs "https:\/\/127\.0\.0\.1:1\/"/,
    );
    expectUntouched();
  }, 60000);

  it("refuses a seat VM that is not there (404), checking only the seats asked for", async () => {
    grant();
    const o = outputs();
    o.seatVms.push({ seat: 3, vmName: "dsvmlab-vm3", vmId: twin.vmId("dsvmlab-vm3") });
    const run = await verify(o);
    expect(run.code).toBe(1);
    expect(run.text).toMatch(/VM dsvmlab-vm3 \(seat 3\): ARM could not read it \(404/);
    expectUntouched();
    grant();
    expect((await verify(o, ["--seats", "1,2"])).code).toBe(0);
  }, 60000);

  it("--stack goes through the same checks: a lab tag that is not the stack's name is refused", async () => {
    grant();
    twin.labStack = "Test"; // the resource group's slug still matches; the stack's own name does not
    const bin = fs.mkdtempSync(path.join(twin.dir, "bin-"));
    fs.writeFileSync(path.join(twin.dir, "stack.json"), JSON.stringify(outputs()));
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --stack test" ] || exit 3\ncat '${path.join(twin.dir, "stack.json")}'\n`,
      { mode: 0o755 },
    );
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const io = { stdout: { write: () => 0 }, stderr: { write: () => 0 } };
      const refused = await verifyCli(["--stack", "test", "--deadline-seconds", "5"], io, () => deps, TWIN_ENDPOINTS).then(String, (e) =>
        reportError(e),
      );
      expect(refused).toMatchObject({ code: 1, text: expect.stringMatching(/its lab tag "Test" is not the stack test/) });
      expectUntouched();
      grant();
      expect(await verifyCli(["--stack", "test", "--deadline-seconds", "5"], io, () => deps, TWIN_ENDPOINTS)).toBe(0);
    } finally {
      process.env.PATH = oldPath;
    }
  }, 60000);
});

describe("a check passes only when the VM's report says ok true AND status passed", () => {
  /** Run command answers at once with this probe report on stdout (what a tampered or buggy probe could print). */
  function cannedReport(checks: Record<string, { ok: boolean; status: string }>) {
    const report = {
      ok: true,
      checks: PROBE_CHECKS.map((name) => ({
        name,
        detail: "x",
        attempts: 1,
        seconds: 0,
        ...(checks[name] ?? { ok: true, status: "passed" }),
      })),
    };
    twin.fault({
      service: "arm",
      op: "runCommand",
      response: {
        status: 200,
        body: {
          value: [
            {
              code: "ProvisioningState/succeeded",
              level: "Info",
              displayStatus: "Provisioning succeeded",
              message: `Enable succeeded: \n[stdout]\n${JSON.stringify(report)}\n[stderr]\n`,
            },
          ],
        },
      },
    });
  }

  it.each([
    ["ok false with status passed", "secret-list-denied", { ok: false, status: "passed" }],
    ["ok true with status skipped", "secret-list-denied", { ok: true, status: "skipped" }],
    ["ok true with status failed", "storage-data", { ok: true, status: "failed" }],
  ])(
    "%s is a failure that says the report was inconsistent",
    async (_label, name, fields) => {
      grant();
      cannedReport({ [name]: fields });
      const run = await verify(outputs(), ["--seats", "1", "--json"]);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as VerifyReport;
      const c = report.seats[0].checks.find((x) => x.name === name)!;
      expect(c).toMatchObject({
        ok: false,
        status: "failed",
        detail: expect.stringMatching(new RegExp(`^the VM's report was inconsistent \\(ok ${fields.ok}, status ${fields.status}\\)`)),
      });
      expect(report.seats[0].ok).toBe(false);
      expect(report.ok).toBe(false);
    },
    60000,
  );

  it("the table shows FAIL, not ok, for ok false with status passed", async () => {
    grant();
    cannedReport({ "secret-list-denied": { ok: false, status: "passed" } });
    const run = await verify(outputs(), ["--seats", "1"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^secret-list-denied\s+FAIL$/m);
    expect(run.stdout).toMatch(/seat 1 secret-list-denied: the VM's report was inconsistent \(ok false, status passed\)/);
  }, 60000);

  it("renderTable never shows ok for a check that is not ok, whatever its status says", () => {
    const checks = PROBE_CHECKS.map((name) => ({ name, ok: true, status: "passed" as const, detail: "x", attempts: 1, seconds: 0 }));
    checks[3] = { ...checks[3], ok: false };
    const table = renderTable({
      ok: true,
      secretName: SECRET,
      vaultUri: "v",
      seats: [{ seat: 1, vmName: "dsvmlab-vm1", vaultUri: "v", ok: true, checks }],
    });
    expect(table).toMatch(/^secret-list-denied\s+FAIL$/m);
    expect(table).toMatch(/1 of 1 seat\(s\) FAILED/);
  });
});
