// Large labs and a deployment with no wasted minutes, proven on the real program's recorded graph (under mocks).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, validateConfig } from "../lib/config";
import type { ProgramRun, RecordedResource } from "../offline/harness";
import { MOCK_CLIENT } from "../offline/mocks";
import { buildReport } from "../scripts/plan/report";
import { devConfig, ofType, one, ROOT, runLab, runLabFailure } from "./helpers/program";
import { runInProcess, runProcess } from "./scripts/shared/command";

const T = {
  vm: "azure-native:compute:VirtualMachine",
  vault: "azure-native:keyvault:Vault",
  policy: "azure-native:keyvault:AccessPolicy",
  secret: "azure-native:keyvault:Secret",
  account: "azure-native:storage:StorageAccount",
  assignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  runCommand: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
  secretVault: "dsvm-identity-lab:lab:SecretVault",
};
const GROUP = "0f0e0d0c-0b0a-4909-8807-060504030201";

/** Everything `r` waits for, directly or not. */
function transitiveDeps(run: ProgramRun, r: RecordedResource): RecordedResource[] {
  const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const walk = (urn: string) => {
    for (const d of byUrn.get(urn)?.dependencies ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      walk(d);
    }
  };
  walk(r.urn);
  return [...seen].map((u) => byUrn.get(u)!).filter(Boolean);
}

const parentName = (run: ProgramRun, r: RecordedResource) => run.resources.find((x) => x.urn === r.parent)?.name;
const principalOf = (run: ProgramRun, seat: number) => one(run, T.vm, `seat${seat}-vm`).state.identity.principalId as string;
/** The seat a grant is for, found by ids (not by name): it names the seat's identity, or it is scoped to the seat's VM. */
function grantSeat(run: ProgramRun, g: RecordedResource, seats: number): number | undefined {
  const principal = g.type === T.policy ? g.inputs.policy.objectId : g.inputs.principalId;
  for (let n = 1; n <= seats; n++) if (principalOf(run, n) === principal || g.inputs.scope === one(run, T.vm, `seat${n}-vm`).id) return n;
  return undefined;
}
const isGrant = (r: RecordedResource) => r.type === T.policy || r.type === T.assignment;

/** `npm run plan -- ARGS`, its main in this process (the process contract is proven by the child rows below). */
async function plan(args: string[]) {
  const r = await runInProcess("scripts/plan/index.ts", args);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A 30-seat lab planned once through the command, for its critical path and for its JSON's size. */
let big: ReturnType<typeof plan> | undefined;
const bigPlan = () => (big ??= plan(["--json", "--config", "seats=30", "--config", "checkOnDeploy=false"]));

describe("sharding seats across vaults, in the program", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runLab({ seats: "3", seatsPerVault: "2" });
  });

  it("keeps one vault named vault up to seatsPerVault seats", async () => {
    const two = await runLab({ seats: "2", seatsPerVault: "2" });
    expect(ofType(two, T.secretVault).map((v) => v.name)).toEqual(["vault"]);
    expect(ofType(two, T.vault)).toHaveLength(1);
  });

  it("opens vault2 for the seat past it, each vault with its own seats' policies, the operators' and a canary", () => {
    expect(ofType(run, T.secretVault).map((v) => v.name)).toEqual(["vault", "vault2"]);
    // The policies are inline on each vault (one write per vault): the operators' first, then its own seats'.
    const policiesIn = (vault: string) =>
      (one(run, T.vault, `${vault}-kv`).inputs.properties.accessPolicies as { objectId: string }[]).map((p) => p.objectId);
    expect(policiesIn("vault")).toEqual([MOCK_CLIENT.objectId, principalOf(run, 1), principalOf(run, 2)]);
    expect(policiesIn("vault2")).toEqual([MOCK_CLIENT.objectId, principalOf(run, 3)]);
    expect(ofType(run, T.policy)).toEqual([]);
    expect(
      ofType(run, T.secret)
        .map((s) => parentName(run, s))
        .sort(),
    ).toEqual(["vault", "vault2"]);
  });

  it("says in the outputs which vault each seat uses, and keeps the first vault's at the top", () => {
    const names = ["vault-kv", "vault2-kv"].map((n) => one(run, T.vault, n).state.name as string);
    const seatVms = run.outputs.seatVms as { seat: number; vaultName: string; vaultUri: string }[];
    expect(seatVms.map((s) => [s.seat, s.vaultName])).toEqual([
      [1, names[0]],
      [2, names[0]],
      [3, names[1]],
    ]);
    expect(seatVms[2].vaultUri).toBe(`https://${names[1]}.vault.azure.net/`);
    expect(run.outputs.vaultName).toBe(names[0]);
    expect(run.outputs.vaults).toEqual([
      { vaultName: names[0], vaultUri: `https://${names[0]}.vault.azure.net/`, firstSeat: 1, lastSeat: 2 },
      { vaultName: names[1], vaultUri: `https://${names[1]}.vault.azure.net/`, firstSeat: 3, lastSeat: 3 },
    ]);
  });

  it("points each seat's in-VM check at that seat's own vault", () => {
    const names = ["vault-kv", "vault2-kv"].map((n) => one(run, T.vault, n).state.name as string);
    const args = (seat: number) =>
      (one(run, T.runCommand, `seat${seat}-check-probe`).inputs.parameters as { value: string }[]).map((p) => p.value);
    expect(args(3)).toContain(`https://${names[1]}.vault.azure.net/`);
    expect(args(3)).not.toContain(`https://${names[0]}.vault.azure.net/`);
    expect(args(1)).toContain(`https://${names[0]}.vault.azure.net/`);
    // ...and waits for that vault, which carries its policy, and not for the other one.
    expect(one(run, T.runCommand, "seat3-check-probe").dependencies).toContain(one(run, T.vault, "vault2-kv").urn);
    expect(one(run, T.runCommand, "seat3-check-probe").dependencies).not.toContain(one(run, T.vault, "vault-kv").urn);
  });

  it("reports seat -> vault and the role assignments in the plan", () => {
    const report = buildReport(run);
    expect(report.vaults).toEqual([
      { name: "vault", seats: [1, 2] },
      { name: "vault2", seats: [3] },
    ]);
    // customRoleSource subscription (the default): the listKeys role is the bootstrap's, so the lab defines none.
    expect(report.roleAssignments).toMatchObject({ count: 3, limit: 4000, byComponent: { StorageKeyAccess: 3 }, roleDefinitions: 0 });
  });
});

