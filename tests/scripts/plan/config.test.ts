// Bad config through the real commands: `npm run plan` (scripts/plan/index.ts) and `npm run lab -- create`, their
// mains in this process (with buffers for their streams, errors reported as the process wrapper reports them), and a
// row as a child process to prove the process contract (plan's success path runs as one in program.test.ts). Every row
// exits 2, names the key or the file, prints no stack frame, and never shows the secret-ish value.
// Stack files go into a temp project (Pulumi.yaml copied, index.ts linked to this checkout's program) that `plan
// --program` and `lab create` read: never into the repository, whose stack files other tests list.
// Conformance: pulumi-cli-yaml-v3, pulumi-config-value-text, pulumi-empty-config-value, pulumi-unnamespaced-stack-config,
// pulumi-declared-type-check (lib/azure/conformance/config.ts).
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLabCli } from "../../../scripts/lab/cli";
import type { LabDeps } from "../../../scripts/lab/ops";
import { readStackConfig, StackConfigError } from "../../../offline/stack-config";
import { ROOT } from "../../helpers/program";
import { CommandRun, runInProcess, runMainInProcess, runProcess } from "../shared/command";

const RUN = `h4t${process.pid}`;
let project = "";
beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "h4-stacks-"));
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
  fs.symlinkSync(path.join(ROOT, "index.ts"), path.join(project, "index.ts"));
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOYDIMCrn2XogR7vBuEa0vHlSOfQFbc+LDYBnzVpKOiC placeholder";
const RSA_CUT = (() => {
  // A 2048-bit odd modulus: the key is cut long before it ends, so nothing can tell it from a generated key's (whose
  // generation costs a tenth of a second or more of CPU).
  const n = randomBytes(256);
  n[0] |= 0x80;
  n[255] |= 1;
  const u32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
  const blob = Buffer.concat([u32(7), Buffer.from("ssh-rsa"), u32(3), Buffer.from([1, 0, 1]), u32(n.length + 1), Buffer.from([0]), n]);
  return `ssh-rsa ${blob.subarray(0, 120).toString("base64")} cut`;
})();

/** A stack file for this run in the temp project; returns the stack name. */
function stackFile(i: number, body: string, prefix = ""): string {
  const stack = `${prefix}${RUN}-${i}`;
  fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), body);
  return stack;
}

const config = (lines: string[]) => {
  const all = lines.some((l) => l.includes("sshPublicKey:")) ? lines : [`dsvm-identity-lab:sshPublicKey: ${KEY}`, ...lines];
  return `config:\n${all.map((l) => `  ${l}`).join("\n")}\n`;
};

const merged = (r: CommandRun) => ({ code: r.status, out: r.stdout + r.stderr });

/** `npm run plan -- ARGS --program <the temp project>`: in this process, or as a child process when `child`. */
async function plan(args: string[], child = false): Promise<{ code: number | null; out: string }> {
  const script = "scripts/plan/index.ts";
  const all = [...args, "--program", project];
  return merged(await (child ? runProcess(script, all) : runInProcess(script, all)));
}

/** `npm run lab -- ARGS` in this process, with a backend and an Azure that fail the row when touched. */
async function lab(args: string[]): Promise<{ code: number | null; out: string }> {
  const touched = (what: string) => () => {
    throw new Error(`touched ${what}`);
  };
  const log: string[] = [];
  const deps: LabDeps = {
    projectDir: project,
    purger: { listDeleted: touched("the vault purger"), purge: touched("the vault purger") },
    verify: touched("verify"),
    log: (line) => log.push(`${line}\n`),
    stream: (text) => log.push(text),
    now: () => new Date(),
    referenceNow: touched("Azure's clock"),
    defaultOwner: "tester",
  };
  const r = await runMainInProcess((argv, io) => runLabCli(argv, deps, (t) => io.stdout.write(t)), args);
  return { code: r.status, out: log.join("") + r.stdout + r.stderr };
}

function expectRefused(r: { code: number | null; out: string }, names: string[], secret?: string) {
  expect(r.code).toBe(2);
  for (const n of names) expect(r.out).toContain(n);
  expect(r.out).not.toMatch(/\n\s+at \S/); // no stack frame
  expect(r.out).not.toMatch(/offset|RangeError|YAMLParseError/);
  if (secret) expect(r.out).not.toContain(secret);
}

