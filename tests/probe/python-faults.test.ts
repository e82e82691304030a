// The Python probe against the local Azure twin: the fault matrix, one test per row, each asserting the verdict and
// the check that decides it, and what the probe prints while Azure misbehaves. The probe's main() runs in one warm
// interpreter (warm-python.ts), with the test-only PROBE_BACKOFF_FIRST so retries wait 0.05 s where a VM waits 0.5 s,
// and deadlines of a second; two rows run it as its own process, and one keeps the VM's backoff. Nothing asserts on
// timing.
import { createHash } from "crypto";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { call } from "../../twin/http";
import { ProbeRun, probeAs, probeArgs } from "../../twin/probe";
import { AzureTwin, FAULTS, Identity } from "../../twin/twin";
import { useWarmSeat } from "./warm-seat";

const CHECKS = ["vault-token", "secret-get", "secret-set", "secret-list-denied", "arm-token", "storage-listkeys", "storage-data"];
const SECRET = "SQLPasswd";
// Made up for the test: it must never appear in anything the probe prints.
const CANARY = `canary-${Math.random().toString(36).slice(2)}-do-not-print`;

const lab = useWarmSeat();
const { python } = lab;
/** The probe as the seat, in the warm interpreter, retries paced for tests. */
const probeRun = (deadlineSeconds: number, extra: string[] = [], envExtra: Record<string, string> = {}) =>
  lab.run(SECRET, deadlineSeconds, extra, envExtra);
let twin: AzureTwin;
let seat: Identity;
beforeAll(() => {
  ({ twin, seat } = lab);
});
beforeEach(() => {
  twin.reset();
  twin.seedSecret(SECRET, CANARY);
});

/** Exactly the lab's grants: secrets get and set, listKeys on the account. */
function grantExactly(who: Identity = seat) {
  twin.setPolicy(who.principalId, ["get", "set"]);
  twin.grantListKeys(who.principalId);
}

/** Runs the probe as the seat, checks the report's shape, and expects the exit code. */
async function probe(deadlineSeconds: number, code: 0 | 1, extra: string[] = []): Promise<ProbeRun> {
  const run = await probeRun(deadlineSeconds, extra);
  expectValidReport(run);
  expect(run.code).toBe(code);
  return run;
}

function statuses(run: ProbeRun): Record<string, string> {
  return Object.fromEntries(run.report!.checks.map((c) => [c.name, c.status]));
}

function expectValidReport(run: ProbeRun) {
  expect(run.stderr).not.toMatch(/Traceback/);
  expect(run.report).toBeDefined();
  expect(run.stdout.trim().split("\n")).toHaveLength(1);
  expect(run.report!.checks.map((c) => c.name)).toEqual(CHECKS);
  for (const c of run.report!.checks) expect(Object.keys(c).sort()).toEqual(["attempts", "detail", "name", "ok", "seconds", "status"]);
  expect(run.code).toBe(run.report!.ok ? 0 : 1);
}

