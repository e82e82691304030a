import { generateKeyPairSync } from "crypto";
import { CONFIG_KEYS, ConfigError, validateConfig } from "../../lib/config";
import { projectConfigDeclarations } from "../../offline/stack-config";
import { devConfig, ROOT } from "../helpers/program";

/** An OpenSSH "ssh-rsa" public key line for a fresh RSA key of `bits` bits, made at test time. */
function sshRsa(bits: number): string {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const mpint = (b64url: string) => {
    let b = Buffer.from(b64url, "base64url");
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([u32(b.length), b]);
  };
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const type = Buffer.from("ssh-rsa");
  return `ssh-rsa ${Buffer.concat([u32(type.length), type, mpint(jwk.e), mpint(jwk.n)]).toString("base64")} test`;
}

function problemsOf(overrides: Record<string, string | undefined>) {
  const raw: Record<string, string | undefined> = { ...devConfig(), ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete raw[k];
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { problems: (e as ConfigError).problems, message: (e as Error).message };
  }
  throw new Error("expected a ConfigError");
}

describe("validateConfig", () => {
  it("has a rule for exactly the keys Pulumi.yaml declares, each with a type and a description", () => {
    const declared = projectConfigDeclarations(ROOT);
    expect(Object.keys(declared).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const key of CONFIG_KEYS)
      expect({ key, type: typeof declared[key].type, description: typeof declared[key].description }).toEqual({
        key,
        type: "string",
        description: "string",
      });
  });

  it("accepts the shipped dev stack", () => {
    const cfg = validateConfig(devConfig());
    expect(cfg).toMatchObject({ seats: 2, namePrefix: "dsvmlab", listKeysRole: "custom", allowedSshCidrs: [], secretName: "SQLPasswd" });
  });

  it("accepts a 2048-bit ssh-rsa key and public SSH/operator ranges", () => {
    const cfg = validateConfig(
      devConfig({
        sshPublicKey: sshRsa(2048),
        allowedSshCidrs: '["203.0.113.0/24"]',
        operatorIpRanges: '["198.51.100.7","198.51.100.0/30"]',
      }),
    );
    expect(cfg.allowedSshCidrs).toEqual(["203.0.113.0/24"]);
  });

  // key, bad value, a fragment of the expected form that the message must carry
  const bad: [string, string, string][] = [
    ["namePrefix", "Lab", "3-10 lowercase letters and digits"],
    ["namePrefix", "1lab", "starting with a letter"],
    ["namePrefix", "averyverylongprefix", "3-10 lowercase"],
    ["namePrefix", "lab-x", "3-10 lowercase letters and digits"],
    ["location", "West Europe", "lowercase"],
    ["seats", "0", "an integer from 1 to"],
    ["seats", "-3", "an integer from 1 to"],
    ["seats", "two", "an integer from 1 to"],
    ["seats", "1.5", "an integer from 1 to"],
    ["seats", "4001", "an integer from 1 to 4000 (each seat holds a role assignment; Azure allows 4000 per subscription)"],
    ["seatsPerVault", "1024", "an integer from 1 to 1023"],
    ["roleAssignmentsInUse", "-1", "an integer from 0 to 4000"],
    ["vmSize", "D4s_v5", "Standard_D4s_v5"],
    ["vmSize", "Standard_D4s v5", "an Azure VM size"],
    ["osDiskSizeGb", "30", "the DSVM image needs 150"],
    ["osDiskSizeGb", "5000", "from 150 to 4095"],
    ["adminUsername", "root", "'root' is reserved"],
    ["adminUsername", "admin", "'admin' is reserved"],
    ["adminUsername", "Lab User", "a Linux user name"],
    ["adminUsername", "1user", "a Linux user name"],
    ["sshPublicKey", "not-a-key", "an OpenSSH public key line"],
    ["sshPublicKey", "ssh-dss AAAAB3NzaC1kc3MAAACBAP", "an OpenSSH public key line"],
    ["sshPublicKey", "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x", "whose data matches its type"],
    ["allowedSshCidrs", '["0.0.0.0/0"]', "would open SSH to the whole internet"],
    ["allowedSshCidrs", '["*"]', "would open SSH to the whole internet"],
    ["allowedSshCidrs", '["10.0.0.0/8"]', "is not a public range"],
    ["allowedSshCidrs", '["203.0.113.5/24"]', "has host bits set"],
    ["allowedSshCidrs", '["300.1.1.1/32"]', "is not an IPv4 address or CIDR"],
    ["allowedSshCidrs", '"203.0.113.0/24"', "a YAML list of public IPv4 CIDRs"],
    ["allowedSshCidrs", "not json", "a YAML list of"],
    ["operatorObjectIds", '["not-a-guid"]', "is not a GUID"],
    ["operatorIpRanges", '["192.168.1.10"]', "is not public"],
    ["operatorIpRanges", '["203.0.113.0/31"]', "is a /31"],
    ["operatorIpRanges", "[42]", "a YAML list of public IPv4"],
    ["addressSpace", "8.8.0.0/16", "a private (RFC 1918) CIDR"],
    ["addressSpace", "10.0.0.0/28", "of /24 or wider"],
    ["subnetPrefix", "10.42.1.0/30", "/29 or wider"],
    ["subnetPrefix", "10.42.1.7/24", "without host bits"],
    ["subnetPrefix", "10.99.0.0/24", "inside addressSpace 10.42.0.0/16"],
    ["autoShutdownTime", "7pm", "HHmm"],
    ["autoShutdownTime", "2460", "HHmm"],
    ["autoShutdownTime", "19:00", "HHmm"],
    ["autoShutdownTimeZone", "Europe/Berlin", "does not take IANA names"],
    ["autoShutdownTimeZone", "", "a Windows time zone id"],
    ["listKeysRole", "owner", "custom or builtin"],
    ["secretName", "SQL_Passwd", "a Key Vault secret name"],
    ["secretName", "x".repeat(122), "1-121 letters"],
  ];

  it.each(bad)("refuses %s = %j and names the key, the value and the expected form", (key, value, expected) => {
    const { problems, message } = problemsOf({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe(key);
    expect(problems[0].expected).toContain(expected);
    expect(message).toContain(`dsvm-identity-lab:${key} = `);
    expect(message).toContain(expected);
    if (key !== "sshPublicKey" && value.length < 60) expect(message).toContain(JSON.stringify(value).slice(0, 20));
  });

  it("refuses an ssh-rsa key under 2048 bits, saying how many it has", () => {
    const { problems } = problemsOf({ sshPublicKey: sshRsa(1024) });
    expect(problems[0].expected).toMatch(/at least 2048 bits \(this one has 10\d\d\)/);
  });

  it("never echoes a private key pasted by mistake", () => {
    const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const { message } = problemsOf({ sshPublicKey: pem });
    expect(message).toContain("looks like a private key");
    expect(message).toContain("<a private key, not shown>");
    expect(message).not.toContain(pem.split("\n")[1]);
  });

  it("lists every problem at once, not just the first", () => {
    const { problems } = problemsOf({ seats: "0", vmSize: "big", autoShutdownTime: "7pm" });
    expect(problems.map((p) => p.key).sort()).toEqual(["autoShutdownTime", "seats", "vmSize"]);
  });

  it("refuses an unknown key (a typo), suggests the nearest one, lists the real ones, and never shows its value", () => {
    const { problems, message } = problemsOf({ seat: "hunter2-typed-here" });
    expect(problems[0]).toMatchObject({
      key: "seat",
      value: "(value not shown)",
      expected: expect.stringContaining("no such key (did you mean seats?); the keys are: namePrefix"),
    });
    expect(message).not.toContain("hunter2");
  });

  it("refuses a missing required key with the command that sets it", () => {
    const { problems } = problemsOf({ sshPublicKey: undefined });
    expect(problems[0]).toMatchObject({
      key: "sshPublicKey",
      value: "(not set)",
      expected: expect.stringContaining("pulumi config set sshPublicKey"),
    });
  });

  it("refuses more seats than the subnet has addresses", () => {
    const { problems } = problemsOf({ subnetPrefix: "10.42.1.0/29", seats: "4" });
    expect(problems[0]).toMatchObject({ key: "seats", expected: expect.stringContaining("subnet 10.42.1.0/29 has 3 usable addresses") });
    // The message says how wide the subnet must be: 252 seats need a /23 (507 addresses).
    expect(problemsOf({ seats: "252" }).problems[0].expected).toContain("widen subnetPrefix to /23 or wider (507 addresses)");
  });

  it("refuses more seats per vault than a vault has access policies once operators hold theirs", () => {
    const ops = JSON.stringify(["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]);
    const { problems } = problemsOf({ operatorObjectIds: ops, seatsPerVault: "1022" });
    expect(problems[0]).toMatchObject({
      key: "seatsPerVault",
      expected: expect.stringContaining("at most 1021: a vault holds 1024 access policies and 3 go to operators"),
    });
    expect(() => validateConfig({ ...devConfig(), operatorObjectIds: ops, seatsPerVault: "1021" })).not.toThrow();
  });
});
