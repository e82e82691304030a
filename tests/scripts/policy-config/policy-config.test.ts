// npm run policy-config: the file it writes is what Pulumi reads with --policy-pack-config (one entry per policy), and
// under it the pack reports nothing on the shipped stacks; a wrong deployer or no config is still denied. Bad flags
// exit 2 naming the flag, the value and the expected form, and write nothing.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../../lib/config";
import { packContext, PackConfig } from "../../../policy/pack";
import { secretLiteralsIn } from "../../../policy/rules";
import { MOCK_CLIENT } from "../../../offline/mocks";
import { StackConfigError } from "../../../offline/stack-config";
import { policyPackConfig } from "../../../scripts/policy-config/index";
import { ROOT, runLab } from "../../helpers/program";
import { loadPack, runPack } from "../../policy/pack-harness";
import { runInProcess, runProcess } from "../shared/command";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the command as npm does, from the project's root: its main in this process, or as a child process when `child`. */
function cli(args: string[], child = false) {
  const script = "scripts/policy-config/index.ts";
  return child ? runProcess(script, args) : runInProcess(script, args);
}

/** The file for a stack, written by the command itself. */
async function written(stack: string, deployer: string = MOCK_CLIENT.objectId): Promise<Record<string, PackConfig>> {
  const out = path.join(tmp, deployer === MOCK_CLIENT.objectId ? `${stack}.json` : `${stack}-${deployer}.json`);
  const r = await cli(["--stack", stack, "--deployer", deployer, "--out", out]);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  return JSON.parse(fs.readFileSync(out, "utf8"));
}

/** What Pulumi hands a policy from the file: its own entry's properties ("all" gives an enforcement level only). */
function configOf(file: Record<string, PackConfig>, policy: string): PackConfig & Record<string, unknown> {
  const { enforcementLevel: _ignored, ...props } = (file[policy] ?? {}) as PackConfig & { enforcementLevel?: string };
  return props;
}

describe("npm run policy-config: the pack's config for a stack", () => {
  it.each(["dev", "win-rbac", "lab-users"])(
    "%s: one entry per policy of the pack, and the pack reports nothing on the stack under it",
    async (stack) => {
      const file = await written(stack);
      const { args } = loadPack();
      const names = args.policies.map((p) => p.name);
      // Keyed by policy name: "all" would carry no properties, "environments" is read as ESC environments.
      expect(Object.keys(file).sort()).toEqual([...names].sort());
      expect(Object.keys(file)).not.toContain("all");
      for (const p of args.policies) {
        const c = configOf(file, p.name);
        // Only properties the policy's schema declares, of the declared types (Pulumi validates each policy's config).
        for (const key of Object.keys(c))
          expect({ policy: p.name, key, declared: key in (p.configSchema?.properties ?? {}) }).toEqual({
            policy: p.name,
            key,
            declared: true,
          });
        expect(typeof c.deployerObjectId).toBe("string");
        expect(c.labConfig && typeof c.labConfig === "object" && !Array.isArray(c.labConfig)).toBe(true);
      }
      const config = configOf(file, names[0]);
      for (const name of names) expect(configOf(file, name)).toEqual(config);

      // The pack's own context function: the allow-lists come from the stack's file and the deployer.
      const ctx = packContext(config, []);
      expect(ctx.deployerObjectId).toBe(MOCK_CLIENT.objectId);
      expect(ctx.os).toBe(stack === "win-rbac" ? "windows" : "ubuntu");
      expect(ctx.labUsersGroupObjectId).toBe(stack === "dev" ? undefined : "00000000-0000-0000-0000-00000000a5e5");
      expect(ctx.seats).toBe(2);

      expect(await runPack(await runLab({}, stack), config)).toEqual([]);
    },
  );

  it("with another deployer's id the pack still denies the real deployer's grants", async () => {
    const config = configOf(await written("dev", "11111111-1111-1111-1111-111111111111"), "grant-access-policies");
    const reports = await runPack(await runLab({}, "dev"), config);
    expect(reports.find((r) => r.policy === "grant-access-policies")?.message).toMatch(
      new RegExp(`principal ${MOCK_CLIENT.objectId} holds`),
    );
  });

  it("win-rbac's file on the dev stack is not dev's: the operator's access policy is beyond an RBAC lab's allow-list", async () => {
    const config = configOf(await written("win-rbac"), "grant-access-policies");
    expect((await runPack(await runLab({}, "dev"), config)).length).toBeGreaterThan(0);
  });

  it("an upper-case deployer id is written in lower case (object ids are GUIDs: case does not matter)", () => {
    const file = policyPackConfig(ROOT, "dev", MOCK_CLIENT.objectId.toUpperCase());
    expect(Object.values(file).every((c) => c.deployerObjectId === MOCK_CLIENT.objectId)).toBe(true);
  });

  it("writes no secret: labConfig is the stack's plain values, nothing else", () => {
    const text = fs.readFileSync(path.join(tmp, "dev.json"), "utf8");
    expect(secretLiteralsIn(text)).toEqual([]);
    expect(Object.keys(configOf(JSON.parse(text), "grant-access-policies")).sort()).toEqual(["deployerObjectId", "labConfig"]);
  });

  it("prints the JSON on standard output without --out (as a child process: the output reaches its pipe whole)", async () => {
    const r = await cli(["--stack", "dev", "--deployer", MOCK_CLIENT.objectId], true);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(tmp, "dev.json"), "utf8")));
  });
});

