// The lab CLI end to end through Pulumi's real Automation API, against a STAND-IN `pulumi`
// (tests/scripts/lab/fake-pulumi.js): no Pulumi CLI can be installed here. The stand-in records every argv and keeps a
// fake backend (and a fake Azure soft-delete bin) in a JSON file. Two paths reach it, with the same log and state. By
// default the Automation API runs it in this process (pulumi-command.ts): a process per command costs about 0.15 s of
// CPU, and the lab tests run some 700 commands. A test that calls spawnPulumi() first runs it as the CLI does in
// production, `pulumi` found on PATH and spawned for every command, version check included; a few tests take that
// path so it stays proven, and pulumi-command.test.ts checks that both answer alike. The Azure purge client and
// Azure's clock are injected: a fake that purges from that bin and records each call. Nothing here talks to a cloud.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLabCli } from "../../../scripts/lab/cli";
import type { LabDeps } from "../../../scripts/lab/ops";
import type { VaultRef } from "../../../scripts/lab/vaults";
import { inProcessPulumi } from "./pulumi-command";
import { devConfig, ROOT } from "../../helpers/program";

export const SUB = "00000000-0000-0000-0000-000000000501";
export const OTHER_SUB = "00000000-0000-0000-0000-000000000999";
export const NOW = new Date("2025-03-01T12:00:00Z");
export const SSH_KEY = devConfig().sshPublicKey;

export interface FakeStack {
  config: Record<string, string>;
  tags: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: Array<Record<string, any>>;
}
export interface DeletedVault extends VaultRef {
  tags: Record<string, string>;
}
export interface FakeState {
  subscriptionId: string;
  current?: string;
  stacks: Record<string, FakeStack>;
  deletedVaults: DeletedVault[];
  failDestroy: Record<string, number>;
  failUp?: Record<string, number>;
  /** The next n destroys of a stack fail before deleting anything. */
  failDestroyEarly?: Record<string, number>;
  /** While the key stack is destroyed, `outputs` are merged into `stack`'s (someone extends it meanwhile). */
  onDestroy?: Record<string, { stack: string; outputs: Record<string, unknown> }>;
  /** Right after the CLI tags the key stack, `outputs` are merged into its own. */
  onTagSet?: Record<string, Record<string, unknown>>;
}

export interface Harness {
  readonly dir: string;
  /** Vaults the fake purger purged, in order. */
  readonly purged: VaultRef[];
  /** Subscriptions the fake purger was asked to list. */
  readonly listed: string[];
  /** Every line logged or printed. */
  readonly lines: string[];
  readState(): FakeState;
  writeState(s: Partial<FakeState>): void;
  /** What the stand-in was asked (and VERIFY / PURGE markers), as argv arrays. */
  pulumiCalls(): string[][];
  /** This test runs the stand-in as the `pulumi` process on PATH, for every command (the production path). */
  spawnPulumi(): void;
  deps(overrides?: Partial<LabDeps>): LabDeps;
  lab(argv: string[], d?: LabDeps): Promise<number>;
}

