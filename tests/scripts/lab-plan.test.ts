// The lab CLI's pure decisions, table by table: TTLs, names, --config, what is lasting (one function for list,
// destroy, reap and --extend), the reaper's choices, and which vaults a stack owns by its outputs.
import { UsageError } from "../../scripts/lib/cli";
import { withProgress } from "../../scripts/lib/lab-ops";
import {
  confirmsLasting,
  createConfig,
  decideReap,
  destroyRefusal,
  extendRefusal,
  formatLabList,
  humanSpan,
  labInfo,
  labLifecycle,
  labStackName,
  labStatus,
  ownVaults,
  parseConfigPairs,
  parseSeats,
  parseTtl,
  StackFacts,
  VaultRef,
  vaultsToPurge,
} from "../../scripts/lib/lab-plan";

const NOW = new Date("2025-03-01T12:00:00Z");
const SUB = "00000000-0000-0000-0000-000000000501";

describe("parseTtl", () => {
  it.each([
    ["8h", 8, undefined],
    ["1h", 1, undefined],
    ["2d", 48, undefined],
    ["7d", 168, undefined],
    ["168h", 168, undefined],
    ["120m", 2, undefined],
    ["90m", 2, "--ttl 90m rounded up to 2h (ttlHours is whole hours)"],
    ["1m", 1, "--ttl 1m rounded up to 1h (ttlHours is whole hours)"],
  ])("%s is %ih", (text, hours, note) => {
    expect(parseTtl(text)).toEqual(note ? { hours, note } : { hours });
  });

  it.each(["0h", "0m", "8d", "169h", "10081m", "8", "h", "-1h", "1.5h", "8H", "8 h", "", "1w"])("refuses %j naming the flag and the form", (text) => {
    expect(() => parseTtl(text)).toThrow(UsageError);
    expect(() => parseTtl(text)).toThrow(`--ttl ${JSON.stringify(text)}: expected a duration from 1h to 7d, such as 8h, 90m or 2d`);
  });

  it("requires --ttl", () => expect(() => parseTtl(undefined)).toThrow("missing --ttl"));
});

describe("names, seats and --config", () => {
  it.each([
    ["ws", "lab-ws"],
    ["workshop-1", "lab-workshop-1"],
    ["a".repeat(30), `lab-${"a".repeat(30)}`],
  ])("%s is the stack %s", (name, stack) => expect(labStackName(name)).toBe(stack));

  it.each(["", "Ws", "-ws", "ws-", "w_s", "a".repeat(31), "lab/ws", "ws!"])("refuses the name %j", (name) => {
    expect(() => labStackName(name)).toThrow(UsageError);
  });

  it.each([["1", "1"], ["12", "12"], [undefined, undefined]])("--seats %j", (text, expected) => expect(parseSeats(text)).toBe(expected));
  it.each(["0", "-1", "1.5", "x", "01", "99999"])("refuses --seats %j", (text) => expect(() => parseSeats(text)).toThrow(`--seats "${text}"`));

  it("takes bare and namespaced keys; values may hold '='", () => {
    expect(parseConfigPairs(["seats=3", "dsvm-identity-lab:owner=ada", "sshPublicKey=ssh-ed25519 AAA= c"])).toEqual({ seats: "3", owner: "ada", sshPublicKey: "ssh-ed25519 AAA= c" });
  });

  it.each([
    ["ephemeral=false", "set by lab create"],
    ["createdAt=2020-01-01T00:00:00Z", "set by lab create"],
    ["ttlHours=99", "set by lab create"],
    ["=x", "expected key=value"],
    ["seats", "expected key=value"],
    ["other:key=1", "expected key=value"],
  ])("refuses --config %j", (pair, message) => expect(() => parseConfigPairs([pair])).toThrow(message));

  it("create sets ephemeral, ttlHours, createdAt (the clock, once) and an owner", () => {
    const values = createConfig({ ttl: { hours: 8 }, seats: "2", pairs: { vmSize: "Standard_D2s_v5" }, owner: "ada", now: new Date("2025-03-01T12:00:00.789Z") });
    expect(values).toEqual({ vmSize: "Standard_D2s_v5", seats: "2", owner: "ada", ephemeral: "true", ttlHours: "8", createdAt: "2025-03-01T12:00:00Z" });
    expect(createConfig({ ttl: { hours: 1 }, pairs: { owner: "bob" }, owner: "ada", now: NOW }).owner).toBe("bob");
  });
});

