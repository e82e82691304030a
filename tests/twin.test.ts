// The twin must answer what Azure answers: every response it gives in a full probe run (granted and denied) and in
// direct calls is validated against Microsoft's OpenAPI specs and examples (the pinned reference files: ../shared or
// .reference/, skipped with one line when neither is there).
// Conformance entries covered here: kv-challenge-auth-401, kv-audience-check, kv-firewall-refusal,
// kv-control-plane-secret-put-outside-firewall, run-command-output-last-4096-bytes.
import type { ValidateFunction } from "ajv";
import { call } from "../twin/http";
import { probeAs } from "../twin/probe";
import { EXAMPLES, validators, Validators } from "./twin/specs";
import { useTwin } from "./twin/fixture";
import { describeWithReference, REFERENCE } from "./helpers/reference";
import { AzureTwin, Identity, RecordedRequest } from "../twin/twin";

const lab = useTwin({ seat1: "dsvmlab-vm1", operator: undefined });
// Compiled only when the specs are there; without them every suite below is skipped.
const v: Validators = REFERENCE ? validators() : ({} as Validators);
let twin: AzureTwin;
let seat: Identity;
let operator: Identity;
beforeAll(() => {
  ({
    twin,
    id: { seat1: seat, operator },
  } = lab);
});

const errors = (f: ValidateFunction) => JSON.stringify(f.errors);