// name, the stack file's config lines (or a whole file), what the output must name, the value it must not show
const ROWS: [string, string[] | string, string[], string?][] = [
  ["a truncated ssh-rsa key", [`dsvm-identity-lab:sshPublicKey: ${RSA_CUT}`], ["dsvm-identity-lab:sshPublicKey", "whose data is complete"]],
  [
    "an unknown key holding a password",
    ["dsvm-identity-lab:adminPassword: Hunter2-Secret!"],
    ["dsvm-identity-lab:adminPassword", "no such key"],
    "Hunter2-Secret",
  ],
  ["an unknown key without the namespace", ["pasword: s3cr3t-typed"], ["dsvm-identity-lab:pasword", "no such key"], "s3cr3t-typed"],
  [
    "a misspelt key, with the nearest one",
    ["dsvm-identity-lab:secretNmae: abc-Secret-9"],
    ["secretNmae", "did you mean secretName?"],
    "abc-Secret-9",
  ],
  ["a secretName starting with '-'", ['dsvm-identity-lab:secretName: "-x"'], ["dsvm-identity-lab:secretName", "starting with a letter"]],
  [
    "a createdAt in year 9999",
    ['dsvm-identity-lab:createdAt: "9999-12-31T23:59:59Z"'],
    ["dsvm-identity-lab:createdAt", "from 2020-01-01T00:00:00Z to 10 minutes after now"],
  ],
  [
    "a key named constructor",
    ["dsvm-identity-lab:constructor: pr0to-Secret"],
    ["dsvm-identity-lab:constructor", "no such key"],
    "pr0to-Secret",
  ],
  ["a key named toString", ["toString: pr0to-Secret"], ["dsvm-identity-lab:toString", "no such key"], "pr0to-Secret"],
  ["a key named __proto__", ["dsvm-identity-lab:__proto__: pr0to-Secret"], ["dsvm-identity-lab:__proto__", "no such key"], "pr0to-Secret"],
  ["a key named hasOwnProperty", ["hasOwnProperty: pr0to-Secret"], ["dsvm-identity-lab:hasOwnProperty", "no such key"], "pr0to-Secret"],
  [
    "operator ids that differ only in case",
    ["dsvm-identity-lab:operatorObjectIds: [0a1b2c3d-0000-4000-8000-00000000abcd, 0A1B2C3D-0000-4000-8000-00000000ABCD]"],
    ["dsvm-identity-lab:operatorObjectIds", "case-insensitive"],
  ],
  [
    "1023 operators",
    [
      `dsvm-identity-lab:operatorObjectIds: [${Array.from({ length: 1023 }, (_, i) => `00000000-0000-0000-0000-${(i + 1).toString(16).padStart(12, "0")}`).join(", ")}]`,
    ],
    ["dsvm-identity-lab:operatorObjectIds", "at most 1022 ids"],
  ],
  [
    "a YAML syntax error",
    `config:\n  dsvm-identity-lab:owner: "Hunter2-in-quote\n  dsvm-identity-lab:seats: [1\n`,
    ["line", "YAML syntax error"],
    "Hunter2-in-quote",
  ],
  ["an empty value", ["dsvm-identity-lab:owner:"], ["dsvm-identity-lab:owner has no value", 'owner: ""']],
  ["a config: that is a list", "config:\n  - dsvm-identity-lab:seats: 2\n", ["line 1", "config: expected a mapping"]],
  ["a config: that is text", "config: dsvm-identity-lab:seats=2\n", ["line 1", "config: expected a mapping"]],
  ["a file that is not a mapping", "- a\n- b\n", ["expected a mapping"]],
  [
    "yes where a boolean is declared",
    ["dsvm-identity-lab:checkOnDeploy: yes"],
    ["dsvm-identity-lab:checkOnDeploy must be of type boolean"],
  ],
  ["a list where text is declared", ["dsvm-identity-lab:owner: [a, b]"], ["dsvm-identity-lab:owner must be of type string"]],
  [
    "text where a list is declared",
    ['dsvm-identity-lab:allowedSshCidrs: "[\\"203.0.113.0/24\\"]"'],
    ["dsvm-identity-lab:allowedSshCidrs must be of type array<string>"],
  ],
  ["a duplicate key", ["dsvm-identity-lab:seats: 2", "dsvm-identity-lab:seats: 3"], ["already defined at line"]],
  ["one key with and without the namespace", ["seats: 2", "dsvm-identity-lab:seats: 3"], ["dsvm-identity-lab:seats is set twice"]],
  [
    "an unquoted timestamp",
    ["dsvm-identity-lab:createdAt: 2025-01-31T09:00:00Z"],
    ["dsvm-identity-lab:createdAt", "unquoted YAML timestamp", "quote it"],
  ],
  [
    "an encrypted value",
    ["dsvm-identity-lab:owner:", "    secure: v1:c2VjcmV0Y2lwaGVydGV4dA=="],
    ["dsvm-identity-lab:owner is encrypted"],
    "c2VjcmV0Y2lwaGVydGV4dA",
  ],
  ["ESC environments", `environment:\n  - lab-env\n${config([])}`, ["environment:", "cannot read"]],
  ["a config key outside config:", `config:\ndsvm-identity-lab:seats: 3\n`, ["dsvm-identity-lab:seats is outside config:"]],
  ["two YAML documents", `${config([])}---\nconfig: {}\n`, ["more than one YAML document"]],
];

