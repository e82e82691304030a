// The lab CLI's orchestration, end to end through Pulumi's real Automation API, against a STAND-IN `pulumi`
// executable (tests/scripts/lab-fake-pulumi.js) put first on PATH: no Pulumi CLI can be installed here. The stand-in
// records every argv and keeps a fake backend (and a fake Azure soft-delete bin) in a JSON file. The Azure purge
// client is injected: a fake that purges from that bin and records each call. Nothing here talks to a cloud.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../../scripts/lib/cli";
import { runLabCli } from "../../scripts/lib/lab-cli";
import type { LabDeps } from "../../scripts/lib/lab-ops";
import { DeletedVault, VaultRef } from "../../scripts/lib/lab-plan";
import { devConfig, ROOT } from "../helpers/program";

const SUB = "00000000-0000-0000-0000-000000000501";
const NOW = new Date("2025-03-01T12:00:00Z");
const SSH_KEY = devConfig().sshPublicKey;

interface FakeStack {
  config: Record<string, string>;
  tags: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: Array<Record<string, any>>;
}
interface FakeState {
  subscriptionId: string;
  current?: string;
  stacks: Record<string, FakeStack>;
  deletedVaults: DeletedVault[];
  failDestroy: Record<string, number>;
}

let dir: string;
let purged: VaultRef[];
let lines: string[];
let savedEnv: NodeJS.ProcessEnv;

const statePath = () => path.join(dir, "state.json");
const readState = (): FakeState => JSON.parse(fs.readFileSync(statePath(), "utf8"));
const writeState = (s: FakeState) => fs.writeFileSync(statePath(), JSON.stringify(s));
/** What the stand-in was asked, without the version probe, as "arg arg arg" strings. */
const pulumiCalls = () =>
  fs.readFileSync(path.join(dir, "calls.log"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);

function vaultResource(stack: string, name: string) {
  return { urn: `kv-${name}`, type: "azure-native:keyvault:Vault", id: `/subscriptions/${SUB}/resourceGroups/dsvmlab-${stack}-rg/providers/Microsoft.KeyVault/vaults/${name}`, outputs: { location: "westeurope", tags: { lab: stack, ephemeral: "true" } } };
}

/** A deployed stack in the fake backend. */
function deployed(stack: string, outputs: Record<string, unknown>, tags: Record<string, string> = {}, vault = `kv-${stack}`): FakeStack {
  return { config: {}, tags, outputs: { seatVms: [{ seat: 1 }, { seat: 2 }], ...outputs }, resources: [vaultResource(stack, vault), { urn: "rg", type: "azure-native:resources:ResourceGroup", id: "rg" }] };
}

function deps(overrides: Partial<LabDeps> = {}): LabDeps {
  return {
    projectDir: ROOT,
    purger: {
      async listDeleted(sub) {
        return readState().deletedVaults.filter((v) => v.subscriptionId === sub);
      },
      async purge(v) {
        const s = readState();
        const i = s.deletedVaults.findIndex((d) => d.name === v.name && d.location === v.location && d.subscriptionId === v.subscriptionId);
        if (i < 0) return "absent";
        s.deletedVaults.splice(i, 1);
        writeState(s);
        purged.push(v);
        fs.appendFileSync(path.join(dir, "calls.log"), `${JSON.stringify(["PURGE", v.name])}\n`);
        return "purged";
      },
    },
    verify: async (stack) => {
      fs.appendFileSync(path.join(dir, "calls.log"), `${JSON.stringify(["VERIFY", stack])}\n`);
      return 0;
    },
    log: (line) => lines.push(line),
    stream: () => undefined,
    now: () => NOW,
    defaultOwner: "ada",
    ...overrides,
  };
}

const lab = (argv: string[], d: LabDeps = deps()) => runLabCli(argv, d, (t) => lines.push(t));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-cli-"));
  const shim = path.join(dir, "pulumi");
  fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(__dirname, "lab-fake-pulumi.js")}" "$@"\n`, { mode: 0o755 });
  writeState({ subscriptionId: SUB, stacks: {}, deletedVaults: [], failDestroy: {} });
  fs.writeFileSync(path.join(dir, "calls.log"), "");
  savedEnv = { ...process.env };
  process.env.PATH = `${dir}${path.delimiter}${process.env.PATH}`;
  process.env.FAKE_PULUMI_STATE = statePath();
  process.env.FAKE_PULUMI_LOG = path.join(dir, "calls.log");
  process.env.PULUMI_HOME = dir;
  purged = [];
  lines = [];
});

afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(dir, { recursive: true, force: true });
});

const indexOf = (log: string[][], pred: (c: string[]) => boolean) => log.findIndex(pred);

describe("create", () => {
  it("creates lab-NAME, sets the lifecycle config and tags, runs up, then verify", async () => {
    const code = await lab(["create", "ws1", "--ttl", "8h", "--seats", "3", "--config", `sshPublicKey=${SSH_KEY}`]);
    expect(code).toBe(0);
    const log = pulumiCalls();
    expect(log[0]).toEqual(["version"]);
    const setAll = log.find((c) => c[0] === "config" && c[1] === "set-all")!;
    expect(setAll.slice(0, 4)).toEqual(["config", "set-all", "--stack", "lab-ws1"]);
    const values = setAll.filter((_, i) => setAll[i - 1] === "--plaintext");
    expect(values.sort()).toEqual(
      [
        "dsvm-identity-lab:createdAt=2025-03-01T12:00:00Z",
        "dsvm-identity-lab:ephemeral=true",
        "dsvm-identity-lab:owner=ada",
        "dsvm-identity-lab:seats=3",
        `dsvm-identity-lab:sshPublicKey=${SSH_KEY}`,
        "dsvm-identity-lab:ttlHours=8",
      ].sort(),
    );
    const up = indexOf(log, (c) => c[0] === "up");
    expect(log[up]).toEqual(expect.arrayContaining(["--yes", "--skip-preview", "--stack", "lab-ws1"]));
    expect(indexOf(log, (c) => c[0] === "VERIFY")).toBeGreaterThan(up);
    expect(log.find((c) => c[0] === "VERIFY")).toEqual(["VERIFY", "lab-ws1"]);
    expect(readState().stacks["lab-ws1"].tags).toEqual({ "lab:ephemeral": "true", "lab:expiresAt": "2025-03-01T20:00:00Z", "lab:owner": "ada" });
    expect(readState().stacks["lab-ws1"].outputs).toMatchObject({ ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" });
  });

  it("a failing verify fails the command (exit 1), and the lab stays up with its expiry", async () => {
    const code = await lab(["create", "ws2", "--ttl", "90m", "--config", `sshPublicKey=${SSH_KEY}`], deps({ verify: async () => 3 }));
    expect(code).toBe(1);
    expect(lines.join("\n")).toContain("rounded up to 2h");
    expect(lines.join("\n")).toMatch(/verify failed \(exit 3\)/);
  });

  it.each([
    [["create", "ws", "--ttl", "0h"], /--ttl "0h"/],
    [["create", "ws", "--ttl", "8"], /--ttl "8": expected a duration/],
    [["create", "ws"], /missing --ttl/],
    [["create", "Bad_Name", "--ttl", "8h"], /lab NAME "Bad_Name"/],
    [["create", "ws", "--ttl", "8h", "--seats", "0"], /--seats "0"/],
    [["create", "ws", "--ttl", "8h", "--config", "ephemeral=false"], /--config ephemeral: set by lab create/],
    [["create", "ws", "--ttl", "8h", "--config", "novalue"], /expected key=value/],
    [["create", "ws", "--ttl", "8h"], /sshPublicKey = \(not set\)[\s\S]*--config key=value/],
    [["create", "ws", "--ttl", "8h", "--config", `sshPublicKey=${SSH_KEY}`, "--config", "seats=0"], /seats = "0"/],
    [["create", "ws", "--ttl", "8h", "--yes"], /--yes does not apply to create/],
    [["destroy"], /missing lab NAME/],
    [["reap", "--yes", "--dry-run"], /contradict/],
    [["reap", "now"], /unexpected argument "now"/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /missing command/],
  ])("%j is a usage error, and the backend is never touched", async (argv, message) => {
    await expect(lab(argv as string[])).rejects.toThrow(UsageError);
    await expect(lab(argv as string[])).rejects.toThrow(message);
    expect(pulumiCalls()).toEqual([]);
  });
});

/** The table the reaper decides on. */
function seedTable(): void {
  writeState({
    subscriptionId: SUB,
    stacks: {
      "lab-expired": deployed("lab-expired", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }),
      "lab-fresh": deployed("lab-fresh", { ephemeral: true, expiresAt: "2025-03-01T15:00:00Z", owner: "bob" }),
      "lab-lasting": deployed("lab-lasting", { ephemeral: false, owner: "ops" }),
      "lab-untagged": deployed("lab-untagged", { ephemeral: true }),
      "lab-half": { config: {}, tags: { "lab:purge": `${SUB}/westeurope/kv-half` }, outputs: {}, resources: [] },
      dev: deployed("dev", { ephemeral: true, expiresAt: "2020-01-01T00:00:00Z" }),
    },
    deletedVaults: [{ name: "kv-half", location: "westeurope", subscriptionId: SUB, tags: { lab: "lab-half" } }],
    failDestroy: {},
  });
}

describe("list", () => {
  it("shows lab stacks only, with owner, seats and expiry; expired ones marked", async () => {
    seedTable();
    expect(await lab(["list"])).toBe(0);
    const text = lines.join("");
    const row = (stack: string) => text.split("\n").find((l) => l.startsWith(`${stack} `)) ?? "";
    expect(row("lab-expired")).toMatch(/ada\s+2\s+2025-03-01T11:00:00Z\s+EXPIRED 1h ago/);
    expect(row("lab-fresh")).toMatch(/bob\s+2\s+2025-03-01T15:00:00Z\s+in 3h/);
    expect(row("lab-lasting")).toMatch(/ops\s+2\s+-\s+lasting/);
    expect(row("lab-half")).toMatch(/DESTROYING/);
    expect(text.match(/EXPIRED/g)).toHaveLength(1);
    expect(text).not.toMatch(/^dev /m);
    expect(pulumiCalls().some((c) => c[0] === "destroy" || c[0] === "up")).toBe(false);
  });
});

describe("reap", () => {
  it("is a dry run by default: logs each decision with its reason and changes nothing", async () => {
    seedTable();
    const before = readState();
    expect(await lab(["reap"])).toBe(0);
    const text = lines.join("\n");
    expect(text).toContain("reap: lab-expired: would reap: ephemeral and expired at 2025-03-01T11:00:00Z (1h ago)");
    expect(text).toContain("reap: lab-half: would finish: half-destroyed");
    expect(text).toContain("reap: lab-fresh: keep: not expired");
    expect(text).toContain("reap: lab-lasting: keep: not ephemeral");
    expect(text).toContain("reap: lab-untagged: keep: ephemeral but without a valid expiresAt");
    expect(text).not.toContain("reap: dev");
    expect(text).toContain("dry run");
    expect(pulumiCalls().filter((c) => ["destroy", "up"].includes(c[0]) || (c[1] === "rm") || (c[1] === "tag" && c[2] === "set"))).toEqual([]);
    expect(purged).toEqual([]);
    expect(readState()).toEqual(before);
  });

  it("--yes destroys expired ephemeral labs and finishes half-destroyed ones, and nothing else", async () => {
    seedTable();
    expect(await lab(["reap", "--yes"])).toBe(0);
    const s = readState();
    expect(Object.keys(s.stacks).sort()).toEqual(["dev", "lab-fresh", "lab-lasting", "lab-untagged"]);
    const destroyed = pulumiCalls().filter((c) => c[0] === "destroy").map((c) => c[c.indexOf("--stack") + 1]);
    expect(destroyed.sort()).toEqual(["lab-expired", "lab-half"]);
    expect(purged.map((v) => v.name).sort()).toEqual(["kv-half", "kv-lab-expired"]);
    expect(s.deletedVaults).toEqual([]);
    for (const kept of ["lab-fresh", "lab-lasting", "lab-untagged", "dev"]) expect(s.stacks[kept].resources).toHaveLength(2);
  });
});

describe("destroy", () => {
  it("records the vaults, destroys, purges the soft-deleted vault, then removes the stack", async () => {
    writeState({ subscriptionId: SUB, stacks: { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" }) }, deletedVaults: [], failDestroy: {} });
    expect(await lab(["destroy", "ws"])).toBe(0);
    const log = pulumiCalls();
    const tag = indexOf(log, (c) => c[1] === "tag" && c[2] === "set" && c[3] === "lab:purge");
    const destroy = indexOf(log, (c) => c[0] === "destroy");
    const purge = indexOf(log, (c) => c[0] === "PURGE");
    const rm = indexOf(log, (c) => c[0] === "stack" && c[1] === "rm");
    expect(log[tag][4]).toBe(`${SUB}/westeurope/kv-lab-ws`);
    expect([tag < destroy, destroy < purge, purge < rm]).toEqual([true, true, true]);
    expect(log[destroy]).toEqual(expect.arrayContaining(["--yes", "--skip-preview", "--stack", "lab-ws"]));
    expect(purged).toEqual([{ subscriptionId: SUB, location: "westeurope", name: "kv-lab-ws" }]);
    expect(readState().stacks).toEqual({});
    expect(readState().deletedVaults).toEqual([]);
    expect(lines.join("\n")).toContain("lab-ws: destroyed, 1 vault(s) purged, stack removed");
  });

  it("a destroy that fails half-way is finished by the next destroy", async () => {
    writeState({ subscriptionId: SUB, stacks: { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" }) }, deletedVaults: [], failDestroy: { "lab-ws": 1 } });
    await expect(lab(["destroy", "ws"])).rejects.toThrow(/pulumi destroy failed[\s\S]*run destroy again/);
    let s = readState();
    // Half-destroyed: the vault is gone from state (soft-deleted in "Azure"), not purged; the stack remembers it.
    expect(s.stacks["lab-ws"].resources.some((r) => r.type === "azure-native:keyvault:Vault")).toBe(false);
    expect(s.deletedVaults.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(s.stacks["lab-ws"].tags["lab:purge"]).toBe(`${SUB}/westeurope/kv-lab-ws`);
    expect(purged).toEqual([]);

    expect(await lab(["destroy", "ws"])).toBe(0);
    s = readState();
    expect(purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(s.stacks).toEqual({});
    expect(s.deletedVaults).toEqual([]);
  });

  it("a destroy that fails half-way is finished by the next reap, even without outputs", async () => {
    writeState({ subscriptionId: SUB, stacks: { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" }) }, deletedVaults: [], failDestroy: { "lab-ws": 1 } });
    await expect(lab(["destroy", "ws"])).rejects.toThrow(/destroy failed/);
    const s = readState();
    s.stacks["lab-ws"].outputs = {}; // not expired, and no outputs left: only the purge tag says what to do
    writeState(s);
    expect(await lab(["reap", "--yes"])).toBe(0);
    expect(lines.join("\n")).toContain("reap: lab-ws: finish: half-destroyed");
    expect(purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(readState().stacks).toEqual({});
  });

  it("a lab already gone finishes cleanly, purging a leftover vault still tagged as its own", async () => {
    writeState({
      subscriptionId: SUB,
      stacks: {},
      deletedVaults: [
        { name: "kv-gone", location: "westeurope", subscriptionId: SUB, tags: { lab: "lab-gone" } },
        { name: "kv-other", location: "westeurope", subscriptionId: SUB, tags: { lab: "lab-other" } },
      ],
      failDestroy: {},
    });
    expect(await lab(["destroy", "gone"], deps({ subscriptionId: SUB }))).toBe(0);
    expect(purged.map((v) => v.name)).toEqual(["kv-gone"]);
    expect(readState().deletedVaults.map((v) => v.name)).toEqual(["kv-other"]);
    expect(lines.join("\n")).toContain("lab-gone: no such stack: nothing to destroy; purged 1 leftover vault(s). Done.");
    expect(await lab(["destroy", "gone"], deps({ subscriptionId: SUB }))).toBe(0);
    expect(lines.join("\n")).toContain("lab-gone: no such stack: nothing to destroy. Done.");
  });

  it("refuses a lasting lab: no destroy, no purge", async () => {
    writeState({ subscriptionId: SUB, stacks: { "lab-keep": deployed("lab-keep", { ephemeral: false }) }, deletedVaults: [], failDestroy: {} });
    await expect(lab(["destroy", "keep"])).rejects.toThrow(/lab-keep is not ephemeral/);
    expect(pulumiCalls().filter((c) => c[0] === "destroy" || c[1] === "rm" || (c[1] === "tag" && c[2] === "set"))).toEqual([]);
    expect(readState().stacks["lab-keep"].resources).toHaveLength(2);
  });
});

describe("npm run lab (the process)", () => {
  it("exits 2 with a clear message and no stack trace on bad arguments", () => {
    const r = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/lab.ts", "create", "ws", "--ttl", "3w"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--ttl "3w": expected a duration from 1h to 7d');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(pulumiCalls()).toEqual([]);
  });
});