/** Which schema an answer must match, by service, route and status. */
function schemaFor(r: RecordedRequest): [string, ValidateFunction] | undefined {
  if (r.service === "imds")
    return r.status === 200 ? ["IdentityTokenResponse", v.identityToken] : ["IdentityErrorResponse", v.identityError];
  if (r.service === "vault") {
    if (r.status !== 200) return ["KeyVaultError", v.keyVaultError];
    return r.method === "GET" && /^\/secrets(\/[^/]+\/versions)?\/?$/.test(r.path)
      ? ["SecretListResult", v.secretList]
      : ["SecretBundle", v.secretBundle];
  }
  if (/\/listKeys$/i.test(r.path)) return r.status === 200 ? ["StorageAccountListKeys", v.listKeys] : ["ARM error", v.armError];
  if (/\/operations\//.test(r.path) && r.query.monitor === "true")
    return r.status === 200 ? ["RunCommandResult", v.runCommandResult] : undefined;
  if (r.status >= 400) return ["ARM error", v.armError];
  return undefined;
}

async function token(who: Identity, resource: string): Promise<string> {
  const res = await call(`${who.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(resource)}`, {
    headers: { Metadata: "true" },
  });
  return res.json().access_token;
}

describeWithReference("the compiled specs", () => {
  it("accept Azure's own examples and refuse a body with a field Azure does not send", () => {
    expect(v.identityToken(EXAMPLES.identityToken().responses["200"].body)).toBe(true);
    for (const code of ["400", "404", "429", "500"]) expect(v.identityError(EXAMPLES.identityToken().responses[code].body)).toBe(true);
    expect(v.secretBundle(EXAMPLES.getSecret().responses["200"].body)).toBe(true);
    expect(v.secretBundle(EXAMPLES.setSecret().responses["200"].body)).toBe(true);
    expect(v.secretList(EXAMPLES.getSecrets().responses["200"].body)).toBe(true);
    expect(v.listKeys(EXAMPLES.listKeys().responses["200"].body)).toBe(true);
    expect(v.runCommandResult(EXAMPLES.runCommand().responses["200"].body)).toBe(true);
    // Negative: closed schemas catch drift.
    expect(v.secretBundle({ ...EXAMPLES.getSecret().responses["200"].body, secretValue: "x" })).toBe(false);
    expect(v.secretBundle({ value: "x", attributes: { enabled: "yes" } })).toBe(false);
    expect(v.identityError({ error: "identity_not_found", error_description: "x" })).toBe(false);
    expect(v.listKeys({ keys: [{ keyName: "key1", value: "x" }] })).toBe(false);
    expect(v.keyVaultError({ error: { code: "Forbidden", message: "m", innererror: { code: "ForbiddenByPolicy" } } })).toBe(true);
    expect(v.keyVaultError({ error: { code: "Forbidden", reason: "m" } })).toBe(false);
  });
});

describeWithReference("the twin's answers match Azure's specs", () => {
  it("for everything a probe run sees, granted and denied", async () => {
    twin.reset();
    twin.seedSecret("SQLPasswd", "spec-check-value");
    twin.setPolicy(seat.principalId, ["get", "set"]);
    twin.grantListKeys(seat.principalId);
    expect((await probeAs(twin, seat, "SQLPasswd", 5)).code).toBe(0);
    const granted = [...twin.requests];
    twin.reset();
    twin.seedSecret("SQLPasswd", "spec-check-value");
    expect((await probeAs(twin, seat, "SQLPasswd", 0.5)).code).toBe(1);
    const seen = new Set<string>();
    for (const r of [...granted, ...twin.requests]) {
      const s = schemaFor(r);
      if (!s) continue;
      seen.add(`${s[0]} ${r.status}`);
      expect([r.method, r.path, r.status, s[0], s[1](JSON.parse(r.body)) || errors(s[1])]).toEqual([
        r.method,
        r.path,
        r.status,
        s[0],
        true,
      ]);
    }
    expect([...seen].sort()).toEqual(
      ["ARM error 403", "IdentityTokenResponse 200", "KeyVaultError 403", "SecretBundle 200", "StorageAccountListKeys 200"].sort(),
    );
  });

  it("for challenge auth, audience, the firewall, not found, list, bad bodies and IMDS refusals", async () => {
    twin.reset();
    twin.seedSecret("SQLPasswd", "spec-check-value");
    twin.setPolicy(operator.principalId, ["get", "list", "set"]);
    const ca = twin.certs.ca;
    const kv = `${twin.vaultUrl}secrets`;
    const kvToken = await token(operator, "https://vault.azure.net");
    const armToken = await token(operator, "https://management.azure.com/");
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

    const challenge = await call(`${kv}/SQLPasswd?api-version=7.4`, { ca });
    expect(challenge.status).toBe(401);
    expect(challenge.headers["www-authenticate"]).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[0-9a-f-]+", resource="https:\/\/vault\.azure\.net"$/,
    );
    const wrongAudience = await call(`${kv}/SQLPasswd?api-version=7.4`, { ca, headers: auth(armToken) });
    expect([wrongAudience.status, wrongAudience.json().error.message]).toEqual([401, expect.stringMatching(/AKV10022: Invalid audience/)]);
    // The operator is outside the vault's network rules by default: its policy does not matter, the firewall refuses.
    const firewalled = await call(`${kv}/SQLPasswd?api-version=7.4`, { ca, headers: auth(kvToken) });
    expect([firewalled.status, firewalled.json().error.innererror.code]).toEqual([403, "ForbiddenByFirewall"]);
    twin.vaultNetwork.operatorIpAllowed = true;
    expect((await call(`${kv}/Nope?api-version=7.4`, { ca, headers: auth(kvToken) })).status).toBe(404);
    expect((await call(`${kv}?api-version=7.4`, { ca, headers: auth(kvToken) })).status).toBe(200);
    expect((await call(`${kv}/SQLPasswd/versions?api-version=7.4`, { ca, headers: auth(kvToken) })).status).toBe(200);
    expect((await call(`${kv}/x?api-version=7.4`, { ca, method: "PUT", headers: auth(kvToken), body: "{not json" })).status).toBe(400);
    expect((await call(`${kv}/SQLPasswd`, { ca, headers: auth(kvToken) })).status).toBe(400);
    expect(
      (await call(`${operator.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`)).status,
    ).toBe(400);
    expect(
      (
        await call(`${operator.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://example.com`, {
          headers: { Metadata: "true" },
        })
      ).status,
    ).toBe(400);
    expect((await call(`${twin.armUrl}${twin.storageAccountId}/listKeys?api-version=2024-01-01`, { ca, method: "POST" })).status).toBe(401);
    expect(
      (await call(`${twin.armUrl}${twin.storageAccountId}/listKeys?api-version=2024-01-01`, { ca, method: "POST", headers: auth(kvToken) }))
        .status,
    ).toBe(401);

    const seen = new Set<string>();
    for (const r of twin.requests) {
      const s = schemaFor(r);
      if (!s) continue;
      seen.add(`${s[0]} ${r.status}`);
      expect([r.method, r.path, r.status, s[1](JSON.parse(r.body)) || errors(s[1])]).toEqual([r.method, r.path, r.status, true]);
    }
    expect([...seen].sort()).toEqual(
      [
        "ARM error 401",
        "IdentityErrorResponse 400",
        "IdentityTokenResponse 200",
        "KeyVaultError 400",
        "KeyVaultError 401",
        "KeyVaultError 403",
        "KeyVaultError 404",
        "SecretListResult 200",
      ].sort(),
    );
  });

  it("for the control-plane secret PUT: Secrets_CreateOrUpdate's shape, never the value, ARM's authorization, outside the firewall", async () => {
    twin.reset();
    twin.setPolicy(operator.principalId, []);
    const ca = twin.certs.ca;
    const armToken = await token(operator, "https://management.azure.com/");
    const url = (vault: string, name: string) =>
      `${twin.armUrl}/subscriptions/${twin.subscriptionId}/resourceGroups/${twin.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${name}?api-version=2023-07-01`;
    const put = (vault: string, name: string, body: unknown) =>
      call(url(vault, name), {
        ca,
        method: "PUT",
        headers: { Authorization: `Bearer ${armToken}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const value = "arm-put-value-do-not-echo";

    // ARM authorizes before it looks anything up: no secrets/write, 403 AuthorizationFailed naming the action.
    const denied = await put(twin.vaultName, "SQLPasswd", { properties: { value } });
    expect([denied.status, denied.json().error.code]).toEqual([403, "AuthorizationFailed"]);
    expect(denied.json().error.message).toContain("'Microsoft.KeyVault/vaults/secrets/write'");
    expect(v.armError(denied.json())).toBe(true);

    twin.grantSecretsWrite(operator.principalId);
    // The firewall refuses the operator on the data plane, and neither it nor the empty policy stops the ARM write.
    const created = await put(twin.vaultName, "SQLPasswd", {
      properties: { value, contentType: "text/plain" },
      tags: { seededBy: "test" },
    });
    expect(created.status).toBe(201);
    const again = await put(twin.vaultName, "SQLPasswd", { properties: { value: `${value}-2` } });
    expect(again.status).toBe(200);
    expect(twin.secretVersions("SQLPasswd").map((x) => x.value)).toEqual([value, `${value}-2`]);
    for (const r of [created, again]) {
      expect(r.text).not.toContain(value);
      const body = r.json();
      // secrets.json Secret: the Resource fields and properties; examples/createSecret.json answers exactly these.
      expect(
        Object.keys(body)
          .filter((k) => k !== "tags")
          .sort(),
      ).toEqual(["id", "location", "name", "properties", "type"]);
      expect(body).toMatchObject({ id: `${twin.vaultId}/secrets/SQLPasswd`, name: "SQLPasswd", type: "Microsoft.KeyVault/vaults/secrets" });
      expect(
        Object.keys(body.properties).every((k) => ["contentType", "attributes", "secretUri", "secretUriWithVersion"].includes(k)),
      ).toBe(true);
      expect(body.properties.secretUriWithVersion).toMatch(new RegExp(`^${twin.vaultUrl}secrets/SQLPasswd/[0-9a-f]{32}$`));
    }
    expect(created.json().tags).toEqual({ seededBy: "test" });
    const dataPlane = await call(`${twin.vaultUrl}secrets/SQLPasswd?api-version=7.4`, {
      ca,
      headers: { Authorization: `Bearer ${await token(operator, "https://vault.azure.net")}` },
    });
    expect(dataPlane.status).toBe(403);

    // Unknown vault: 404; bad name or body: 400; all in ARM's error shape.
    const missing = await put("no-such-vault", "SQLPasswd", { properties: { value } });
    expect([missing.status, missing.json().error.code]).toEqual([404, "ResourceNotFound"]);
    const badName = await put(twin.vaultName, "bad_name", { properties: { value } });
    const noValue = await put(twin.vaultName, "SQLPasswd", { properties: {} });
    for (const r of [missing, badName, noValue]) expect(v.armError(r.json()) || errors(v.armError)).toBe(true);
    expect([badName.status, noValue.status]).toEqual([400, 400]);
  });

  // run-command-action-async-poll: the 202's Location names the operation to poll (monitor=true).
  it("for run command: 202 with Location and Azure-AsyncOperation, then the RunCommandResult, state 'succeeded' even when the script fails", async () => {
    twin.reset();
    twin.grantRunCommand(operator.principalId);
    const ca = twin.certs.ca;
    const armToken = await token(operator, "https://management.azure.com/");
    const url = `${twin.armUrl}${twin.vmId("dsvmlab-vm1")}/runCommand?api-version=2024-11-01`;
    const body = JSON.stringify({ commandId: "RunShellScript", script: ["echo out-line", "echo err-line >&2", "exit 3"] });
    const started = await call(url, {
      ca,
      method: "POST",
      headers: { Authorization: `Bearer ${armToken}`, "Content-Type": "application/json" },
      body,
    });
    expect(started.status).toBe(202);
    for (const h of Object.keys(EXAMPLES.runCommand().responses["202"].headers)) expect(started.headers[h.toLowerCase()]).toBeDefined();
    expect(started.headers["azure-asyncoperation"]).toBeDefined();
    expect(started.headers.location).toMatch(
      /\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/[0-9a-f-]{36}\?.*monitor=true/,
    );
    let done;
    for (;;) {
      done = await call(started.headers.location!, { ca, headers: { Authorization: `Bearer ${armToken}` } });
      if (done.status === 200) break;
      expect(done.status).toBe(202);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(v.runCommandResult(done.json()) || errors(v.runCommandResult)).toBe(true);
    expect(done.json().value[0]).toMatchObject({
      code: "ProvisioningState/succeeded",
      message: "Enable succeeded: \n[stdout]\nout-line\n\n[stderr]\nerr-line\n",
    });
    const status = await call(started.headers["azure-asyncoperation"] as string, { ca, headers: { Authorization: `Bearer ${armToken}` } });
    expect(status.json()).toMatchObject({ status: "Succeeded" });

    // run-command-output-last-4096-bytes: Azure keeps only the last 4096 bytes of stdout.
    const long = await call(url, {
      ca,
      method: "POST",
      headers: { Authorization: `Bearer ${armToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ commandId: "RunShellScript", script: ["head -c 5000 /dev/zero | tr '\\0' a", "printf END"] }),
    });
    let longDone;
    for (;;) {
      longDone = await call(long.headers.location!, { ca, headers: { Authorization: `Bearer ${armToken}` } });
      if (longDone.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stdout = /\[stdout\]\n([\s\S]*)\n\[stderr\]/.exec(longDone.json().value[0].message)![1];
    expect([stdout.length, stdout.endsWith("aaaEND")]).toEqual([4096, true]);

    // A seat's identity may not run commands: 403 AuthorizationFailed, in ARM's error shape.
    const seatToken = await token(seat, "https://management.azure.com/");
    const denied = await call(url, { ca, method: "POST", headers: { Authorization: `Bearer ${seatToken}` }, body });
    expect(denied.status).toBe(403);
    expect(v.armError(denied.json())).toBe(true);
    expect(denied.json().error.code).toBe("AuthorizationFailed");
  });
});
