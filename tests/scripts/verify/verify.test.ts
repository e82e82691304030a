// `npm run verify` end to end against the local Azure twin: two seats, one with exactly the right grants and one
// whose identity may not get secrets. Run command executes the real probe, embedded in the RunShellScript, locally.
// The twin's vault firewall is the lab's: seats (in the lab subnet) get in, the operator's data-plane calls get
// Azure's ForbiddenByFirewall, so verify passes only by seeding through ARM (kv-control-plane-secret-put-outside-firewall).
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseOutputs, readStackOutputs } from "../../../scripts/verify/outputs";
import { UsageError } from "../../../scripts/shared/cli";
import { verifyCli } from "../../../scripts/verify/cli";
import { seatVaultName, setReadback, VERIFY_CHECKS, VerifyDeps, VerifyReport } from "../../../scripts/verify/verify";
import { runVerify, TWIN_ENDPOINTS, useVerifyTwin } from "../../twin/fixture";
import { grantLab } from "../../../twin/grants";
import { AzureTwin, Identity } from "../../../twin/twin";

const ROOT = path.resolve(__dirname, "../../..");
const SECRET = "SQLPasswd";
let twin: AzureTwin;
let seat1: Identity;
let seat2: Identity;
let operator: Identity;
let outputsFile: string;
let deps: VerifyDeps;

const lab = useVerifyTwin({ seat1: "dsvmlab-vm1", seat2: "dsvmlab-vm2" }, 500);
beforeAll(() => {
  ({
    twin,
    id: { seat1, seat2, operator },
    deps,
  } = lab);
  outputsFile = path.join(twin.dir, "outputs.json");
  fs.writeFileSync(outputsFile, JSON.stringify(outputs()));
});
/** What `pulumi stack output --json` prints for a two-seat lab deployed on the twin. */
function outputs() {
  return {
    resourceGroupName: twin.resourceGroup,
    vaultUri: twin.vaultUrl,
    vaultName: twin.vaultName,
    secretName: SECRET,
    storageAccountName: "devstoreaccount1",
    storageAccountId: twin.storageAccountId,
    blobEndpoint: twin.blobEndpoint,
    seatVms: [seat1, seat2].map((s, i) => ({
      seat: i + 1,
      vmName: s.vmName,
      vmId: twin.vmId(s.vmName!),
      principalId: s.principalId,
      privateIp: `10.42.1.${4 + i}`,
    })),
  };
}

/** The lab's grants, except that seat 2 is broken when asked: its policy lacks get. */
function grant(seat2Broken: boolean) {
  grantLab(twin, operator, [seat1, seat2], SECRET);
  if (seat2Broken) twin.setPolicy(seat2.principalId, ["set"]);
}

const verify = (argv: string[]) => runVerify(argv, deps);

const cell = (table: string, check: string) =>
  table
    .split("\n")
    .find((l) => l.startsWith(`${check} `))
    ?.trim()
    .split(/\s+/)
    .slice(1);