const facts = (stack: string, outputs: Record<string, unknown> = {}, tags: Record<string, string> = {}): StackFacts => ({ stack, outputs, tags });

const OTHER = "00000000-0000-0000-0000-000000000999";
const ids = (sub = SUB) => ({ storageAccountId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`, seatVms: [{ vmId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1` }] });
const FORGED = { "lab:purge": `${OTHER}/westeurope/kv-x`, "lab:ephemeral": "true", "lab:expiresAt": "2020-01-01T00:00:00Z", "lab:owner": "ada" };

describe("labLifecycle: ephemeral only when the outputs say ephemeral: true", () => {
  it.each([
    [{ ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }, false],
    [{ ephemeral: true }, false],
    [{ ephemeral: false }, true],
    [{ ephemeral: "true", expiresAt: "2025-03-01T11:00:00Z" }, true],
    [{ ephemeral: 1 }, true],
    [{ expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }, true],
    [{}, true],
  ])("%j: lasting %s", (outputs, lasting) => {
    expect(labLifecycle(outputs).lasting).toBe(lasting);
    // destroy, list and reap ask the same function, so they agree.
    expect(destroyRefusal(facts("lab-x", outputs)) !== undefined).toBe(lasting);
    expect(labStatus(labInfo(facts("lab-x", outputs)), NOW).startsWith("lasting")).toBe(lasting);
    expect(decideReap([facts("lab-x", outputs)], NOW)[0].reason.startsWith("lasting")).toBe(lasting);
  });

  it("tags never make a stack ephemeral, nor name its owner", () => {
    expect(labInfo(facts("lab-x", {}, FORGED)).lifecycle.lasting).toBe(true);
    expect(labInfo(facts("lab-x", { ephemeral: false }, FORGED)).lifecycle.lasting).toBe(true);
    expect(labInfo(facts("lab-x", { ephemeral: false }, FORGED)).owner).toBeUndefined();
  });
});

describe("decideReap: the reaper's table", () => {
  const table: Array<[string, StackFacts, "reap" | "keep", RegExp]> = [
    ["expired", facts("lab-a", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }), "reap", /^ephemeral and expired at 2025-03-01T11:00:00Z \(1h ago\)$/],
    ["expired this very second", facts("lab-b", { ephemeral: true, expiresAt: "2025-03-01T12:00:00Z" }), "reap", /expired/],
    ["not expired", facts("lab-c", { ephemeral: true, expiresAt: "2025-03-01T12:00:01Z" }), "keep", /not expired: expires 2025-03-01T12:00:01Z/],
    ["not ephemeral, long expired", facts("lab-d", { ephemeral: false, expiresAt: "2020-01-01T00:00:00Z" }), "keep", /lasting: its outputs say ephemeral: false/],
    ["no ephemeral output at all", facts("lab-e", { expiresAt: "2020-01-01T00:00:00Z" }), "keep", /lasting: its outputs do not say ephemeral: true/],
    ["ephemeral with no expiry", facts("lab-f", { ephemeral: true }), "keep", /without a valid expiresAt/],
    ["ephemeral with a garbled expiry", facts("lab-g", { ephemeral: true, expiresAt: "tomorrow" }), "keep", /without a valid expiresAt/],
    ["no outputs, only the purge tag (half-destroyed by an old CLI, or forged)", facts("lab-h", {}, { "lab:purge": "none" }), "keep", /lasting: it has no outputs/],
    ["no outputs, tags say expired", facts("lab-i", {}, FORGED), "keep", /lasting: it has no outputs/],
    ["outputs say lasting, tags say ephemeral and expired", facts("lab-j", { ephemeral: false }, FORGED), "keep", /lasting/],
    ["a destroy began, not expired: kept until it expires", facts("lab-l", { ephemeral: true, expiresAt: "2025-03-01T13:00:00Z" }, { "lab:destroying": "2025-03-01T11:00:00Z" }), "keep", /not expired/],
    ["a destroy began, expired", facts("lab-m", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }, { "lab:destroying": "x" }), "reap", /expired .*; a destroy of it began and did not finish$/],
    ["expiry beyond any TTL (year 9999)", facts("lab-n", { ephemeral: true, expiresAt: "9999-01-01T00:00:00Z" }), "keep", /more than 168h away, beyond any TTL/],
    ["expiry exactly 168h away", facts("lab-o", { ephemeral: true, expiresAt: "2025-03-08T12:00:00Z" }), "keep", /not expired/],
    ["not a lab stack, expired", facts("dev", { ephemeral: true, expiresAt: "2020-01-01T00:00:00Z" }), "keep", /not a lab stack/],
    ["org-qualified lab stack", facts("acme/lab-k", { ephemeral: true, expiresAt: "2025-03-01T11:59:00Z" }), "reap", /expired/],
  ];
  it.each(table)("%s", (_, f, action, reason) => {
    const [d] = decideReap([f], NOW);
    expect(d.stack).toBe(f.stack);
    expect(d.action).toBe(action);
    expect(d.reason).toMatch(reason);
  });
});