describe("npm run plan exits 2 on each bad config, naming the key or the file", () => {
  // This row also runs as a child process: an error from the stack file through the process wrapper (exit 2, no stack
  // frame). The other rows go through the same runCommand in this process.
  const CHILD = new Set(["a YAML syntax error"]);

  // Five values in every row: a test function with more parameters than its row is handed jest's `done` instead.
  it.each(ROWS.map(([name, body, names, secret], i) => [name, body, names, secret, i] as const))(
    "%s",
    async (name, body, names, secret, i) => {
      const file = `Pulumi.${RUN}-${i}.yaml`;
      const stack = stackFile(i, typeof body === "string" ? body : config(body));
      expectRefused(
        await plan(["--stack", stack], CHILD.has(name)),
        typeof body === "string" && !names.some((n) => n.includes("dsvm-identity-lab:")) ? [file, ...names] : names,
        secret,
      );
    },
  );

  it.each([["my_password=Hunter2-flag"], ["__proto__=Hunter2-flag"], ["constructor=Hunter2-flag"], ["adminPasword=Hunter2-flag"]])(
    "--config %s: the key is named, the value never shown",
    async (pair) => {
      const r = await plan(["--config", pair]);
      expectRefused(r, [pair.split("=")[0]], "Hunter2-flag");
    },
  );

  it("a good dev config still plans (exit 0)", async () => {
    const stack = stackFile(900, fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const r = await plan(["--stack", stack, "--json"]);
    expect(r.code).toBe(0);
  });
});

describe("npm run lab -- create exits 2 the same way, before touching any backend", () => {
  it.each([
    [
      "a truncated ssh-rsa key",
      ["--config", `sshPublicKey=${RSA_CUT}`],
      ["dsvm-identity-lab:sshPublicKey", "whose data is complete"],
      undefined,
    ],
    [
      "an unknown key holding a password",
      ["--config", `sshPublicKey=${KEY}`, "--config", "adminPassword=Hunter2-Secret!"],
      ["adminPassword"],
      "Hunter2-Secret",
    ],
    [
      "a secretName starting with '-'",
      ["--config", `sshPublicKey=${KEY}`, "--config", "secretName=-x"],
      ["dsvm-identity-lab:secretName", "starting with a letter"],
      undefined,
    ],
    [
      "a key named constructor",
      ["--config", `sshPublicKey=${KEY}`, "--config", "constructor=pr0to-Secret"],
      ["constructor"],
      "pr0to-Secret",
    ],
  ])("%s", async (_name, args, names, secret) => {
    const r = await lab(["create", `${RUN}x`, "--ttl", "1h", ...(args as string[])]);
    expectRefused(r, names as string[], secret as string | undefined);
  });

  it("a YAML error in the lab's own stack file", async () => {
    const stack = stackFile(950, 'config:\n  dsvm-identity-lab:owner: "Hunter2-in-quote\n', "lab-");
    const r = await lab(["create", stack.slice(4), "--ttl", "1h", "--config", `sshPublicKey=${KEY}`]);
    expectRefused(r, [`Pulumi.${stack}.yaml`, "YAML syntax error"], "Hunter2-in-quote");
  });
});

describe("Pulumi.yaml itself", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h4-project-"));
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml")));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      "a YAML syntax error",
      "name: dsvm-identity-lab\nconfig:\n  seats: {type: integer, default: [1\n",
      ["Pulumi.yaml line", "YAML syntax error"],
    ],
    ["a duplicate key", "name: dsvm-identity-lab\nconfig:\n  seats: 1\n  seats: 2\n", ["Pulumi.yaml line 4", "already defined at line 3"]],
    ["another project's name", "name: other\n", ["Pulumi.yaml line 1", "name: expected dsvm-identity-lab"]],
    ["a config: that is a list", "name: dsvm-identity-lab\nconfig: [a]\n", ["Pulumi.yaml line 2", "config: expected a mapping"]],
    [
      "an unquoted timestamp default",
      "name: dsvm-identity-lab\nconfig:\n  createdAt: {type: string, default: 2025-01-31}\n",
      ["Pulumi.yaml line 3", "unquoted YAML timestamp"],
    ],
  ])("%s exits 2 through the commands' error handling, naming Pulumi.yaml", async (_name, text, names) => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), text);
    expect(() => readStackConfig(dir, "dev")).toThrow(StackConfigError);
    // A StackConfigError through a real process's runMain: the child row of the stack-file table above.
    expectRefused(merged(await runMainInProcess(async () => void readStackConfig(dir, "dev"), [])), names);
  });

  it("values reach the program as the CLI passes them: un-namespaced keys are the project's, numbers as yaml.v3 reads them", () => {
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      `config:\n  seats: 010\n  dsvm-identity-lab:autoShutdownTime: 0700\n  dsvm-identity-lab:allowedSshCidrs: [203.0.113.0/24]\n  azure-native:location: eastus2\n  checkOnDeploy: True\n  sshPublicKey: ${KEY}\n`,
    );
    const raw = readStackConfig(dir, "dev");
    expect(raw.seats).toBe("8"); // a leading 0 is octal to yaml.v3
    expect(raw.autoShutdownTime).toBe("448");
    expect(raw.allowedSshCidrs).toBe('["203.0.113.0/24"]');
    expect(raw.checkOnDeploy).toBe("true");
    expect(raw.sshPublicKey).toBe(KEY);
    expect(raw.location).toBe("westeurope"); // Pulumi.yaml's default: azure-native:location is the provider's
    expect(Object.getPrototypeOf(raw)).toBeNull();
  });
});