describe("npm run verify against the twin", () => {
  it("runs both seats in parallel, prints seat x check, and exits 1 because seat 2 cannot get the secret", async () => {
    grant(true);
    const run = await verify(["--outputs", outputsFile, "--deadline-seconds", "3"]);
    expect(run.code).toBe(1);
    const table = run.stdout;
    expect(table.split("\n")[0].split(/\s+/)).toEqual(["check", "seat", "1", "seat", "2"]);
    // Without get, seat 2 can neither read the canary nor read back its own write.
    const seat2: Record<string, string> = { "secret-get": "FAIL", "secret-set": "FAIL", "set-readback": "skip" };
    for (const check of VERIFY_CHECKS) expect([check, cell(table, check)]).toEqual([check, ["ok", seat2[check] ?? "ok"]]);
    expect(table).toMatch(/^ {2}seat 2 secret-get: get SQLPasswd: Key Vault HTTP 403 Forbidden\/AccessDenied.*deadline of 3s ran out$/m);
    expect(table).toMatch(/1 of 2 seat\(s\) FAILED/);
    // Parallel, shown by order, not time: both run commands started before either ended.
    expect(twin.events.slice(0, 2).sort()).toEqual(["runCommand:start:dsvmlab-vm1", "runCommand:start:dsvmlab-vm2"]);
    // Progress on stderr while waiting.
    expect(run.stderr).toMatch(/verify: seeded SQLPasswd with a fresh value \(\d+ chars, sha256 [0-9a-f]{8}\) through ARM/);
    expect(run.stderr).toMatch(/verify: seat 2 \(dsvmlab-vm2\): run command started/);
    expect(run.stderr).toMatch(/verify: waiting for seat 2 \(\d+s\)/);
    expect(run.stderr).toMatch(/verify: seat 2 \(dsvmlab-vm2\): FAILED secret-get/);
    // The canary was re-seeded with a fresh value, which is printed nowhere.
    const seeded = twin.secretVersions(SECRET);
    expect(seeded).toHaveLength(2);
    expect(seeded[1].value).not.toBe("value-from-pulumi");
    expect(run.stdout + run.stderr).not.toContain(seeded[1].value);
    // Each VM's write is really there: one version per seat, holding that seat's nonce.
    expect(
      twin
        .secretVersions(`${SECRET}-probe`)
        .map((v) => v.value.replace(/^verify-[0-9a-f]+-/, ""))
        .sort(),
    ).toEqual(["seat1", "seat2"]);
  });

  it("gives the merged results as JSON with --json, from `pulumi stack output` with --stack", async () => {
    grant(true);
    const bin = fakePulumi(JSON.stringify(outputs()));
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${oldPath}`;
    let run;
    try {
      run = await verify(["--stack", "test", "--json", "--deadline-seconds", "3"]);
    } finally {
      process.env.PATH = oldPath;
    }
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report.ok).toBe(false);
    expect(report.seats.map((s) => [s.seat, s.vmName, s.ok])).toEqual([
      [1, "dsvmlab-vm1", true],
      [2, "dsvmlab-vm2", false],
    ]);
    for (const s of report.seats) expect(s.checks.map((c) => c.name)).toEqual([...VERIFY_CHECKS]);
    const failed = report.seats[1].checks.filter((c) => !c.ok);
    expect(failed.map((c) => [c.name, c.status])).toEqual([
      ["secret-get", "failed"],
      ["secret-set", "failed"],
      ["set-readback", "skipped"],
    ]);
    expect(report.seats[0].checks.find((c) => c.name === "set-readback")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^the VM read back SQLPasswd-probe version [0-9a-f]{32}: this seat's nonce/),
    });
  });

  it("exits 0 with every check passed when both seats have exactly the lab's grants; --seats picks seats", async () => {
    grant(false);
    const all = await verify(["--outputs", outputsFile, "--deadline-seconds", "5"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/all 2 seat\(s\) passed every check/);
    grant(true);
    const one = await verify(["--outputs", outputsFile, "--seats", "1", "--deadline-seconds", "5"]);
    expect(one.code).toBe(0);
    expect(one.stdout.split("\n")[0].split(/\s+/)).toEqual(["check", "seat", "1"]);
    expect(twin.events.filter((e) => e.startsWith("runCommand:start"))).toEqual(["runCommand:start:dsvmlab-vm1"]);
  });

  it("fails run-command (and skips the rest, saying why) when the operator may not run commands", async () => {
    grant(false);
    twin.reset();
    twin.seedSecret(SECRET, "x");
    twin.grantSecretsWrite(operator.principalId);
    const run = await verify(["--outputs", outputsFile, "--json", "--seats", "2", "--deadline-seconds", "2"]);
    expect(run.code).toBe(1);
    const seat = (JSON.parse(run.stdout) as VerifyReport).seats[0];
    expect(seat.checks[0]).toMatchObject({
      name: "run-command",
      status: "failed",
      detail: expect.stringMatching(/AuthorizationFailed|does not have authorization/),
    });
    expect(seat.checks.slice(1).every((c) => c.status === "skipped" && /run-command failed/.test(c.detail))).toBe(true);
  });

  it("stops with a clear error when it cannot seed the canary secret: no secrets/write at ARM", async () => {
    twin.reset();
    twin.seedSecret(SECRET, "x");
    twin.grantRunCommand(operator.principalId);
    // A full access policy does not help: the ARM PUT is authorized by the operator's role, not by the vault.
    twin.setPolicy(operator.principalId, ["get", "list", "set", "delete"]);
    await expect(verify(["--outputs", outputsFile])).rejects.toThrow(
      /could not seed the canary secret SQLPasswd in vault dsvmlab-kv-twin01 \(https:\/\/127\.0\.0\.1:\d+\/\) through ARM: .*Microsoft\.KeyVault\/vaults\/secrets\/write/,
    );
    expect(twin.events.filter((e) => e.startsWith("runCommand:start"))).toEqual([]);
  });
});

describe("verify and the vault firewall (kv-firewall-refusal, kv-control-plane-secret-put-outside-firewall)", () => {
  it("passes end to end while the firewall refuses every data-plane call from the operator: the operator touches only ARM", async () => {
    grant(false);
    const run = await verify(["--outputs", outputsFile, "--deadline-seconds", "5"]);
    expect(run.code).toBe(0);
    expect(twin.requests.filter((r) => r.service === "vault" && r.principalId === operator.principalId)).toEqual([]);
    const put = twin.requests.filter((r) => r.service === "arm" && r.method === "PUT");
    expect(put.map((r) => [r.path, r.status, r.principalId])).toEqual([[`${twin.vaultId}/secrets/${SECRET}`, 200, operator.principalId]]);
    // The ARM answer never echoes the value (secrets.json: "'value' will never be returned from the service").
    expect(JSON.parse(put[0].body).properties).not.toHaveProperty("value");
    // Every vault call came from a seat, inside the lab subnet, and none was refused by the network.
    const vault = twin.requests.filter((r) => r.service === "vault");
    expect(new Set(vault.map((r) => r.principalId))).toEqual(new Set([seat1.principalId, seat2.principalId]));
    expect(vault.filter((r) => /ForbiddenBy(Firewall|Connection)/.test(r.body))).toEqual([]);
  });

  it("would have failed the old way: a data-plane seed from the operator gets Azure's ForbiddenByFirewall (and passes only with the operator's address allowed)", async () => {
    grant(false);
    const { SecretClient } = await import("@azure/keyvault-secrets");
    const client = new SecretClient(twin.vaultUrl, deps.credential, {
      additionalPolicies: deps.additionalPolicies,
      disableChallengeResourceVerification: true,
    });
    const refused = await client.setSecret(SECRET, "seeded-the-old-way").then(
      () => undefined,
      (e: { statusCode?: number; message: string }) => e,
    );
    expect(refused?.statusCode).toBe(403);
    expect(refused?.message).toMatch(
      /^Client address is not authorized and caller is not a trusted service\.\r\nClient address: 127\.0\.0\.1\r\n/,
    );
    const answer = twin.requests.find((r) => r.service === "vault" && r.method === "PUT" && r.status === 403)!;
    expect(JSON.parse(answer.body).error.innererror.code).toBe("ForbiddenByFirewall");
    expect(twin.secretVersions(SECRET).map((v) => v.value)).toEqual(["value-from-pulumi"]);
    // The switch: with operatorIpRanges listing the operator, the same call goes through.
    twin.vaultNetwork.operatorIpAllowed = true;
    await expect(client.setSecret(SECRET, "seeded-the-old-way")).resolves.toMatchObject({ name: SECRET });
  });
});

describe("set-readback: the VM's read-back of its own write, against this seat's nonce", () => {
  const nonce = "verify-0123456789ab-seat1";
  const sha = (v: string) => require("crypto").createHash("sha256").update(v).digest("hex").slice(0, 8);
  const set = (detail: string, ok = true) => ({
    name: "secret-set",
    ok,
    status: ok ? ("passed" as const) : ("failed" as const),
    detail,
    attempts: 1,
    seconds: 0.1,
  });
  const version = "0123456789abcdef0123456789abcdef";
  const wrote = `wrote SQLPasswd-probe version ${version}: ${nonce.length} chars, sha256 ${sha(nonce)}`;

  it("passes when the hash read back is this seat's nonce's", () => {
    expect(setReadback(set(`${wrote}; read back: ${nonce.length} chars, sha256 ${sha(nonce)}`), "SQLPasswd-probe", nonce)).toMatchObject({
      ok: true,
      status: "passed",
    });
  });

  it.each([
    [
      "another value",
      `${wrote}; read back: 5 chars, sha256 ${sha("other")}`,
      /read back SQLPasswd-probe version 0123456789abcdef0123456789abcdef: 5 chars, sha256 [0-9a-f]{8}, not this seat's nonce/,
    ],
    [
      "another seat's nonce, same length",
      `${wrote}; read back: ${nonce.length} chars, sha256 ${sha("verify-0123456789ab-seat2")}`,
      /not this seat's nonce/,
    ],
    ["no read-back reported (an older probe)", wrote, /did not report the version of SQLPasswd-probe it wrote and the hash it read back/],
  ])("fails on %s", (_what, detail, says) => {
    expect(setReadback(set(detail), "SQLPasswd-probe", nonce)).toMatchObject({
      ok: false,
      status: "failed",
      detail: expect.stringMatching(says),
    });
  });

  it("is skipped when secret-set failed", () => {
    expect(
      setReadback(set("set SQLPasswd-probe: Key Vault HTTP 403 Forbidden/AccessDenied", false), "SQLPasswd-probe", nonce),
    ).toMatchObject({ ok: false, status: "skipped" });
  });
});

describe("verify's input", () => {
  it.each([
    [[], /give exactly one of --stack NAME or --outputs FILE/],
    [["--stack", "dev", "--outputs", "x.json"], /give exactly one of --stack NAME or --outputs FILE/],
    [["--outputs"], /--outputs/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--outputs", "/nonexistent/outputs.json"], /--outputs \/nonexistent\/outputs.json: cannot read it \(ENOENT\)/],
    [["--outputs", "OUTPUTS", "--seats", "0"], /--seats "0": expected seat numbers separated by commas/],
    [["--outputs", "OUTPUTS", "--seats", "1,5"], /--seats 1,5: no seat 5 in this stack; its seats are 1, 2/],
    [["--outputs", "OUTPUTS", "--deadline-seconds", "soon"], /--deadline-seconds "soon": expected a number of seconds above 0/],
    [["--stack", "dev;rm"], /--stack "dev;rm": expected a stack name/],
  ])("refuses %j as a usage error naming the flag, before touching Azure", async (argv, message) => {
    const args = (argv as string[]).map((a) => (a === "OUTPUTS" ? outputsFile : a));
    const makeDeps = jest.fn(() => deps);
    await expect(verifyCli(args, { stdout: { write: () => 0 }, stderr: { write: () => 0 } }, makeDeps, TWIN_ENDPOINTS)).rejects.toThrow(
      UsageError,
    );
    await expect(verifyCli(args, { stdout: { write: () => 0 }, stderr: { write: () => 0 } }, makeDeps, TWIN_ENDPOINTS)).rejects.toThrow(
      message as RegExp,
    );
    expect(makeDeps).not.toHaveBeenCalled();
  });

  it("finds each seat's vault name for the ARM PUT: its output, or the vault's host; refuses when it cannot tell", () => {
    const base = parseOutputs({ ...outputs(), vaultName: undefined }, "test", TWIN_ENDPOINTS);
    const seat = { seat: 1, vmName: "vm1", vmId: twin.vmId("vm1") };
    expect(seatVaultName({ ...base, vaultName: "labkv" }, seat)).toBe("labkv");
    expect(seatVaultName(base, { ...seat, vaultUri: "https://labkv2.vault.azure.net/", vaultName: "labkv2" })).toBe("labkv2");
    expect(seatVaultName(base, { ...seat, vaultUri: "https://labkv3.vault.azure.net/" })).toBe("labkv3");
    expect(seatVaultName(base, { ...seat, vaultUri: "https://labkv4.vault.usgovcloudapi.net/" })).toBe("labkv4");
    expect(() => seatVaultName(base, seat)).toThrow(UsageError);
    expect(() => seatVaultName(base, seat)).toThrow(
      /seatVms \(seat 1\): cannot tell the name of its vault "https:\/\/127\.0\.0\.1:\d+\/"; expected a vaultName output of 3-24 letters/,
    );
    expect(() => seatVaultName({ ...base, vaultName: "x;rm" }, seat)).toThrow(/\(got "x;rm"\)/);
  });

  it("names every missing or wrong output key", () => {
    expect(() => parseOutputs({ vaultUri: "https://v/", seatVms: [{ seat: 1 }] }, "--outputs o.json")).toThrow(
      /--outputs o.json: not the outputs of this project's stack:\n {2}- resourceGroupName: expected a non-empty string, got nothing\n(.|\n)*secretName(.|\n)*seatVms\[0\]: expected \{seat: number, vmName: string/,
    );
  });

  it("says how to go on when the pulumi CLI is missing", async () => {
    const oldPath = process.env.PATH;
    process.env.PATH = twin.dir;
    try {
      await expect(readStackOutputs("dev")).rejects.toThrow(/the pulumi CLI is not on PATH: install it, or pass --outputs FILE/);
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it("exits 2 with the message and no stack trace from the command line (npm run verify)", async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["-r", "./scripts/register.js", "scripts/verify/index.ts", "--outputs", "/nonexistent.json"], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (c) => resolve({ code: c, stderr: err }));
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--outputs \/nonexistent.json: cannot read it/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.verify).toBe(
      "node -r ./scripts/register.js scripts/verify/index.ts",
    );
  });
});

/** A `pulumi` on PATH that answers `stack output --json --stack test` with `json`, and fails on anything else. */
function fakePulumi(json: string): string {
  const bin = fs.mkdtempSync(path.join(twin.dir, "bin-"));
  fs.writeFileSync(path.join(twin.dir, "stack-output.json"), json);
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\n[ "$*" = "stack output --json --stack test" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat '${path.join(twin.dir, "stack-output.json")}'\n`,
    { mode: 0o755 },
  );
  return bin;
}