describe("destroyRefusal and --even-if-lasting", () => {
  it.each([
    [facts("lab-a", { ephemeral: true }), undefined],
    [facts("lab-b", {}, {}), "lab-b is lasting: it has no outputs"],
    [facts("lab-c", { ephemeral: false }, { "lab:purge": "none", "lab:destroying": "x" }), "lab-c is lasting: its outputs say ephemeral: false"],
    [facts("lab-d", { ephemeral: false }), "npm run lab -- destroy d --even-if-lasting d"],
    [facts("lab-e", {}, { "lab:ephemeral": "true" }), "lab-e is lasting"],
  ])("%j", (f, refusal) => {
    const why = destroyRefusal(f);
    if (refusal) expect(why).toContain(refusal);
    else expect(why).toBeUndefined();
  });

  it("the flag must repeat the lab NAME", () => {
    expect(confirmsLasting("ws", undefined)).toBe(false);
    expect(confirmsLasting("ws", "ws")).toBe(true);
    for (const bad of ["", "WS", "lab-ws", "ws ", "other"]) {
      expect(() => confirmsLasting("ws", bad)).toThrow(UsageError);
      expect(() => confirmsLasting("ws", bad)).toThrow(`--even-if-lasting ${JSON.stringify(bad)}: expected the lab NAME again ("ws")`);
    }
  });
});

describe("extendRefusal: the same owner's ephemeral lab, only later, within the TTL rules", () => {
  const mine = (extra: Record<string, unknown> = {}, tags: Record<string, string> = {}) => facts("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada", ...extra }, tags);
  it.each([
    ["allowed", mine(), "2025-03-02T12:00:00Z", undefined],
    ["someone else's", mine({ owner: "bob" }), "2025-03-02T12:00:00Z", /belongs to "bob", not "ada"/],
    ["no owner output", mine({ owner: undefined }), "2025-03-02T12:00:00Z", /belongs to no recorded owner/],
    ["owner only in a tag", facts("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" }, { "lab:owner": "ada" }), "2025-03-02T12:00:00Z", /no recorded owner/],
    ["lasting", mine({ ephemeral: false }), "2025-03-02T12:00:00Z", /is lasting .*only extends an ephemeral lab/],
    ["lasting, tags say ephemeral", facts("lab-ws", { owner: "ada" }, FORGED), "2025-03-02T12:00:00Z", /is lasting/],
    ["shorter", mine(), "2025-03-01T19:00:00Z", /never shortens/],
    ["equal", mine(), "2025-03-01T20:00:00Z", /never shortens/],
    ["beyond the longest TTL", mine(), "2025-03-08T12:00:01Z", /more than 168h after now/],
    ["a destroy began", mine({}, { "lab:destroying": "x" }), "2025-03-02T12:00:00Z", /a destroy of it began/],
    ["no valid expiry", mine({ expiresAt: "soon" }), "2025-03-02T12:00:00Z", /no valid expiresAt/],
  ])("%s", (_, f, expiry, refusal) => {
    const why = extendRefusal(f, "ada", new Date(expiry), NOW);
    if (refusal) expect(why).toMatch(refusal);
    else expect(why).toBeUndefined();
  });
});