describe("python probe against the twin: the fault matrix", () => {
  it("passes every check when the grants are exactly right, and leaves no probe container behind (its own process)", async () => {
    grantExactly();
    const run = await probeAs(twin, seat, SECRET, 5, ["--nonce", "nonce-123"]);
    expectValidReport(run);
    expect(run.code).toBe(0);
    expect(run.report!.ok).toBe(true);
    expect(Object.values(statuses(run))).toEqual(CHECKS.map(() => "passed"));
    expect(run.check("secret-list-denied").detail).toMatch(/403/);
    // The VM's set really happened, with the nonce as the value.
    expect(twin.secretVersions(`${SECRET}-probe`).map((v) => v.value)).toEqual(["nonce-123"]);
    const blobs = new BlobServiceClient(
      twin.blobEndpoint,
      new StorageSharedKeyCredential(twin.storageAccount.name, twin.storageAccount.key),
    );
    const left: string[] = [];
    for await (const c of blobs.listContainers({ prefix: "vm-probe-" })) left.push(c.name);
    expect(left).toEqual([]);
  });

  it("reads back the version it wrote and reports that value's hash in secret-set", async () => {
    grantExactly();
    const run = await probe(5, 0, ["--nonce", "nonce-123"]);
    const [written] = twin.secretVersions(`${SECRET}-probe`);
    const sha = createHash("sha256").update("nonce-123").digest("hex").slice(0, 8);
    expect(run.check("secret-set").detail).toBe(
      `wrote ${SECRET}-probe version ${written.version}: 9 chars, sha256 ${sha}; read back: 9 chars, sha256 ${sha}`,
    );
    // The read-back was a GET of exactly that version, by the seat.
    expect(
      twin.requests.some(
        (r) =>
          r.service === "vault" &&
          r.method === "GET" &&
          r.path === `/secrets/${SECRET}-probe/${written.version}` &&
          r.principalId === seat.principalId,
      ),
    ).toBe(true);
  });

  it("fails secret-set, without retrying, when the version read back is not what it wrote", async () => {
    grantExactly();
    twin.fault({
      service: "vault",
      op: "get",
      secret: `${SECRET}-probe`,
      response: {
        status: 200,
        body: {
          value: "someone-else",
          id: `${twin.vaultUrl}secrets/${SECRET}-probe/0123456789abcdef0123456789abcdef`,
          attributes: { enabled: true },
        },
      },
    });
    const run = await probe(5, 1, ["--nonce", "nonce-123"]);
    expect(run.check("secret-set")).toMatchObject({
      status: "failed",
      attempts: 1,
      detail: expect.stringMatching(/read back: 12 chars, sha256 [0-9a-f]{8}, which is NOT what was written$/),
    });
    expect(run.report!.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["secret-set"]);
  });

  it("retries only the read-back when it is refused for a while: one version written, not two", async () => {
    grantExactly();
    twin.fault({
      service: "vault",
      op: "get",
      secret: `${SECRET}-probe`,
      times: 1,
      response: twin.refusal("AccessDenied", seat.principalId, "get"),
    });
    const run = await probe(10, 0, ["--nonce", "nonce-123"]);
    expect(run.check("secret-set")).toMatchObject({ ok: true, attempts: 2 });
    expect(run.stderr).toMatch(
      /secret-set: attempt 1: wrote SQLPasswd-probe version [0-9a-f]{32}: .*; read back SQLPasswd-probe version [0-9a-f]{32}: Key Vault HTTP 403 Forbidden\/AccessDenied/,
    );
    expect(twin.secretVersions(`${SECRET}-probe`).map((v) => v.value)).toEqual(["nonce-123"]);
  });

  it("says the network refused it when the vault's firewall does not let the lab subnet in", async () => {
    grantExactly();
    twin.vaultNetwork.labSubnetAllowed = false;
    const run = await probe(0.5, 1);
    expect(run.check("secret-get").detail).toMatch(
      /^get SQLPasswd: Key Vault HTTP 403 Forbidden\/ForbiddenByFirewall \(the vault's network rules refused this client\); gave up/,
    );
    expect(run.check("secret-list-denied")).toMatchObject({
      status: "failed",
      detail: expect.stringMatching(/the network refused the list/),
    });
    expect(run.check("storage-data").ok).toBe(true);
  });

  it("fails secret-list-denied when list is allowed, at once (a 200 is never retried away)", async () => {
    grantExactly();
    twin.setPolicy(seat.principalId, ["get", "set", "list"]);
    const run = await probe(5, 1);
    const list = run.check("secret-list-denied");
    expect(list).toMatchObject({ ok: false, status: "failed", attempts: 1 });
    expect(list.detail).toMatch(/200.*too broad/);
    expect(run.report!.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["secret-list-denied"]);
  });

  it("fails secret-get after the deadline when get stays denied", async () => {
    twin.setPolicy(seat.principalId, ["set"]);
    twin.grantListKeys(seat.principalId);
    const run = await probe(1, 1);
    const get = run.check("secret-get");
    expect(get.status).toBe("failed");
    expect(get.attempts).toBeGreaterThan(1);
    expect(get.detail).toMatch(/403 Forbidden\/AccessDenied \(no permission yet\?\)/);
    expect(get.detail).toMatch(/deadline of 1s ran out/);
    // secret-set reads its write back, which needs get too: it wrote, then could not read.
    expect(run.check("secret-set").detail).toMatch(
      /^wrote SQLPasswd-probe version [0-9a-f]{32}: .*; read back SQLPasswd-probe version [0-9a-f]{32}: Key Vault HTTP 403 Forbidden\/AccessDenied/,
    );
    expect(run.report!.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["secret-get", "secret-set"]);
  });

  it("passes when get is denied for a while and then allowed (a grant propagating)", async () => {
    grantExactly();
    // The first two gets land on nodes the new policy has not reached yet: Key Vault's own AccessDenied, then 200.
    twin.fault({ service: "vault", op: "get", secret: SECRET, times: 2, response: twin.refusal("AccessDenied", seat.principalId, "get") });
    const run = await probeRun(15);
    expectValidReport(run);
    expect(run.code).toBe(0);
    expect(run.check("secret-get")).toMatchObject({ ok: true, status: "passed", attempts: 3 });
    expect(run.stderr).toMatch(/secret-get: attempt 1: .*403 Forbidden\/AccessDenied \(no permission yet\?\)/);
  });

  it("fails vault-token and arm-token when IMDS says 'Identity not found', and skips what needs them, saying why", async () => {
    grantExactly();
    twin.fault({ service: "imds", op: "token", response: FAULTS.imdsIdentityNotFound });
    const run = await probe(1, 1);
    expect(statuses(run)).toEqual({
      "vault-token": "failed",
      "secret-get": "skipped",
      "secret-set": "skipped",
      "secret-list-denied": "skipped",
      "arm-token": "failed",
      "storage-listkeys": "skipped",
      "storage-data": "skipped",
    });
    expect(run.check("vault-token").detail).toMatch(/Identity not found/);
    expect(run.check("vault-token").attempts).toBeGreaterThan(1);
    expect(run.check("secret-get").detail).toMatch(/^skipped: vault-token failed/);
    expect(run.check("storage-data").detail).toMatch(/^skipped: arm-token failed/);
  });

  it.each([
    ["429", FAULTS.imdsThrottled],
    ["503", FAULTS.imdsUnavailable],
  ])("passes when IMDS answers %s twice and then OK", async (_label, response) => {
    grantExactly();
    twin.fault({ service: "imds", op: "token", times: 2, response });
    const run = await probe(10, 0);
    expect(run.check("vault-token")).toMatchObject({ ok: true, attempts: 3 });
  });

  it("passes when Key Vault answers 429 with Retry-After, waiting what it asks", async () => {
    grantExactly();
    twin.fault({ service: "vault", op: "get", times: 1, response: FAULTS.vaultThrottled(1) });
    const run = await probe(10, 0);
    expect(run.check("secret-get")).toMatchObject({ ok: true, attempts: 2 });
    expect(run.stderr).toMatch(/secret-get: attempt 1: .*429 Throttled; retrying in 1\.0s/);
  });

  it("passes when Key Vault answers 503 once, after the VM's own first backoff (0.5 s, jittered)", async () => {
    grantExactly();
    twin.fault({ service: "vault", op: "set", times: 1, response: FAULTS.vaultUnavailable });
    const run = await python.run(probeArgs(twin, SECRET, 10), twin.probeEnv(seat));
    expectValidReport(run);
    expect(run.code).toBe(0);
    expect(run.check("secret-set")).toMatchObject({ ok: true, attempts: 2 });
    expect(run.stderr).toMatch(/secret-set: attempt 1: .*503.*; retrying in 0\.[456]s/);
  });

  it("fails storage-listkeys when ARM answers 403 AuthorizationFailed, and skips storage-data", async () => {
    twin.setPolicy(seat.principalId, ["get", "set"]);
    const run = await probe(1, 1);
    const lk = run.check("storage-listkeys");
    expect(lk.status).toBe("failed");
    expect(lk.detail).toMatch(/403 AuthorizationFailed/);
    expect(lk.attempts).toBeGreaterThan(1);
    expect(run.check("storage-data")).toMatchObject({ status: "skipped", detail: expect.stringMatching(/storage-listkeys failed/) });
    expect(run.report!.checks.filter((c) => c.status === "failed").map((c) => c.name)).toEqual(["storage-listkeys"]);
  });

  it("fails storage-data, without retrying, when listKeys hands out a wrong key (its own process)", async () => {
    grantExactly();
    twin.keyMode = "wrong";
    const run = await probeAs(twin, seat, SECRET, 5);
    expectValidReport(run);
    expect(run.code).toBe(1);
    expect(run.check("storage-listkeys").ok).toBe(true);
    const data = run.check("storage-data");
    expect(data).toMatchObject({ status: "failed", attempts: 1 });
    // Azure says AuthenticationFailed, Azurite AuthorizationFailure: either way a 403 on the first blob call.
    expect(data.detail).toMatch(/^create container .*: Blob HTTP 403 \w+ \(does the key from listKeys work/);
    expect(run.report!.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["storage-data"]);
  });

  it("is refused by the twin's IMDS without the Metadata header, as IMDS does", async () => {
    const url = `${seat.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent("https://vault.azure.net")}`;
    const get = async (headers: Record<string, string>) => {
      const res = await call(url, { headers });
      return { status: res.status, body: res.json() };
    };
    expect(await get({})).toEqual({
      status: 400,
      body: { error: "invalid_request", error_description: "Required metadata header not specified" },
    });
    expect(await get({ Metadata: "false" })).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(await get({ Metadata: "true", "X-Forwarded-For": "10.0.0.1" })).toMatchObject({ status: 400 });
    const ok = await get({ Metadata: "true" });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.access_token).toBe("string");
  });

  it("never prints the secret's value, the storage key or a token, to stdout or stderr, even when retrying", async () => {
    grantExactly();
    twin.fault({ service: "vault", op: "get", times: 1, response: FAULTS.vaultThrottled(0) });
    const run = await probeRun(10);
    expect(run.code).toBe(0);
    const printed = run.stdout + run.stderr;
    const tokens = twin.requests
      .filter((r) => r.service === "imds" && r.status === 200)
      .map((r) => JSON.parse(r.body).access_token as string);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const value of [CANARY, twin.storageAccount.key, ...tokens]) expect(printed).not.toContain(value);
    // What it shows instead: the length and a short SHA-256 prefix.
    const sha = require("crypto").createHash("sha256").update(CANARY).digest("hex").slice(0, 8);
    expect(run.check("secret-get").detail).toBe(`read ${SECRET}: ${CANARY.length} chars, sha256 ${sha}`);
  });

  it("fails clearly, without a traceback, when Key Vault answers malformed JSON", async () => {
    grantExactly();
    twin.fault({ service: "vault", op: "get", response: FAULTS.malformedJson });
    const run = await probe(3, 1);
    expect(run.check("secret-get")).toMatchObject({ status: "failed", attempts: 1, detail: expect.stringMatching(/malformed body/) });
  });

  it("keeps its JSON inside run command's 4096-byte output window, even when Azure answers with a huge error", async () => {
    grantExactly();
    const huge = { error: { code: "Bad".repeat(5000), message: "an error code this long is not what Azure sends, but nothing bounds it" } };
    twin.fault({ service: "vault", op: "get", response: { status: 400, body: huge } });
    const run = await probe(3, 1);
    expect(Buffer.byteLength(run.stdout)).toBeLessThan(4096);
    expect(run.check("secret-get").detail.length).toBeLessThanOrEqual(300);
  });

  it("fails clearly, without a traceback, when IMDS answers malformed JSON", async () => {
    grantExactly();
    twin.fault({ service: "imds", op: "token", response: FAULTS.malformedJson });
    const run = await probe(3, 1);
    expect(run.check("vault-token")).toMatchObject({ status: "failed", detail: expect.stringMatching(/not with a token/) });
  });
});

describe("python probe: connection errors", () => {
  it("retries a refused connection until the deadline, then fails that check", async () => {
    grantExactly();
    const run = await probeRun(0.5, [], { PROBE_ARM_URL: "https://127.0.0.1:9" });
    expectValidReport(run);
    expect(run.code).toBe(1);
    expect(run.check("arm-token").ok).toBe(true);
    expect(run.check("storage-listkeys")).toMatchObject({ status: "failed", detail: expect.stringMatching(/connection error.*deadline/) });
  });

  it("fails at once when the HTTPS certificate is not trusted (PROBE_CA_FILE names another CA)", async () => {
    grantExactly();
    // Loopback endpoints need PROBE_CA_FILE set at all; a public root CA that never signed the twin's certificate.
    const otherCa = require("path").join(twin.dir, "other-ca.pem");
    require("fs").writeFileSync(otherCa, require("tls").rootCertificates[0]);
    const run = await probeRun(5, [], { PROBE_CA_FILE: otherCa });
    expectValidReport(run);
    expect(run.check("secret-get")).toMatchObject({
      status: "failed",
      attempts: 1,
      detail: expect.stringMatching(/certificate not trusted/),
    });
  });
});
