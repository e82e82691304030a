// Config as hostile or careless input: every row is refused with a ConfigError that names the key, shows no stack
// frame and never echoes the secret-ish value; the program (index.ts) turns the same error into a RunError.
import { generateKeyPairSync } from "crypto";
import { ConfigError, CREATED_AT, validateConfig } from "../../lib/config";
import { devConfig, runLabFailure } from "../helpers/program";

const NOW = new Date("2026-11-23T12:00:00Z");
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const field = (b: Buffer) => Buffer.concat([u32(b.length), b]);

/** The wire blob of a fresh RSA public key (string type, mpint e, mpint n), made at test time. */
function rsaBlob(bits = 2048): Buffer {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const mpint = (b64url: string) => {
    const b = Buffer.from(b64url, "base64url");
    return field(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  return Buffer.concat([field(Buffer.from("ssh-rsa")), mpint(jwk.e), mpint(jwk.n)]);
}
const RSA = rsaBlob();
const line = (type: string, blob: Buffer) => `${type} ${blob.toString("base64")} test`;

const OPS = (n: number, f = (i: number) => `00000000-0000-0000-0000-${i.toString(16).padStart(12, "0")}`) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => f(i + 1)));
const A = "0a1b2c3d-0000-4000-8000-00000000abcd";