describe("vaults to purge: those the outputs name, in the subscription the outputs' ids name", () => {
  const vault = (name: string, subscriptionId = SUB, location = "westeurope"): VaultRef => ({ name, location, subscriptionId });

  it("takes names from vaultName and vaults, and the one subscription of every ARM id", () => {
    const outputs = { vaultName: "kv-1", vaults: [{ vaultName: "kv-1" }, { vaultName: "KV-2" }], ...ids() };
    expect(ownVaults(outputs)).toEqual({ subscriptionId: SUB, names: ["kv-1", "kv-2"] });
    expect(ownVaults({ vaults: [{ vaultName: "kv-3" }], storageAccountId: `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg` })).toEqual({ subscriptionId: SUB, names: ["kv-3"] });
  });

  it.each([
    [{ ...ids() }, /name no vault/],
    [{ vaultName: "kv-1" }, /no resource id among the outputs/],
    [{ vaultName: "kv-1", storageAccountId: "not-an-id" }, /no resource id among the outputs/],
    [{ vaultName: "kv-1", ...ids(), extra: { id: `/subscriptions/${OTHER}/resourceGroups/x` } }, /name 2 subscriptions, not one/],
    [{ vaultName: "kv-1", ...ids(), seatVms: [{ vmId: `/subscriptions/${OTHER}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1` }] }, /name 2 subscriptions/],
    [{ vaultName: "kv/../x", ...ids() }, /no Key Vault name/],
    [{ vaultName: "kv-1", vaults: [{ vaultName: 7 }], ...ids() }, /no Key Vault name: 7/],
    [{ vaultName: "-kv", ...ids() }, /no Key Vault name/],
  ])("%j has a problem: nothing is purged", (outputs, problem) => {
    const own = ownVaults(outputs as Record<string, unknown>);
    expect("problem" in own && own.problem).toMatch(problem);
    expect(vaultsToPurge(own, [vault("kv-1"), vault("kv-1", OTHER)])).toEqual([]);
  });

  it("never another subscription's vault, even with the same name; never one the outputs do not name", () => {
    const own = ownVaults({ vaultName: "kv-1", vaults: [{ vaultName: "kv-1" }, { vaultName: "kv-2" }], ...ids() });
    const deleted = [vault("KV-1"), vault("kv-1", OTHER), vault("kv-2", OTHER), vault("kv-mine-by-tag"), vault("kv-2", SUB, "eastus2")];
    expect(vaultsToPurge(own, deleted)).toEqual([vault("KV-1"), vault("kv-2", SUB, "eastus2")]);
  });
});

describe("list", () => {
  it("formats owner, seats, expiry and status, marking expired ones", () => {
    const labs = [
      labInfo(facts("lab-a", { ephemeral: true, expiresAt: "2025-03-01T09:30:00Z", owner: "ada", seatVms: [{}, {}] })),
      labInfo(facts("lab-b", { ephemeral: true, expiresAt: "2025-03-02T14:00:00Z" })),
      labInfo(facts("lab-c", { ephemeral: false, owner: "ops", seatVms: [{}] })),
    ];
    const text = formatLabList(labs, NOW);
    expect(text.split("\n")[0]).toMatch(/^STACK\s+OWNER\s+SEATS\s+EXPIRES\s+STATUS$/);
    expect(text).toMatch(/^lab-a\s+ada\s+2\s+2025-03-01T09:30:00Z\s+EXPIRED 2h 30m ago$/m);
    expect(text).toMatch(/^lab-b\s+-\s+-\s+2025-03-02T14:00:00Z\s+in 1d 2h$/m);
    expect(text).toMatch(/^lab-c\s+ops\s+1\s+-\s+lasting$/m);
    expect(formatLabList([labInfo(facts("lab-d", {}, { "lab:destroying": "x", "lab:owner": "eve" }))], NOW)).toMatch(/^lab-d\s+-\s+-\s+-\s+lasting, DESTROYING \(unfinished\)$/m);
    expect(formatLabList([], NOW)).toBe("no lab stacks (lab-*)\n");
  });

  it.each([[0, "0m"], [59_000, "1m"], [3_600_000, "1h"], [5_400_000, "1h 30m"], [90_000_000, "1d 1h"], [-7_200_000, "2h"]])("humanSpan(%i) = %s", (ms, text) =>
    expect(humanSpan(ms)).toBe(text),
  );
});

describe("withProgress", () => {
  it("says it is still waiting on every tick, and stops when the work settles", async () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      let finish!: (v: string) => void;
      const waiting = withProgress("purge kv", new Promise<string>((r) => (finish = r)), (l) => lines.push(l), 1000);
      jest.advanceTimersByTime(3000);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^purge kv: still running \(\d+s\)$/);
      finish("done");
      await expect(waiting).resolves.toBe("done");
      jest.advanceTimersByTime(5000);
      expect(lines).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