describe("npm run policy-config: bad input exits 2, names the flag, the value and the expected form, writes nothing", () => {
  const out = path.join(tmp, "never.json");

  it.each([
    ["no --deployer", ["--stack", "dev"], /^--deployer is required: expected the deploying principal's Entra object id \(a GUID\)/],
    [
      "an empty --deployer (the token had no oid)",
      ["--stack", "dev", "--deployer", ""],
      /^--deployer "": expected the deploying principal's Entra object id, a GUID/,
    ],
    [
      "a --deployer that is not a GUID",
      ["--stack", "dev", "--deployer", "labadmin@example.com"],
      /^--deployer "labadmin@example\.com": expected .*a GUID/,
    ],
    [
      "a GUID one digit short",
      ["--stack", "dev", "--deployer", "00000000-0000-0000-0000-0000000000e"],
      /^--deployer "00000000-0000-0000-0000-0000000000e": expected .*a GUID/,
    ],
    [
      "a GUID in braces",
      ["--stack", "dev", "--deployer", "{00000000-0000-0000-0000-0000000000e1}"],
      /^--deployer "\{00000000-0000-0000-0000-0000000000e1\}": expected .*a GUID/,
    ],
    ["--deployer without a value", ["--stack", "dev", "--deployer"], /--deployer/],
    ["no --stack", ["--deployer", MOCK_CLIENT.objectId], /^--stack is required: expected a stack name/],
    [
      "an unknown stack",
      ["--stack", "prod", "--deployer", MOCK_CLIENT.objectId],
      /^--stack prod: no file Pulumi\.prod\.yaml; stacks here: dev, lab-users, win-rbac/,
    ],
    ["an unknown flag", ["--stack", "dev", "--deployer", MOCK_CLIENT.objectId, "--deployer-id", "x"], /--deployer-id/],
    ["a stray argument", ["dev", "--deployer", MOCK_CLIENT.objectId], /^unexpected argument "dev"/],
  ])("%s", async (name, args, message) => {
    // One row as a child process too: exit code 2 and the message alone, through the process wrapper.
    const r = await cli([...args, "--out", out], name === "no --deployer");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("policyPackConfig: the stack's config is read as the CLI reads it, and refused as the program would", () => {
  /** A project directory with the real Pulumi.yaml and one stack file. */
  function project(stackYaml: string): string {
    const dir = fs.mkdtempSync(path.join(tmp, "project-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.lab.yaml"), stackYaml);
    return dir;
  }
  const CIPHER = "v1:AAAABBBBCCCCDDDD:EEEEFFFFGGGGHHHH";

  it("an encrypted value is refused by name, and its ciphertext is not repeated", () => {
    const dir = project(`config:\n  dsvm-identity-lab:location: westeurope\n  dsvm-identity-lab:owner:\n    secure: ${CIPHER}\n`);
    expect(() => policyPackConfig(dir, "lab", MOCK_CLIENT.objectId)).toThrow(StackConfigError);
    expect(() => policyPackConfig(dir, "lab", MOCK_CLIENT.objectId)).toThrow(/dsvm-identity-lab:owner is encrypted/);
    try {
      policyPackConfig(dir, "lab", MOCK_CLIENT.objectId);
    } catch (e) {
      expect((e as Error).message).not.toContain(CIPHER);
    }
  });

  it("a config the program would refuse is refused (ConfigError, exit 2), not turned into a pack that allows nothing", () => {
    const dir = project("config:\n  dsvm-identity-lab:location: westeurope\n  dsvm-identity-lab:seats: 0\n");
    expect(() => policyPackConfig(dir, "lab", MOCK_CLIENT.objectId)).toThrow(ConfigError);
  });

  it("the deployer is checked before the stack: a bad id is the error even for a stack that does not exist", () => {
    expect(() => policyPackConfig(ROOT, "nope", "not-a-guid")).toThrow(/^--deployer "not-a-guid"/);
  });
});
