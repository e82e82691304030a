// `npm run lab -- create` end to end with a stand-in `pulumi` (see harness.ts): a new lab, the refusal to take
// over an existing stack, --extend of one's own ephemeral lab only, the reference clock, and bad flags (exit 2).
// Most tests answer Pulumi in process; the first create (with its version check) and the first refused create (a
// failing `stack init`) spawn the stand-in as the CLI on PATH, the path the CLI ships with (harness.ts says why both).
import { spawnSync } from "child_process";
import * as path from "path";
import { UsageError } from "../../../scripts/shared/cli";
import { runLabCli } from "../../../scripts/lab/cli";
import { LabRefusal } from "../../../scripts/lab/ops";
import { ROOT } from "../../helpers/program";
import { runMainInProcess } from "../shared/command";
import { deployed, SSH_KEY, useHarness, WRITES } from "./harness";

const h = useHarness();
const KEY = `sshPublicKey=${SSH_KEY}`;
const at = (iso: string) => async () => new Date(iso);

describe("create", () => {
  it("creates lab-NAME, sets the lifecycle config, runs up, then verify; it sets no stack tag", async () => {
    // The production path: the stand-in spawned as `pulumi` on PATH for every command (see harness.ts).
    h.spawnPulumi();
    const code = await h.lab(["create", "ws1", "--ttl", "8h", "--seats", "3", "--config", KEY]);
    expect(code).toBe(0);
    const log = h.pulumiCalls();
    expect(log[0]).toEqual(["version"]);
    expect(log.find((c) => c[0] === "stack" && c[1] === "init")).toEqual(expect.arrayContaining(["stack", "init", "lab-ws1"]));
    const setAll = log.find((c) => c[0] === "config" && c[1] === "set-all")!;
    expect(setAll.slice(0, 4)).toEqual(["config", "set-all", "--stack", "lab-ws1"]);
    expect(setAll.filter((_, i) => setAll[i - 1] === "--plaintext").sort()).toEqual(
      [
        "dsvm-identity-lab:createdAt=2025-03-01T12:00:00Z",
        "dsvm-identity-lab:ephemeral=true",
        "dsvm-identity-lab:owner=ada",
        "dsvm-identity-lab:seats=3",
        `dsvm-identity-lab:${KEY}`,
        "dsvm-identity-lab:ttlHours=8",
      ].sort(),
    );
    const up = log.findIndex((c) => c[0] === "up");
    expect(log[up]).toEqual(expect.arrayContaining(["--yes", "--skip-preview", "--stack", "lab-ws1"]));
    expect(log.findIndex((c) => c[0] === "VERIFY")).toBeGreaterThan(up);
    expect(log.find((c) => c[0] === "VERIFY")).toEqual(["VERIFY", "lab-ws1"]);
    expect(h.readState().stacks["lab-ws1"].tags).toEqual({});
    expect(h.readState().stacks["lab-ws1"].outputs).toMatchObject({ ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" });
  });

  it("a failing verify fails the command (exit 1), and the lab stays up with its expiry", async () => {
    const code = await h.lab(["create", "ws2", "--ttl", "90m", "--config", KEY], h.deps({ verify: async () => 3 }));
    expect(code).toBe(1);
    expect(h.lines.join("\n")).toContain("rounded up to 2h");
    expect(h.lines.join("\n")).toMatch(/verify failed \(exit 3\)/);
  });
});

describe("a first up that fails", () => {
  it("leaves a stack without outputs: create says how to take it down, list calls it lasting, reap keeps it", async () => {
    h.writeState({ failUp: { "lab-ws": 1 } });
    await expect(h.lab(["create", "ws", "--ttl", "8h", "--config", KEY])).rejects.toThrow(
      /lab-ws: pulumi up failed: .*SkuNotAvailable[\s\S]*nothing proves the lab ephemeral.*npm run lab -- destroy ws --even-if-lasting ws/,
    );
    expect(h.pulumiCalls().some((c) => c[0] === "VERIFY")).toBe(false);
    expect(await h.lab(["list"])).toBe(0);
    expect(h.lines.join("")).toMatch(/^lab-ws\s+-\s+-\s+-\s+lasting$/m);
    expect(
      await h.lab(["reap", "--yes"], h.deps({ referenceNow: at("2025-03-09T00:00:00Z"), now: () => new Date("2025-03-09T00:00:00Z") })),
    ).toBe(0);
    expect(h.lines.join("\n")).toContain("reap: lab-ws: keep: lasting: it has no outputs");
    expect(h.readState().stacks["lab-ws"]).toBeDefined();
  });
});

describe("create never takes over an existing stack", () => {
  const seed = () =>
    h.writeState({
      stacks: {
        "lab-keep": deployed(
          "lab-keep",
          { ephemeral: false, owner: "ops" },
          { config: { "dsvm-identity-lab:seats": "12", "dsvm-identity-lab:ephemeral": "false" }, tags: { team: "ml" } },
        ),
        "lab-mine": deployed(
          "lab-mine",
          { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" },
          { config: { "dsvm-identity-lab:seats": "2" } },
        ),
        "lab-bare": { config: {}, tags: {}, outputs: {}, resources: [] },
      },
    });

  it.each([
    ["a lasting lab of someone else's", "keep"],
    ["my own ephemeral lab, without --extend", "mine"],
    ["a stack without outputs", "bare"],
  ])("%s: refused (exit 1); no tag, no config, no up, the backend unchanged", async (_, name) => {
    // The first through the production path: the stand-in spawned as `pulumi` on PATH (see harness.ts).
    if (name === "keep") h.spawnPulumi();
    seed();
    const before = h.readState();
    const run = h.lab(["create", name, "--ttl", "8h", "--seats", "1", "--config", KEY]);
    await expect(run).rejects.toThrow(LabRefusal);
    await expect(run).rejects.toThrow(`lab-${name} already exists: lab create never takes over a stack, and nothing was changed`);
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
    expect(h.pulumiCalls().some((c) => c[0] === "VERIFY")).toBe(false);
    const after = h.readState();
    expect(after.stacks).toEqual(before.stacks);
    expect(after.deletedVaults).toEqual(before.deletedVaults);
  });
});

describe("create --extend: only the same owner's ephemeral lab, only later", () => {
  it("moves createdAt to now and ttlHours to the new TTL (nothing else), then up and verify", async () => {
    expect(await h.lab(["create", "ws", "--ttl", "8h", "--seats", "2", "--config", KEY])).toBe(0);
    const configBefore = h.readState().stacks["lab-ws"].config;
    const mark = h.pulumiCalls().length;
    const later = h.deps({ referenceNow: at("2025-03-01T18:00:00Z"), now: () => new Date("2025-03-01T18:00:00Z") });
    expect(await h.lab(["create", "ws", "--ttl", "2d", "--extend"], later)).toBe(0);
    const s = h.readState().stacks["lab-ws"];
    expect(s.config).toEqual({
      ...configBefore,
      "dsvm-identity-lab:createdAt": "2025-03-01T18:00:00Z",
      "dsvm-identity-lab:ttlHours": "48",
    });
    expect(s.outputs).toMatchObject({ ephemeral: true, expiresAt: "2025-03-03T18:00:00Z", owner: "ada" });
    expect((s.outputs.seatVms as unknown[]).length).toBe(2);
    const calls = h.pulumiCalls().slice(mark);
    expect(calls.some((c) => c[0] === "stack" && c[1] === "init")).toBe(false);
    expect(calls.filter((c) => c[0] === "up")).toHaveLength(1);
    expect(calls.filter((c) => c[0] === "stack" && c[1] === "tag" && c[2] === "set")).toEqual([]);
    expect(calls.at(-1)).toEqual(["VERIFY", "lab-ws"]);
  });

  const cfg = {
    "dsvm-identity-lab:sshPublicKey": SSH_KEY,
    "dsvm-identity-lab:seats": "2",
    "dsvm-identity-lab:ephemeral": "true",
    "dsvm-identity-lab:owner": "ada",
  };
  const refusals: Array<[string, Record<string, any>, string[], RegExp]> = [
    [
      "someone else's ephemeral lab",
      { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "bob" }, { config: cfg }) },
      ["--ttl", "2d"],
      /belongs to "bob", not "ada"/,
    ],
    [
      "my own lasting lab",
      { "lab-ws": deployed("lab-ws", { ephemeral: false, owner: "ada" }, { config: cfg }) },
      ["--ttl", "2d"],
      /lab-ws is lasting \(its outputs say ephemeral: false\)/,
    ],
    [
      "my lab whose outputs lack ephemeral (tags say ephemeral)",
      { "lab-ws": deployed("lab-ws", { owner: "ada" }, { config: cfg, tags: { "lab:ephemeral": "true", "lab:owner": "ada" } }) },
      ["--ttl", "2d"],
      /is lasting/,
    ],
    [
      "a shorter lifetime than it has",
      { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-02T12:00:00Z", owner: "ada" }, { config: cfg }) },
      ["--ttl", "8h"],
      /never shortens a lab/,
    ],
    [
      "a destroy of it began",
      {
        "lab-ws": deployed(
          "lab-ws",
          { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" },
          { config: cfg, tags: { "lab:destroying": "2025-03-01T11:00:00Z" } },
        ),
      },
      ["--ttl", "2d"],
      /a destroy of it began/,
    ],
    [
      "its config here is incomplete",
      { "lab-ws": deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" }) },
      ["--ttl", "2d"],
      /its config here is not complete/,
    ],
    [
      "its config here has other seats than deployed",
      {
        "lab-ws": deployed(
          "lab-ws",
          { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" },
          { config: { ...cfg, "dsvm-identity-lab:seats": "1" } },
        ),
      },
      ["--ttl", "2d"],
      /seats 1.*is not what is deployed \(seats 2/,
    ],
    ["no such stack", {}, ["--ttl", "2d"], /lab-ws: no such stack: nothing to extend/],
  ];
  it.each(refusals)("refuses %s: nothing changed, no up", async (_, stacks, flags, message) => {
    h.writeState({ stacks });
    const before = h.readState();
    await expect(h.lab(["create", "ws", ...flags, "--extend"])).rejects.toThrow(message);
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
    expect(h.readState().stacks).toEqual(before.stacks);
  });
});

// arm-date-header: the reference clock is Azure's, read from ARM's Date header (injected here).
describe("the reference clock: Azure's, not this machine's", () => {
  it.each([
    [
      "behind by years",
      "2020-01-01T00:00:00Z",
      /this machine's clock \(2020-01-01T00:00:00Z\) is .* behind Azure's \(2025-03-01T12:00:00Z\)/,
    ],
    ["ahead by years", "2030-06-01T00:00:00Z", /is .* ahead of Azure's/],
    ["six minutes behind", "2025-03-01T11:54:00Z", /is 6m behind Azure's/],
  ])("a laptop clock %s can set no expiry: create refuses before the backend is touched", async (_, local, message) => {
    const run = h.lab(
      ["create", "ws", "--ttl", "8h", "--config", KEY],
      h.deps({ now: () => new Date(local), referenceNow: at("2025-03-01T12:00:00Z") }),
    );
    await expect(run).rejects.toThrow(LabRefusal);
    await expect(run).rejects.toThrow(message);
    expect(h.pulumiCalls()).toEqual([]);
  });

  it("a laptop clock ahead by years cannot extend a lab either", async () => {
    expect(await h.lab(["create", "ws", "--ttl", "8h", "--config", KEY])).toBe(0);
    const before = h.readState().stacks;
    const mark = h.pulumiCalls().length;
    await expect(
      h.lab(["create", "ws", "--ttl", "7d", "--extend"], h.deps({ now: () => new Date("2030-01-01T00:00:00Z") })),
    ).rejects.toThrow(/ahead of Azure's/);
    expect(h.pulumiCalls().slice(mark)).toEqual([]);
    expect(h.readState().stacks).toEqual(before);
  });

  it("within 5 minutes, createdAt is Azure's time, so expiresAt = Azure's now + TTL", async () => {
    const d = h.deps({ now: () => new Date("2025-03-01T12:04:00Z"), referenceNow: at("2025-03-01T12:00:07Z") });
    expect(await h.lab(["create", "ws", "--ttl", "8h", "--config", KEY], d)).toBe(0);
    const s = h.readState().stacks["lab-ws"];
    expect(s.config["dsvm-identity-lab:createdAt"]).toBe("2025-03-01T12:00:07Z");
    expect(s.outputs.expiresAt).toBe("2025-03-01T20:00:07Z");
  });

  it("no reference clock, no lab: refused before the backend is touched", async () => {
    const d = h.deps({ referenceNow: async () => Promise.reject(new Error("getaddrinfo ENOTFOUND management.azure.com")) });
    await expect(h.lab(["create", "ws", "--ttl", "8h", "--config", KEY], d)).rejects.toThrow(
      /could not read Azure's clock \(getaddrinfo ENOTFOUND/,
    );
    expect(h.pulumiCalls()).toEqual([]);
  });
});

describe("bad flags: exit 2 (UsageError) naming the flag, and the backend is never touched", () => {
  it.each([
    [["create", "ws", "--ttl", "0h"], /--ttl "0h"/],
    [["create", "ws", "--ttl", "8"], /--ttl "8": expected a duration/],
    [["create", "ws"], /missing --ttl/],
    [["create", "Bad_Name", "--ttl", "8h"], /lab NAME "Bad_Name"/],
    [["create", "ws", "--ttl", "8h", "--seats", "0"], /--seats "0"/],
    [["create", "ws", "--ttl", "8h", "--config", "ephemeral=false"], /--config ephemeral: set by lab create/],
    [["create", "ws", "--ttl", "8h", "--config", "createdAt=2099-01-01T00:00:00Z"], /--config createdAt: set by lab create/],
    [["create", "ws", "--ttl", "8h", "--config", "novalue"], /expected key=value/],
    [["create", "ws", "--ttl", "8h"], /sshPublicKey = \(not set\)[\s\S]*--config key=value/],
    [["create", "ws", "--ttl", "8h", "--config", KEY, "--config", "seats=0"], /seats = "0"/],
    [["create", "ws", "--ttl", "8h", "--yes"], /--yes does not apply to create/],
    [["create", "ws", "--ttl", "8h", "--extend", "--seats", "3"], /--seats does not apply to create --extend \(it only moves the expiry\)/],
    [["create", "ws", "--ttl", "8h", "--extend", "--config", KEY], /--config does not apply to create --extend/],
    [["create", "ws", "--extend"], /missing --ttl/],
    [["create", "ws", "--ttl", "8h", "--extend=yes"], /--extend/],
    [["destroy", "ws", "--extend"], /--extend does not apply to destroy\n/],
    [["destroy", "ws", "--even-if-lasting", "other"], /--even-if-lasting "other": expected the lab NAME again \("ws"\)/],
    [["destroy", "ws", "--even-if-lasting", "lab-ws"], /--even-if-lasting "lab-ws": expected the lab NAME again/],
    [["destroy", "ws", "--even-if-lasting"], /--even-if-lasting <value>' argument missing/],
    [["list", "--even-if-lasting", "ws"], /--even-if-lasting does not apply to list/],
    [["destroy"], /missing lab NAME/],
    [["reap", "--yes", "--dry-run"], /contradict/],
    [["reap", "now"], /unexpected argument "now"/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /missing command/],
  ])("%j", async (argv, message) => {
    await expect(h.lab(argv as string[])).rejects.toThrow(UsageError);
    await expect(h.lab(argv as string[])).rejects.toThrow(message);
    expect(h.pulumiCalls()).toEqual([]);
  });
});

describe("npm run lab (the process)", () => {
  // The first row runs as a child process (scripts/lab/index.ts through runMain: exit code, stderr, no stack frame);
  // the others run the same CLI through the same runCommand in this process.
  it.each([
    [["create", "ws", "--ttl", "3w"], '--ttl "3w": expected a duration from 1h to 7d', true],
    [["destroy", "ws", "--even-if-lasting", "wx"], '--even-if-lasting "wx": expected the lab NAME again ("ws")', false],
    [["create", "ws", "--ttl", "8h", "--extend", "--seats", "2"], "--seats does not apply to create --extend", false],
  ])("%j exits 2 with a clear message and no stack trace", async (argv, message, child) => {
    const r = child
      ? spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/lab/index.ts", ...argv], {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, PATH: `${h.dir}${path.delimiter}${process.env.PATH}` },
        })
      : await runMainInProcess((a, io) => runLabCli(a, h.deps(), (t) => io.stdout.write(t)), argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(h.pulumiCalls()).toEqual([]);
  });
});
