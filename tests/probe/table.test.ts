// Both in-VM probes against the twin, driven by the shared table of expected outcomes (tests/probe/table-cases.ts),
// in both Key Vault permission models. The Python probe always runs; the PowerShell one only where `pwsh` is on PATH
// (nowhere here: Debian ships none and npm's pwsh downloads a binary), so its rows are skipped with that reason and
// tests/probe/powershell-mirror.test.ts checks it statically instead. The rows cover kv-list-denied-inner-code-varies and
// kv-firewall-refusal; the refusal bodies themselves (kv-rbac-forbidden-body among them) are checked below.
import { execFileSync } from "child_process";
import { PROBE_CHECKS } from "../../probe/contract";
import { probeAs, ProbeRun, Runner } from "../../twin/probe";
import { validators } from "../twin/specs";
import { AzureTwin, Identity, KV_REFUSALS } from "../../twin/twin";
import { CANARY_SECRET, expectedStatuses, PROBE_CASES } from "./table-cases";
import { describeWithReference, itWithReference } from "../helpers/reference";
import { useWarmSeat } from "./warm-seat";

const hasPwsh = (() => {
  try {
    execFileSync("pwsh", ["-NoProfile", "-Command", "$PSVersionTable.PSVersion.Major"], { stdio: "pipe", timeout: 20000 });
    return true;
  } catch {
    return false;
  }
})();

const lab = useWarmSeat();
/** The probe as the seat: Python's main() in the warm interpreter (retries paced for tests), PowerShell as a process. */
function probeAsSeat(secret: string, deadlineSeconds: number, runner: Runner): Promise<ProbeRun> {
  if (runner === "pwsh") return probeAs(twin, seat, secret, deadlineSeconds, [], runner);
  return lab.run(secret, deadlineSeconds);
}
let twin: AzureTwin;
let seat: Identity;
beforeAll(() => {
  ({ twin, seat } = lab);
});

const rows = PROBE_CASES.flatMap((c) => c.models.map((model) => [`${c.title} [${model}]`, c, model] as const));

function expectShape(run: ProbeRun) {
  expect(run.report).toBeDefined();
  expect(run.report!.checks.map((c) => c.name)).toEqual([...PROBE_CHECKS]);
  expect(run.code).toBe(run.report!.ok ? 0 : 1);
}

function suite(runner: Runner) {
  it.each(rows)("%s", async (_title, c, model) => {
    twin.reset();
    twin.seedSecret(CANARY_SECRET, "table-canary-value");
    c.arrange(twin, seat, model);
    const run = await probeAsSeat(CANARY_SECRET, c.deadlineSeconds, runner);
    expectShape(run);
    expect(Object.fromEntries(run.report!.checks.map((k) => [k.name, k.status]))).toEqual(expectedStatuses(c));
    if (c.says) expect(run.check(c.says.check).detail).toMatch(c.says.detail);
    // The model's own denial: a list refused under access policies says AccessDenied, under RBAC ForbiddenByRbac.
    const listSays = c.listSays?.[model];
    if (listSays) expect(run.check("secret-list-denied").detail).toMatch(listSays);
    expect(run.stdout + run.stderr).not.toContain("table-canary-value");
  });
}

describe("python probe: the shared table", () => suite("python"));
(hasPwsh ? describe : describe.skip)(
  `PowerShell probe: the shared table${hasPwsh ? "" : " (skipped: no pwsh on PATH; vm-probe.ps1 runs only on Windows here)"}`,
  () => suite("pwsh"),
);

describeWithReference("the twin's refusal bodies", () => {
  it.each(KV_REFUSALS)(
    "%s is Key Vault's error shape (KeyVaultError in the 7.4 spec), code Forbidden (kv-rbac-forbidden-body, kv-firewall-refusal)",
    (kind) => {
      const body = twin.refusal(kind, seat.principalId).body as { error: { code: string; message: string; innererror?: { code: string } } };
      const v = validators();
      expect(v.keyVaultError(body) || JSON.stringify(v.keyVaultError.errors)).toBe(true);
      expect(body.error.code).toBe("Forbidden");
      expect(body.error.innererror?.code).toBe(kind === "none" ? undefined : kind);
      // Each names the caller the way Azure does, except the old bare "Access denied".
      if (kind !== "none") expect(body.error.message).toContain(`oid=${seat.principalId}`);
    },
  );
});

describe("the twin's RBAC answers", () => {
  itWithReference(
    "are Azure's: 403 Forbidden/ForbiddenByRbac naming the action and the resource, valid against the Key Vault spec",
    async () => {
      twin.reset();
      twin.seedSecret(CANARY_SECRET, "table-canary-value");
      twin.accessModel = "rbac";
      // Get only, on the canary secret: set and list are refused.
      twin.assignRole(seat.principalId, ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], twin.secretScope(CANARY_SECRET));
      await probeAsSeat(CANARY_SECRET, 0.5, "python");
      const vault = twin.requests.filter((r) => r.service === "vault");
      const denied = vault.filter((r) => r.status === 403).map((r) => JSON.parse(r.body));
      expect(denied.length).toBeGreaterThanOrEqual(2);
      const v = validators();
      for (const body of denied) {
        expect(v.keyVaultError(body) || JSON.stringify(v.keyVaultError.errors)).toBe(true);
        expect(body.error).toMatchObject({ code: "Forbidden", innererror: { code: "ForbiddenByRbac" } });
      }
      const messages = denied.map((b) => b.error.message as string);
      expect(messages).toContainEqual(
        expect.stringContaining(
          `Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'\r\nResource: '${twin.secretScope(`${CANARY_SECRET}-probe`).toLowerCase()}'`,
        ),
      );
      expect(messages).toContainEqual(
        expect.stringContaining(
          `Action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'\r\nResource: '${twin.vaultId.toLowerCase()}'`,
        ),
      );
      // The granted get answered 200 with a SecretBundle.
      const got = vault.find((r) => r.method === "GET" && r.status === 200)!;
      expect(v.secretBundle(JSON.parse(got.body))).toBe(true);
    },
  );

  it("scope a secret's grant to that secret: another secret stays denied", async () => {
    twin.reset();
    twin.seedSecret(CANARY_SECRET, "table-canary-value");
    twin.seedSecret("OtherSeatsSecret", "other-value");
    twin.accessModel = "rbac";
    twin.assignRole(seat.principalId, ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], twin.secretScope(CANARY_SECRET));
    const run = await probeAsSeat("OtherSeatsSecret", 0.5, "python");
    expect(run.check("secret-get")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/get OtherSeatsSecret: Key Vault HTTP 403 Forbidden\/ForbiddenByRbac/),
    });
  });
});
