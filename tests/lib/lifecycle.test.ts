// Ephemeral and lasting labs under mocks: tags on every taggable resource (one stack transformation), vault purge
// protection and soft delete, `protect`, and the lab-users sign-in. Plus the pure lifecycle rules.
import * as fs from "fs";
import * as path from "path";
import { BUILTIN_ROLES } from "../../lib/azure";
import { ConfigError, validateConfig } from "../../lib/config";
import { expiresAt, expiryProblem, implausibleExpiry, isEphemeralByTags, lifecycleOf, parseIsoSeconds } from "../../lib/lifecycle";
import { deterministicGuid } from "../../lib/naming";
import { TAGGABLE_TYPES, withTags } from "../../lib/tags";
import { MOCK_CLIENT } from "../../offline/mocks";
import type { ProgramRun } from "../../offline/harness";
import { devConfig, ofType, ROOT, runLab } from "../helpers/program";

const EPHEMERAL = { ephemeral: "true", ttlHours: "8", createdAt: "2025-03-01T09:30:00Z", owner: "ada" };
const GROUP = "5b0c3c2e-8f8e-4f39-9d3a-0d8e1c0a7f11";

/** Whether the SDK's own Args type of an azure-native resource type has a `tags` property. */
function sdkAcceptsTags(type: string): boolean {
  const [, mod, name] = type.split(":");
  const dts = path.join(ROOT, "node_modules/@pulumi/azure-native", mod, `${name[0].toLowerCase()}${name.slice(1)}.d.ts`);
  const text = fs.readFileSync(dts, "utf8");
  const args = text.slice(text.indexOf(`export interface ${name}Args {`));
  return /^\s*tags\?:/m.test(args.slice(0, args.indexOf("\n}")));
}

describe("lifecycle rules (pure)", () => {
  it.each([
    ["2025-03-01T09:30:00Z", 8, "2025-03-01T17:30:00Z"],
    ["2025-03-01T20:00:00Z", 8, "2025-03-02T04:00:00Z"],
    ["2024-02-28T12:00:00Z", 48, "2024-03-01T12:00:00Z"],
    ["2025-12-31T23:00:00Z", 1, "2026-01-01T00:00:00Z"],
  ])("a lab created at %s with ttl %ih expires at %s", (created, ttl, expected) => {
    expect(expiresAt(created, ttl)).toBe(expected);
  });

  it.each(["2025-02-30T09:00:00Z", "2025-03-01 09:00:00Z", "2025-03-01T09:00:00+01:00", "2025-03-01T09:00:00.000Z", "", "now"])(
    "refuses createdAt %j",
    (bad) => {
      expect(parseIsoSeconds(bad)).toBeUndefined();
      expect(() => expiresAt(bad, 8)).toThrow(/ISO 8601/);
    },
  );

  const NOW = new Date("2025-03-01T12:00:00Z");
  it.each([
    ["2025-03-01T12:00:01Z", undefined],
    ["2025-03-08T12:00:00Z", undefined],
    ["2025-03-01T12:00:00Z", /is not after now \(2025-03-01T12:00:00Z\)/],
    ["2020-01-01T00:00:00Z", /is not after now/],
    ["2025-03-08T12:00:01Z", /is more than 168h after now/],
    ["9999-12-31T23:59:59Z", /is more than 168h after now/],
  ])("an expiry of %s, seen from a trusted now", (expiry, problem) => {
    const why = expiryProblem(parseIsoSeconds(expiry)!, NOW);
    if (problem) expect(why).toMatch(problem);
    else expect(why).toBeUndefined();
  });

  it("ephemeral: no protection, no purge protection, 7 days soft delete, expiry tags", () => {
    expect(lifecycleOf({ ephemeral: true, ttlHours: 8, createdAt: "2025-03-01T09:30:00Z", owner: "ada" }, "lab-x")).toEqual({
      ephemeral: true,
      expiresAt: "2025-03-01T17:30:00Z",
      tags: { lab: "lab-x", ephemeral: "true", owner: "ada", expiresAt: "2025-03-01T17:30:00Z" },
      protect: false,
      purgeProtection: false,
      softDeleteRetentionInDays: 7,
    });
  });

  it("lasting: protected, purge protection, 90 days, and no expiry tag even with a createdAt", () => {
    const l = lifecycleOf({ ephemeral: false, ttlHours: 8, createdAt: "2025-03-01T09:30:00Z", owner: "" }, "dev");
    expect(l).toEqual({
      ephemeral: false,
      expiresAt: undefined,
      tags: { lab: "dev", ephemeral: "false" },
      protect: true,
      purgeProtection: true,
      softDeleteRetentionInDays: 90,
    });
    expect(isEphemeralByTags(l.tags)).toBe(false);
  });

  it.each([
    [{ ephemeral: "true", expiresAt: "2025-03-01T17:30:00Z" }, true],
    [{ ephemeral: "true" }, false],
    [{ ephemeral: "false", expiresAt: "2025-03-01T17:30:00Z" }, false],
    [{ expiresAt: "2025-03-01T17:30:00Z" }, false],
    [undefined, false],
  ])("tags %j mark an ephemeral lab: %s", (tags, expected) => {
    expect(isEphemeralByTags(tags as Record<string, string> | undefined)).toBe(expected);
  });

  it("merges tags into a taggable resource's own (lab tags win) and leaves untaggable types alone", () => {
    const tags = { lab: "lab-x", ephemeral: "true" };
    expect(withTags("azure-native:keyvault:Vault", { vaultName: "v", tags: { team: "a", lab: "spoofed" } }, tags)).toEqual({
      vaultName: "v",
      tags: { team: "a", lab: "lab-x", ephemeral: "true" },
    });
    expect(withTags("azure-native:keyvault:AccessPolicy", { vaultName: "v" }, tags)).toBeUndefined();
    expect(withTags("random:index/randomString:RandomString", { length: 6 }, tags)).toBeUndefined();
  });
});