describe("role assignments against Azure's 4000 per subscription", () => {
  const wide = { subnetPrefix: "10.42.16.0/20" };

  it("creates the custom listKeys role once per lab (customRoleSource lab), whatever the seat count", async () => {
    const run = await runLab({ seats: "3", labUsersGroupObjectId: GROUP, customRoleSource: "lab" });
    expect(ofType(run, T.roleDefinition)).toHaveLength(1);
    expect(ofType(run, T.assignment)).toHaveLength(6); // listKeys and lab users' sign-in, per seat
    expect(buildReport(run).roleAssignments).toMatchObject({
      count: 6,
      byComponent: { StorageKeyAccess: 3, DataScienceVm: 3 },
      roleDefinitions: 1,
    });
  });

  it("allows the largest lab: 4000 seats in a /20, 8 vaults of 500", () => {
    expect(() => validateConfig(devConfig({ ...wide, seats: "4000" }))).not.toThrow();
  });

  it.each([
    [{ seats: "4001" }, "an integer from 1 to 4000"],
    [
      { seats: "2001", labUsersGroupObjectId: GROUP },
      "at most 2000: Azure's limit of 4000 role assignments per subscription; this lab needs 4002 (2 per seat)",
    ],
    // Windows seats: VM Administrator Login for the deploying principal on each seat counts too.
    [
      { seats: "2001", os: "windows", sshPublicKey: "" },
      "at most 2000: Azure's limit of 4000 role assignments per subscription; this lab needs 4002 (2 per seat)",
    ],
    [
      { seats: "100", roleAssignmentsInUse: "3950" },
      "at most 50: Azure's limit of 4000 role assignments per subscription; this lab needs 100 (1 per seat) and roleAssignmentsInUse says 3950 are taken",
    ],
  ])("refuses %j, naming the limit", (overrides, expected) => {
    let error: unknown;
    try {
      validateConfig(devConfig({ ...wide, ...overrides }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({ key: "seats", expected: expect.stringContaining(expected) }),
    ]);
  });

  it("stops the program before any resource exists when the lab cannot fit", async () => {
    const { error, registered } = await runLabFailure({ ...wide, seats: "2001", labUsersGroupObjectId: GROUP });
    expect(error.message).toContain("Azure's limit of 4000 role assignments per subscription");
    expect(registered).toBe(0);
  });
});

describe("no wasted minutes: what waits for what", () => {
  const SEATS = 3;
  let run: ProgramRun;
  beforeAll(async () => {
    // Two vaults and lab users, so every kind of grant is there.
    run = await runLab({ seats: String(SEATS), seatsPerVault: "2", labUsersGroupObjectId: GROUP });
  });

  it("creates the storage account in parallel with the VMs, and each vault (and its canary) after its own shard's VMs only", () => {
    for (const r of ofType(run, T.account)) expect([r.name, transitiveDeps(run, r).filter((d) => d.type === T.vm)]).toEqual([r.name, []]);
    // The vault carries its seats' policies in one write (kv-access-policy-409-serialize), so it waits for their VMs.
    const shardVms = { vault: ["seat1-vm", "seat2-vm"], vault2: ["seat3-vm"] } as Record<string, string[]>;
    for (const r of [...ofType(run, T.vault), ...ofType(run, T.secret)]) {
      const shard = parentName(run, r)!;
      expect([
        r.name,
        transitiveDeps(run, r)
          .filter((d) => d.type === T.vm)
          .map((d) => d.name)
          .sort(),
      ]).toEqual([r.name, shardVms[shard]]);
    }
  });

  it("makes each seat's grants wait for that seat's VM only", () => {
    const grants = run.resources.filter((r) => isGrant(r) && grantSeat(run, r, SEATS) !== undefined);
    expect(grants.length).toBe(SEATS * 2); // listKeys, lab users' sign-in (the vault policies are the vault's)
    for (const g of grants) {
      const seat = grantSeat(run, g, SEATS)!;
      expect([
        g.name,
        transitiveDeps(run, g)
          .filter((d) => d.type === T.vm)
          .map((d) => d.name),
      ]).toEqual([g.name, [`seat${seat}-vm`]]);
    }
  });

  it("makes each seat's in-VM check wait for its own grants and its own shard's VMs only", () => {
    const shardOf = (seat: number) => (seat <= 2 ? [1, 2] : [3]);
    for (let seat = 1; seat <= SEATS; seat++) {
      const check = one(run, T.runCommand, `seat${seat}-check-probe`);
      const deps = transitiveDeps(run, check);
      expect(
        deps
          .filter((d) => d.type === T.vm)
          .map((d) => d.name)
          .sort(),
      ).toEqual(shardOf(seat).map((n) => `seat${n}-vm`));
      const grantSeats = deps.filter((d) => isGrant(d)).map((d) => grantSeat(run, d, SEATS));
      expect(grantSeats.length).toBeGreaterThanOrEqual(1); // its listKeys assignment
      expect(new Set(grantSeats)).toEqual(new Set([seat]));
      expect(deps.map((d) => d.name)).toContain(seat <= 2 ? "vault-kv" : "vault2-kv");
    }
  });

  it("vm-one-extension-operation-at-a-time: each check runs after its seat's sign-in extension", () => {
    for (let seat = 1; seat <= SEATS; seat++) {
      expect(one(run, T.runCommand, `seat${seat}-check-probe`).dependencies).toContain(
        one(run, "azure-native:compute:VirtualMachineExtension", `seat${seat}-aadssh`).urn,
      );
    }
  });

  it("computes the critical path on the real plan graph: Azure's minimum, the NAT gateway's two steps, and the vault's one write", () => {
    const { criticalPath } = buildReport(run);
    // kv-access-policy-409-serialize: the policies are one vault write after the VMs, then the canary, then the check.
    expect(criticalPath.chain.map((s) => s.type.replace(/^azure-native:/, ""))).toEqual([
      "resources:ResourceGroup",
      "network:PublicIPAddress",
      "network:NatGateway",
      "network:Subnet",
      "network:NetworkInterface",
      "compute:VirtualMachine",
      "keyvault:Vault",
      "keyvault:Secret",
      "compute:VirtualMachineRunCommandByVirtualMachine",
    ]);
    expect(criticalPath.length).toBe(9);
    const added = criticalPath.chain.filter((s) => s.minimumStep === null).map((s) => s.type.replace(/^azure-native:/, ""));
    expect(
      added.filter((t) => !["network:PublicIPAddress", "network:NatGateway", "keyvault:Vault", "keyvault:Secret"].includes(t)),
    ).toEqual([]);
    expect(criticalPath.extraSteps).toBe(added.length);
    // One seat's chain: its NIC and VM, its vault, that vault's canary and its check.
    const seat = Number(/^seat(\d+)-/.exec(criticalPath.chain[4].name)![1]);
    const vault = seat <= 2 ? "vault" : "vault2";
    expect(criticalPath.chain.slice(4).map((s) => s.name)).toEqual([
      `seat${seat}-nic`,
      `seat${seat}-vm`,
      `${vault}-kv`,
      `${vault}-canary`,
      `seat${seat}-check-probe`,
    ]);
    // Every step on the path has a figure and says where it comes from.
    for (const s of criticalPath.chain)
      expect(s.typical).toEqual({
        seconds: expect.any(Number),
        basis: expect.stringMatching(/^(documented|measured|estimate)$/),
        source: expect.any(String),
      });
  });

  it("keeps that path's length whatever the seat count: one vault write, not one policy write per seat", async () => {
    // 30 seats: a chain of policies would make the path 30+ steps (500 seats: 507; see components/SecretVault.ts).
    const { code, out } = await bigPlan();
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.summary.seats).toBe(30);
    expect(report.resources.filter((r: { type: string }) => r.type === T.policy)).toEqual([]);
    const { criticalPath } = report as { criticalPath: { chain: { type: string }[]; length: number } };
    // Without the check the path ends at the canary: RG, NAT IP, NAT, subnet, NIC, VM, vault, canary.
    expect(criticalPath.chain.map((s) => s.type.replace(/^azure-native:/, "")).slice(-3)).toEqual([
      "compute:VirtualMachine",
      "keyvault:Vault",
      "keyvault:Secret",
    ]);
    expect(criticalPath.length).toBe(8);
  });
});

