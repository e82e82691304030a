// `npm run verify` on a lab whose seats are sharded over two vaults (lib/shards.ts): each seat is seeded, probed and
// read back in its own vault. Two twins: A is the lab (ARM, VMs, vault A), B only lends its vault as the second vault;
// A's ARM knows B's vault, so the canary reaches both through the control plane.
import * as fs from "fs";
import * as path from "path";
import { parseOutputs } from "../../../scripts/verify/outputs";
import { VerifyDeps, VerifyReport } from "../../../scripts/verify/verify";
import { operatorDeps, runVerify, useTwin } from "../../twin/fixture";

const SECRET = "SQLPasswd";
const labTwin = useTwin({ seat1: "dsvmlab-vm1", seat2: "dsvmlab-vm2", operator: undefined });
const vaultB = useTwin({}, { vaultName: "dsvmlab-kv-twin02" });
let deps: VerifyDeps;

beforeAll(() => {
  const { twin: a, id } = labTwin;
  const b = vaultB.twin;
  // The probe runs inside twin A's run command and trusts twin A's CA file: add twin B's CA to it.
  fs.appendFileSync(a.certs.caFile, b.certs.ca);
  a.linkVault(b);
  // Poll run command once a second, as its Retry-After asks: each poll is a TLS connection to the twin in this process.
  deps = { ...operatorDeps(id.operator, [a, b]), pollIntervalMs: 1000 };
});

/** Seat 1 in vault A, seat 2 in vault B, with exactly the lab's grants in each: a seat has a policy only in its own vault. */
function grant() {
  const { twin: a, id } = labTwin;
  const b = vaultB.twin;
  for (const t of [a, b]) {
    t.reset();
    t.setPolicy(id.operator.principalId, ["get", "list", "set", "delete"]);
  }
  a.grantRunCommand(id.operator.principalId);
  a.grantSecretsWrite(id.operator.principalId);
  a.setPolicy(id.seat1.principalId, ["get", "set"]);
  b.setPolicy(id.seat2.principalId, ["get", "set"]);
  a.grantListKeys(id.seat1.principalId);
  a.grantListKeys(id.seat2.principalId);
}

function outputs(withSeatVaults: boolean) {
  const { twin: a, id } = labTwin;
  const seatVault = [a.vaultUrl, vaultB.twin.vaultUrl];
  const seatVaultName = [a.vaultName, vaultB.twin.vaultName];
  return {
    resourceGroupName: a.resourceGroup,
    vaultUri: a.vaultUrl,
    vaultName: a.vaultName,
    secretName: SECRET,
    storageAccountId: a.storageAccountId,
    blobEndpoint: a.blobEndpoint,
    seatVms: [id.seat1, id.seat2].map((s, i) => ({
      seat: i + 1,
      vmName: s.vmName,
      vmId: a.vmId(s.vmName!),
      ...(withSeatVaults ? { vaultUri: seatVault[i], vaultName: seatVaultName[i] } : {}),
    })),
  };
}

async function verify(withSeatVaults: boolean, extra: string[] = []) {
  const file = path.join(labTwin.twin.dir, `outputs-${withSeatVaults}.json`);
  fs.writeFileSync(file, JSON.stringify(outputs(withSeatVaults)));
  return runVerify(["--outputs", file, "--deadline-seconds", "3", ...extra], deps);
}

describe("verify follows each seat's own vault", () => {
  it("seeds the canary in both vaults, probes each seat against its vault and reads each write back from it", async () => {
    grant();
    const run = await verify(true, ["--json"]);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report.seats.map((s) => [s.seat, s.vaultUri, s.ok])).toEqual([
      [1, labTwin.twin.vaultUrl, true],
      [2, vaultB.twin.vaultUrl, true],
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/seeded SQLPasswd with a fresh value \(\d+ chars, sha256 [0-9a-f]{8}\) through ARM in 2 vaults/);
    // The same fresh canary in both vaults; each VM's write landed in its own vault only.
    const [inA, inB] = [labTwin.twin, vaultB.twin].map((t) => t.secretVersions(SECRET).map((v) => v.value));
    expect(inA).toHaveLength(1);
    expect(inB).toEqual(inA);
    const nonces = (t: typeof labTwin.twin) => t.secretVersions(`${SECRET}-probe`).map((v) => v.value.replace(/^verify-[0-9a-f]+-/, ""));
    expect(nonces(labTwin.twin)).toEqual(["seat1"]);
    expect(nonces(vaultB.twin)).toEqual(["seat2"]);
  });

  it("names each vault's seats in the table", async () => {
    grant();
    const run = await verify(true);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${labTwin.twin.vaultUrl}: seat(s) 1\n${vaultB.twin.vaultUrl}: seat(s) 2`);
  });

  it("fails seat 2 when pointed at the lab's first vault instead of its own (the outputs without per-seat vaults)", async () => {
    grant();
    const run = await verify(false, ["--json"]);
    expect(run.code).toBe(1);
    const seat2 = (JSON.parse(run.stdout) as VerifyReport).seats[1];
    expect(seat2.vaultUri).toBe(labTwin.twin.vaultUrl);
    expect(seat2.checks.find((c) => c.name === "secret-get")).toMatchObject({ ok: false, detail: expect.stringMatching(/403/) });
  });

  it("refuses a seat's vaultUri that is not an https URI, naming the seat", () => {
    const o = outputs(true);
    (o.seatVms[1] as { vaultUri?: unknown }).vaultUri = 42;
    expect(() => parseOutputs(o, "--outputs o.json")).toThrow(
      /seatVms\[1\]\.vaultUri: expected the seat's vault URI, https:\/\/NAME\.vault\.azure\.net\/, got 42/,
    );
  });
});