function refusal(raw: Record<string, string | undefined>): ConfigError {
  try {
    validateConfig(raw, { now: NOW });
  } catch (e) {
    // Only ConfigError may come out: a RangeError from a parser would print a stack trace and exit 1.
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config as the issue lists it: exit-2 errors that name the key, with no trace and no echo", () => {
  // name, overrides on the dev stack (or a whole raw config), key named, a fragment of what is expected, the value that must not show
  const rows: [string, Record<string, string>, string, string | RegExp, string | undefined][] = [
    [
      "truncated ssh-rsa: the modulus cut short",
      { sshPublicKey: line("ssh-rsa", RSA.subarray(0, RSA.length - 40)) },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    [
      "truncated ssh-rsa: cut inside e's length",
      { sshPublicKey: line("ssh-rsa", RSA.subarray(0, 13)) },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    [
      "truncated ssh-rsa: only the type",
      { sshPublicKey: line("ssh-rsa", field(Buffer.from("ssh-rsa"))) },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    [
      "ssh-rsa whose type length runs past the end",
      { sshPublicKey: line("ssh-rsa", Buffer.concat([u32(0xffffffff), Buffer.from("ssh-rsa")])) },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    [
      "ssh-rsa whose n length runs past the end",
      {
        sshPublicKey: line(
          "ssh-rsa",
          Buffer.concat([field(Buffer.from("ssh-rsa")), field(Buffer.from([1, 0, 1])), u32(0x7fffffff), Buffer.alloc(8)]),
        ),
      },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    [
      "ssh-rsa with bytes after the key",
      { sshPublicKey: line("ssh-rsa", Buffer.concat([RSA, Buffer.from([0, 0])])) },
      "sshPublicKey",
      "nothing after the key data",
      undefined,
    ],
    [
      "truncated ssh-ed25519",
      { sshPublicKey: line("ssh-ed25519", Buffer.concat([field(Buffer.from("ssh-ed25519")), u32(32), Buffer.alloc(10)])) },
      "sshPublicKey",
      "whose data is complete",
      undefined,
    ],
    ["unknown key holding a password", { adminPasword: "Tr0ub4dor&3-secret" }, "adminPasword", "no such key", "Tr0ub4dor"],
    [
      "unknown key near a real one",
      { sshPublicKy: "ssh-ed25519 AAAA-not-shown" },
      "sshPublicKy",
      "did you mean sshPublicKey?",
      "not-shown",
    ],
    ["secretName starting with '-'", { secretName: "-x" }, "secretName", "starting with a letter", undefined],
    ["secretName '--help'", { secretName: "--help" }, "secretName", "starting with a letter", undefined],
    ["secretName starting with a digit", { secretName: "1password" }, "secretName", "starting with a letter", undefined],
    ["secretName with an underscore", { secretName: "SQL_Passwd" }, "secretName", "letters, digits and hyphens", undefined],
    ["secretName with a space", { secretName: "SQL Passwd" }, "secretName", "letters, digits and hyphens", undefined],
    ["secretName too long for its -probe twin", { secretName: `a${"x".repeat(121)}` }, "secretName", "1-121", undefined],
    [
      "createdAt in year 9999",
      { createdAt: "9999-12-31T23:59:59Z" },
      "createdAt",
      "from 2020-01-01T00:00:00Z to 10 minutes after now (2026-11-23T12:00:00Z): a lab is created now",
      undefined,
    ],
    [
      "createdAt 11 minutes ahead",
      { createdAt: "2026-11-23T12:11:00Z" },
      "createdAt",
      "to 10 minutes after now (2026-11-23T12:00:00Z): a lab is created now",
      undefined,
    ],
    [
      "createdAt before 2020",
      { createdAt: "2019-12-31T23:59:59Z" },
      "createdAt",
      `from ${CREATED_AT.earliest} to 10 minutes after now`,
      undefined,
    ],
    ["createdAt in year 0001", { createdAt: "0001-01-01T00:00:00Z" }, "createdAt", `from ${CREATED_AT.earliest}`, undefined],
    [
      "operator ids that differ only in case",
      { operatorObjectIds: JSON.stringify([A, A.toUpperCase()]) },
      "operatorObjectIds",
      "distinct Entra object ids",
      undefined,
    ],
    ["the same operator id twice", { operatorObjectIds: JSON.stringify([A, A]) }, "operatorObjectIds", "repeats", undefined],
    [
      "1023 operators: no seat's policy fits",
      { operatorObjectIds: OPS(1023) },
      "operatorObjectIds",
      "at most 1022 ids: a vault holds 1024 access policies",
      undefined,
    ],
    ["5000 operators", { operatorObjectIds: OPS(5000) }, "operatorObjectIds", "at most 1022 ids", undefined],
  ];

  it.each(rows)("%s", (_name, overrides, key, expected, secret) => {
    const e = refusal({ ...devConfig(), ...overrides });
    const problem = e.problems.find((p) => p.key === key);
    expect(problem).toBeDefined();
    expect(problem!.expected).toEqual(typeof expected === "string" ? expect.stringContaining(expected) : expect.stringMatching(expected));
    expect(e.message).toContain(`dsvm-identity-lab:${key} = `);
    expect(e.message).not.toMatch(/\n\s+at /);
    expect(e.message).not.toMatch(/at most -|offset|RangeError/); // no negative bound, no crash text
    if (secret) expect(e.message).not.toContain(secret);
    // A key line is shown cut short (30 characters at most), never whole.
    if (key === "sshPublicKey" && overrides.sshPublicKey.length > 38) expect(e.message).not.toContain(overrides.sshPublicKey.slice(0, 31));
  });

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"])(
    "refuses a key named %s (no prototype lookup)",
    (key) => {
      // Object.fromEntries and JSON.parse both make own properties, the way index.ts and the YAML reader pass keys.
      for (const raw of [
        Object.fromEntries([...Object.entries(devConfig()), [key, "p4ssw0rd-typed"]]),
        JSON.parse(JSON.stringify(devConfig()).replace(/^\{/, `{${JSON.stringify(key)}:"p4ssw0rd-typed",`)),
      ]) {
        expect(Object.prototype.hasOwnProperty.call(raw, key)).toBe(true);
        const e = refusal(raw);
        expect(e.problems).toEqual([{ key, value: "(value not shown)", expected: expect.stringContaining("no such key") }]);
        expect(e.message).not.toContain("p4ssw0rd");
      }
    },
  );

  it("invisible and reordering characters in a value or an unknown key are shown escaped, never raw", () => {
    const e = refusal({ ...devConfig(), location: "west\u202eeurope\u0085x", ["own\u200ber"]: "x" });
    expect(e.message).toContain('"west\\u202eeurope\\u0085x"');
    expect(e.message).toContain("own\\u200ber");
    expect(e.message).not.toMatch(/[\u0085\u200b\u202e]/);
  });

  it("a missing key is not found through the prototype either", () => {
    const raw: Record<string, string> = { ...devConfig() };
    delete raw.namePrefix;
    const e = refusal(Object.setPrototypeOf(raw, { namePrefix: "fromproto" }));
    expect(e.problems).toEqual([expect.objectContaining({ key: "namePrefix", value: "(not set)" })]);
  });

  it("keyvault-object-name: accepts the shapes Key Vault allows: a trailing hyphen, inner hyphens, 121 characters", () => {
    for (const secretName of ["SQLPasswd", "a-", "a--b", `a${"x".repeat(120)}`])
      expect(validateConfig({ ...devConfig(), secretName }, { now: NOW }).secretName).toBe(secretName);
  });

  it("accepts createdAt within the bounds: the earliest, now, and 10 minutes ahead", () => {
    for (const createdAt of [CREATED_AT.earliest, "2026-11-23T12:00:00Z", "2026-11-23T12:10:00Z"])
      expect(validateConfig({ ...devConfig(), createdAt }, { now: NOW }).createdAt).toBe(createdAt);
  });

  it("accepts 1022 operators when one seat per vault is left, and many operators under RBAC within the assignment limit", () => {
    expect(
      validateConfig({ ...devConfig(), operatorObjectIds: OPS(1022), seatsPerVault: "1" }, { now: NOW }).operatorObjectIds,
    ).toHaveLength(1022);
    const e = refusal({ ...devConfig(), operatorObjectIds: OPS(1022) });
    expect(e.problems).toEqual([
      expect.objectContaining({
        key: "seatsPerVault",
        expected: expect.stringContaining("at most 1: a vault holds 1024 access policies and 1023 go to operators"),
      }),
    ]);
    expect(() => validateConfig({ ...devConfig(), operatorObjectIds: OPS(1500), vaultAccessModel: "rbac" }, { now: NOW })).not.toThrow();
  });

  it("under RBAC, operators that leave no room for one seat are blamed on operatorObjectIds, with no negative bound", () => {
    const e = refusal({ ...devConfig(), operatorObjectIds: OPS(3999), vaultAccessModel: "rbac" });
    expect(e.problems).toEqual([
      expect.objectContaining({ key: "operatorObjectIds", value: "(3999 ids)", expected: expect.stringContaining("not one seat fits") }),
    ]);
    expect(e.message).not.toMatch(/at most -/);
  });

  it("never throws anything but ConfigError for any cut of a valid key, at every length", () => {
    for (let n = 0; n <= RSA.length + 4; n++) {
      const blob = n <= RSA.length ? RSA.subarray(0, n) : Buffer.concat([RSA, Buffer.alloc(n - RSA.length)]);
      const raw = { ...devConfig(), sshPublicKey: line("ssh-rsa", blob) };
      if (n === RSA.length) expect(() => validateConfig(raw, { now: NOW })).not.toThrow();
      else if (blob.length > 0) expect(refusal(raw).problems.map((p) => p.key)).toEqual(["sshPublicKey"]);
    }
  });

  it("a good dev config still passes, with a real 2048-bit ssh-rsa key", () => {
    expect(validateConfig(devConfig(), { now: NOW })).toMatchObject({ seats: 2, secretName: "SQLPasswd" });
    expect(validateConfig({ ...devConfig(), sshPublicKey: line("ssh-rsa", RSA) }, { now: NOW }).sshPublicKey).toMatch(/^ssh-rsa /);
  });
});

describe("the program's readConfig: the same refusals as a RunError, before any resource", () => {
  it.each([
    ["unknown key holding a password", { adminPasword: "Tr0ub4dor&3-secret" }, "adminPasword", "Tr0ub4dor"],
    [
      "truncated ssh-rsa",
      { sshPublicKey: line("ssh-rsa", RSA.subarray(0, 60)) },
      "sshPublicKey",
      RSA.subarray(0, 60).toString("base64").slice(8, 40),
    ],
    ["secretName starting with '-'", { secretName: "-x" }, "secretName", undefined],
  ])("%s", async (_name, overrides, key, secret) => {
    const { error, registered } = await runLabFailure(overrides as Record<string, string>);
    expect((error as { __pulumiRunError?: boolean }).__pulumiRunError).toBe(true);
    expect(error.message).toContain(`dsvm-identity-lab:${key} = `);
    if (secret) expect(error.message).not.toContain(secret);
    expect(registered).toBe(0);
  });
});