describe("no sleeps in the program", () => {
  // A fixed wait is never the answer: grants propagate while the in-VM probe retries (probe/vm-probe.py).
  const SLEEP = /\bsetTimeout\s*\(|\bsetInterval\s*\(|\bsleep\s*\(|\bSleep\b|time:index\/sleep|@pulumiverse\/time|\bdelay\s*\(/;
  const files = [
    "index.ts",
    ...fs.readdirSync(path.join(ROOT, "components")).map((f) => `components/${f}`),
    ...fs.readdirSync(path.join(ROOT, "lib")).map((f) => `lib/${f}`),
  ].filter((f) => f.endsWith(".ts"));

  it("finds the kinds of sleep it looks for", () => {
    for (const s of [
      "await new Promise((r) => setTimeout(r, 60000));",
      "new time.Sleep('wait', { createDuration: '60s' })",
      "time.sleep(30)",
      'type: "time:index/sleep:Sleep"',
    ])
      expect(s).toMatch(SLEEP);
  });

  it.each(files)("%s has none", (file) => {
    const hits = fs
      .readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .filter((l) => SLEEP.test(l));
    expect(hits).toEqual([]);
  });
});

describe("npm run plan -- --config key=value", () => {
  it("overrides config for one plan, and the JSON shows seat -> vault, assignments and the critical path", async () => {
    const { code, out, err } = await plan(["--json", "--config", "seats=3", "--config", "dsvm-identity-lab:seatsPerVault=2"]);
    expect([code, err]).toEqual([0, ""]);
    const report = JSON.parse(out);
    expect(report.summary.seats).toBe(3);
    expect(report.vaults).toEqual([
      { name: "vault", seats: [1, 2] },
      { name: "vault2", seats: [3] },
    ]);
    expect(report.roleAssignments.count).toBe(3);
    expect(report.criticalPath).toMatchObject({ length: 9, azureMinimum: { length: 6 } });
    expect(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).not.toMatch(/seatsPerVault/); // nothing was written
  });

  it("writes all of a large plan's JSON into a pipe before it exits", async () => {
    const { code, out } = await bigPlan();
    expect(code).toBe(0);
    expect(out.length).toBeGreaterThan(128 * 1024); // well past a pipe's 64 KiB buffer
    expect(JSON.parse(out).summary.seats).toBe(30);
    // The exit is the process wrapper's (runMain, every command's): a child process writes that JSON through it into a
    // pipe and must deliver every byte. Planning the lab again in the child would only cost a second of CPU; plan's
    // own process runs (exit 0 and 2) are in tests/scripts/plan/program.test.ts and config.test.ts.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-pipe-"));
    try {
      fs.writeFileSync(path.join(dir, "plan.json"), out);
      fs.writeFileSync(
        path.join(dir, "main.ts"),
        `import * as fs from "fs";\nimport { runMain } from ${JSON.stringify(path.join(ROOT, "scripts/shared/cli"))};\nrunMain(async (argv, io) => { io.stdout.write(fs.readFileSync(argv[0], "utf8")); return 0; });\n`,
      );
      const child = await runProcess(path.join(dir, "main.ts"), [path.join(dir, "plan.json")], dir);
      expect([child.status, child.stderr]).toEqual([0, ""]);
      expect(child.stdout.length).toBe(out.length);
      expect(child.stdout === out).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["--config", "seats"], /^--config "seats": expected key=value, such as seats=3/],
    [["--config", "=3"], /^--config "=…": expected key=value/],
    [["--config", "seats=many"], /dsvm-identity-lab:seats = "many": expected an integer from 1 to 4000/],
    [["--config", "nosuchkey=1"], /dsvm-identity-lab:nosuchkey = \(value not shown\): expected no such key/],
  ])("exits 2 on %j with a message and no stack trace", async (args, message) => {
    const { code, out, err } = await plan(args as string[]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message as RegExp);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