describe("lifecycle config rules", () => {
  const base = () => devConfig();

  it("ships lasting: the dev stack is not ephemeral and still validates", () => {
    const cfg = validateConfig(base());
    expect(cfg.ephemeral).toBe(false);
    expect(cfg.labUsersGroupObjectId).toBe("");
  });

  it.each([
    [{ ephemeral: "yes" }, "ephemeral", "true or false"],
    [{ ttlHours: "0" }, "ttlHours", "an integer from 1 to 168 hours"],
    [{ ttlHours: "169" }, "ttlHours", "an integer from 1 to 168 hours"],
    [{ createdAt: "yesterday" }, "createdAt", "ISO 8601 UTC"],
    [{ owner: "ada lovelace" }, "owner", "letters, digits"],
    [{ labUsersGroupObjectId: "lab-users" }, "labUsersGroupObjectId", "a GUID"],
    [{ ephemeral: "true", owner: "ada" }, "createdAt", "when ephemeral is true"],
    [{ ephemeral: "true", createdAt: "2025-03-01T09:30:00Z" }, "owner", "when ephemeral is true"],
  ])("refuses %j naming %s", (overrides, key, expected) => {
    let error: unknown;
    try {
      validateConfig({ ...base(), ...overrides });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problem = (error as ConfigError).problems.find((p) => p.key === key);
    expect(problem?.expected).toContain(expected);
  });
});

describe("the program, ephemeral vs lasting (under mocks)", () => {
  let ephemeral: ProgramRun;
  let lasting: ProgramRun;
  beforeAll(async () => {
    ephemeral = await runLab(EPHEMERAL, "dev");
    lasting = await runLab({}, "dev");
  });

  it("the taggable list agrees with the SDK's types for every azure-native type the program registers", async () => {
    const withUsers = await runLab({ labUsersGroupObjectId: GROUP, allowedSshCidrs: '["203.0.113.0/24"]' });
    const types = new Set([...ephemeral.resources, ...withUsers.resources].map((r) => r.type).filter((t) => t.startsWith("azure-native:")));
    expect(types.size).toBeGreaterThan(8);
    for (const type of types) expect([type, TAGGABLE_TYPES.has(type)]).toEqual([type, sdkAcceptsTags(type)]);
  });

  it("ephemeral: every taggable resource carries lab, owner and expiresAt; nothing else gets tags", () => {
    const expected = { lab: "dev", ephemeral: "true", owner: "ada", expiresAt: "2025-03-01T17:30:00Z" };
    const custom = ephemeral.resources.filter((r) => r.custom);
    const tagged = custom.filter((r) => TAGGABLE_TYPES.has(r.type));
    expect(tagged.length).toBeGreaterThanOrEqual(8);
    for (const r of tagged) expect([r.name, r.inputs.tags]).toEqual([r.name, expected]);
    for (const r of custom.filter((x) => !TAGGABLE_TYPES.has(x.type))) expect([r.name, r.inputs.tags]).toEqual([r.name, undefined]);
  });

  it("ephemeral: nothing is protected; the vault has no purge protection and 7 days of soft delete", () => {
    expect(ephemeral.resources.filter((r) => r.protect).map((r) => r.name)).toEqual([]);
    const [vault] = ofType(ephemeral, "azure-native:keyvault:Vault");
    expect(vault.inputs.properties.softDeleteRetentionInDays).toBe(7);
    expect(vault.inputs.properties).not.toHaveProperty("enablePurgeProtection");
    expect(vault.inputs.properties.enableSoftDelete).toBe(true);
  });

  it("lasting: vault and storage account are protected, nothing else; purge protection on; 90 days", () => {
    expect(
      lasting.resources
        .filter((r) => r.protect)
        .map((r) => r.type)
        .sort(),
    ).toEqual(["azure-native:keyvault:Vault", "azure-native:storage:StorageAccount"]);
    const [vault] = ofType(lasting, "azure-native:keyvault:Vault");
    expect(vault.inputs.properties.enablePurgeProtection).toBe(true);
    expect(vault.inputs.properties.softDeleteRetentionInDays).toBe(90);
  });

  it("lasting: tagged with the lab and ephemeral=false, never with an expiry", () => {
    for (const r of lasting.resources.filter((x) => TAGGABLE_TYPES.has(x.type)))
      expect([r.name, r.inputs.tags]).toEqual([r.name, { lab: "dev", ephemeral: "false" }]);
  });

  it("exports ephemeral, expiresAt and owner for the lab CLI and policies", () => {
    expect(ephemeral.outputs).toMatchObject({ ephemeral: true, expiresAt: "2025-03-01T17:30:00Z", owner: "ada" });
    expect(lasting.outputs.ephemeral).toBe(false);
    expect(lasting.outputs.expiresAt).toBeUndefined();
  });

  it("the expiry is computed from createdAt, so two runs of the same stack tag the same instant", async () => {
    const again = await runLab(EPHEMERAL, "dev");
    expect(again.outputs.expiresAt).toBe(ephemeral.outputs.expiresAt);
  });
});

describe("lab users sign in with Entra ID", () => {
  it("without labUsersGroupObjectId: no AADSSHLoginForLinux extension and no group role assignment", async () => {
    const run = await runLab({});
    expect(ofType(run, "azure-native:compute:VirtualMachineExtension")).toEqual([]);
    expect(ofType(run, "azure-native:authorization:RoleAssignment").filter((r) => r.inputs.principalType === "Group")).toEqual([]);
  });

  it("with it: each seat gets the extension and the group gets Virtual Machine User Login at that VM only", async () => {
    const run = await runLab({ labUsersGroupObjectId: GROUP.toUpperCase() });
    const vms = ofType(run, "azure-native:compute:VirtualMachine");
    const extensions = ofType(run, "azure-native:compute:VirtualMachineExtension");
    const logins = ofType(run, "azure-native:authorization:RoleAssignment").filter((r) => r.inputs.principalType === "Group");
    expect(vms).toHaveLength(2);
    expect(extensions.map((e) => e.inputs.vmName).sort()).toEqual(vms.map((v) => v.inputs.vmName).sort());
    for (const e of extensions) {
      expect(e.inputs).toMatchObject({
        publisher: "Microsoft.Azure.ActiveDirectory",
        type: "AADSSHLoginForLinux",
        typeHandlerVersion: "1.0",
        autoUpgradeMinorVersion: true,
      });
      expect(e.parent).toContain("DataScienceVm");
    }
    expect(logins.map((l) => l.inputs.scope).sort()).toEqual(vms.map((v) => v.id).sort());
    const roleId = `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.virtualMachineUserLogin}`;
    for (const l of logins) {
      expect(l.inputs).toMatchObject({ principalId: GROUP, principalType: "Group", roleDefinitionId: roleId });
      expect(l.inputs.roleAssignmentName).toBe(deterministicGuid(l.inputs.scope.toLowerCase(), GROUP, roleId.toLowerCase()));
    }
    expect(new Set(logins.map((l) => l.inputs.roleAssignmentName)).size).toBe(2);
    expect(BUILTIN_ROLES.virtualMachineUserLogin).toBe("fb879df8-f326-4884-b1cf-06f3ad86be52");
  });
});

describe("implausibleExpiry: an expiry read back from a lab must be after 2020 and not before its createdAt", () => {
  const at = (iso: string) => parseIsoSeconds(iso)!;
  it.each([
    ["0000-01-01T00:00:00Z", undefined, /is before 2020-01-01T00:00:00Z/],
    ["1970-01-01T00:00:00Z", undefined, /is before 2020-01-01T00:00:00Z/],
    ["2019-12-31T23:59:59Z", undefined, /is before 2020-01-01T00:00:00Z/],
    ["2020-01-01T00:00:00Z", undefined, undefined],
    ["2025-03-01T09:00:00Z", "2025-03-01T10:00:00Z", /is before createdAt 2025-03-01T10:00:00Z/],
    ["2025-03-01T10:00:00Z", "2025-03-01T10:00:00Z", undefined],
    ["2025-03-01T18:00:00Z", "2025-03-01T10:00:00Z", undefined],
  ])("%s (createdAt %s)", (expiry, created, problem) => {
    const got = implausibleExpiry(at(expiry), created ? at(created) : undefined);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
});
