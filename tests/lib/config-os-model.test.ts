// Config for Windows seats and the RBAC model: the seats' OS (ubuntu | windows), the vault's access model (accessPolicy | rbac) and Bastion.
import { ConfigError, validateConfig } from "../../lib/config";
import { devConfig } from "../helpers/program";

const WINDOWS = { os: "windows", sshPublicKey: "" };

function problemsOf(overrides: Record<string, string>) {
  try {
    validateConfig({ ...devConfig(), ...overrides });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("os, vaultAccessModel and bastion", () => {
  it("default to ubuntu, accessPolicy and no Bastion, as in the seeds", () => {
    expect(validateConfig(devConfig())).toMatchObject({ os: "ubuntu", vaultAccessModel: "accessPolicy", bastion: false });
  });

  it("accept windows with no SSH key, rbac, and Bastion in its own /26", () => {
    const cfg = validateConfig(devConfig({ ...WINDOWS, vaultAccessModel: "rbac", bastion: "true", bastionSubnetPrefix: "10.42.0.0/26" }));
    expect(cfg).toMatchObject({ os: "windows", vaultAccessModel: "rbac", bastion: true, sshPublicKey: "" });
  });

  it.each([
    ["os", "win", "ubuntu or windows"],
    ["vaultAccessModel", "RBAC", "accessPolicy or rbac"],
    ["bastion", "yes", "true or false"],
    ["bastionSubnetPrefix", "10.42.0.0/27", "/26 or wider"],
    ["operatorPrincipalType", "user", "User, ServicePrincipal or Group"],
  ])("refuse %s = %j, naming the expected form", (key, value, expected) => {
    expect(problemsOf({ [key]: value })).toEqual([
      expect.objectContaining({ key, value: JSON.stringify(value), expected: expect.stringContaining(expected) }),
    ]);
  });

  it("refuse an SSH key on windows, and an empty one on ubuntu", () => {
    expect(problemsOf({ os: "windows" })).toEqual([
      expect.objectContaining({ key: "sshPublicKey", expected: expect.stringMatching(/^"" when os is windows/) }),
    ]);
    expect(problemsOf({ sshPublicKey: "" })).toEqual([
      expect.objectContaining({ key: "sshPublicKey", value: '""', expected: expect.stringContaining("Ubuntu seats sign in by SSH key") }),
    ]);
  });

  it("refuse a Windows computer name over 15 characters, saying how long the prefix may be", () => {
    // "abcdefghij-vm12" is 15: fine. "abcdefghij-vm100" is 16: refused.
    expect(() => validateConfig(devConfig({ ...WINDOWS, namePrefix: "abcdefghij", seats: "12" }))).not.toThrow();
    expect(problemsOf({ ...WINDOWS, namePrefix: "abcdefghij", seats: "100" })).toEqual([
      expect.objectContaining({
        key: "namePrefix",
        expected: expect.stringMatching(/^at most 9 characters when os is windows with 100 seat\(s\): the computer name abcdefghij-vm100/),
      }),
    ]);
    // The same prefix is fine on Ubuntu, whose host names may be longer.
    expect(() => validateConfig(devConfig({ namePrefix: "abcdefghij", seats: "100" }))).not.toThrow();
  });

  it("refuse a Windows admin name over 20 characters", () => {
    expect(problemsOf({ ...WINDOWS, adminUsername: "a".repeat(21) })).toEqual([
      expect.objectContaining({ key: "adminUsername", expected: "at most 20 characters when os is windows" }),
    ]);
  });

  it("refuse a Bastion subnet outside the address space or over the lab subnet, only when bastion is on", () => {
    expect(problemsOf({ bastion: "true", bastionSubnetPrefix: "10.99.0.0/26" })).toEqual([
      expect.objectContaining({ key: "bastionSubnetPrefix", expected: expect.stringContaining("inside addressSpace") }),
    ]);
    expect(problemsOf({ bastion: "true", bastionSubnetPrefix: "10.42.1.0/26" })).toEqual([
      expect.objectContaining({ key: "bastionSubnetPrefix", expected: expect.stringContaining("apart from subnetPrefix") }),
    ]);
    expect(() => validateConfig(devConfig({ bastionSubnetPrefix: "10.99.0.0/26" }))).not.toThrow();
  });

  it("bound seats per vault by the vault's access policies only in the accessPolicy model", () => {
    // Past seatsPerVault, seats are sharded over vaults (lib/shards.ts), so the bound is on seatsPerVault.
    const big = {
      subnetPrefix: "10.42.0.0/20",
      seats: "1023",
      seatsPerVault: "1023",
      operatorObjectIds: '["11111111-2222-3333-4444-555555555555"]',
    };
    expect(problemsOf(big).map((p) => p.key)).toEqual(["seatsPerVault"]);
    expect(() => validateConfig(devConfig({ ...big, vaultAccessModel: "rbac" }))).not.toThrow();
  });
});