export const rgId = (stack: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/dsvmlab-${stack}-rg`;

/** A deployed stack: the outputs index.ts exports (ARM ids in `sub`), and its vault in the state. */
export function deployed(
  stack: string,
  outputs: Record<string, unknown>,
  opts: { tags?: Record<string, string>; vault?: string; sub?: string; config?: Record<string, string> } = {},
): FakeStack {
  const vault = opts.vault ?? `kv-${stack}`;
  const rg = rgId(stack, opts.sub);
  return {
    config: opts.config ?? {},
    tags: opts.tags ?? {},
    outputs: {
      vaultName: vault,
      vaults: [{ vaultName: vault, firstSeat: 1, lastSeat: 2 }],
      storageAccountId: `${rg}/providers/Microsoft.Storage/storageAccounts/st1`,
      seatVms: [1, 2].map((seat) => ({
        seat,
        vmId: `${rg}/providers/Microsoft.Compute/virtualMachines/dsvmlab-vm${seat}`,
        vaultName: vault,
      })),
      ...outputs,
    },
    resources: [
      {
        urn: `kv-${vault}`,
        type: "azure-native:keyvault:Vault",
        id: `${rg}/providers/Microsoft.KeyVault/vaults/${vault}`,
        outputs: { location: "westeurope", tags: { lab: stack, ephemeral: "true" } },
      },
      { urn: "rg", type: "azure-native:resources:ResourceGroup", id: rg },
    ],
  };
}

/** Sets up the stand-in for each test of the calling file: one directory per file, a fresh backend and log per test. */
export function useHarness(): Harness {
  let dir = "";
  let savedEnv: NodeJS.ProcessEnv;
  let spawned = false;
  const purged: VaultRef[] = [];
  const listed: string[] = [];
  const lines: string[] = [];
  const statePath = () => path.join(dir, "state.json");
  const readState = (): FakeState => JSON.parse(fs.readFileSync(statePath(), "utf8"));
  const writeState = (s: Partial<FakeState>) =>
    fs.writeFileSync(statePath(), JSON.stringify({ subscriptionId: SUB, stacks: {}, deletedVaults: [], failDestroy: {}, ...s }));
  const mark = (entry: string[]) => fs.appendFileSync(path.join(dir, "calls.log"), `${JSON.stringify(entry)}\n`);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-cli-"));
    fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(__dirname, "fake-pulumi.js")}" "$@"\n`, {
      mode: 0o755,
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    writeState({});
    fs.writeFileSync(path.join(dir, "calls.log"), "");
    savedEnv = { ...process.env };
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH}`;
    process.env.FAKE_PULUMI_STATE = statePath();
    process.env.FAKE_PULUMI_LOG = path.join(dir, "calls.log");
    process.env.PULUMI_HOME = dir;
    spawned = false;
    purged.length = 0;
    listed.length = 0;
    lines.length = 0;
    // The stand-in sends no engine events, so the Automation API's destroy preview warns that it has no summary.
    const warn = console.warn.bind(console);
    jest
      .spyOn(console, "warn")
      .mockImplementation((...a: unknown[]) => (/Failed to parse summary event/.test(String(a[0])) ? undefined : warn(...a)));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.env = savedEnv;
  });

  const deps = (overrides: Partial<LabDeps> = {}): LabDeps => ({
    projectDir: ROOT,
    purger: {
      async listDeleted(sub) {
        listed.push(sub);
        return readState()
          .deletedVaults.filter((v) => v.subscriptionId === sub)
          .map(({ name, location, subscriptionId, vaultId }) => ({ name, location, subscriptionId, vaultId }));
      },
      async purge(v) {
        const s = readState();
        const i = s.deletedVaults.findIndex(
          (d) => d.name === v.name && d.location === v.location && d.subscriptionId === v.subscriptionId && d.vaultId === v.vaultId,
        );
        if (i < 0) return "absent";
        s.deletedVaults.splice(i, 1);
        writeState(s);
        purged.push(v);
        mark(["PURGE", v.subscriptionId, v.name]);
        return "purged";
      },
    },
    verify: async (stack) => {
      mark(["VERIFY", stack]);
      return 0;
    },
    log: (line) => lines.push(line),
    stream: () => undefined,
    now: () => NOW,
    referenceNow: async () => NOW,
    defaultOwner: "ada",
    pulumiCommand: spawned ? undefined : inProcessPulumi,
    ...overrides,
  });

  return {
    get dir() {
      return dir;
    },
    purged,
    listed,
    lines,
    readState,
    writeState,
    pulumiCalls: () =>
      fs
        .readFileSync(path.join(dir, "calls.log"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    spawnPulumi: () => {
      spawned = true;
    },
    deps,
    lab: (argv, d = deps()) => runLabCli(argv, d, (t) => lines.push(t)),
  };
}

/** Calls that change a stack: up, destroy, config set-all, stack tag set/rm, stack rm, a purge. */
export const WRITES = (c: string[]) =>
  ["up", "destroy", "PURGE"].includes(c[0]) ||
  (c[0] === "config" && c[1] === "set-all") ||
  (c[0] === "stack" && (c[1] === "rm" || (c[1] === "tag" && c[2] !== "ls")));
