// The lab CLI's pure decisions, table by table: TTLs, names, --config, the reaper's choices, vaults to purge.
import { UsageError } from "../../scripts/lib/cli";
import { withProgress } from "../../scripts/lib/lab-ops";
import {
  createConfig,
  decideReap,
  decodeVaults,
  DeletedVault,
  destroyRefusal,
  encodeVaults,
  formatLabList,
  humanSpan,
  labInfo,
  labStackName,
  parseConfigPairs,
  parseSeats,
  parseTtl,
  StackFacts,
  vaultsInState,
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

describe("decideReap: the reaper's table", () => {
  const table: Array<[string, StackFacts, "reap" | "finish" | "keep", RegExp]> = [
    ["expired", facts("lab-a", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }), "reap", /ephemeral and expired at 2025-03-01T11:00:00Z \(1h ago\)/],
    ["expired this very second", facts("lab-b", { ephemeral: true, expiresAt: "2025-03-01T12:00:00Z" }), "reap", /expired/],
    ["not expired", facts("lab-c", { ephemeral: true, expiresAt: "2025-03-01T12:00:01Z" }), "keep", /not expired: expires 2025-03-01T12:00:01Z/],
    ["not ephemeral, long expired", facts("lab-d", { ephemeral: false, expiresAt: "2020-01-01T00:00:00Z" }), "keep", /not ephemeral/],
    ["no ephemeral flag at all", facts("lab-e", { expiresAt: "2020-01-01T00:00:00Z" }), "keep", /not ephemeral/],
    ["ephemeral with no expiry tag", facts("lab-f", { ephemeral: true }), "keep", /without a valid expiresAt/],
    ["ephemeral with a garbled expiry", facts("lab-g", { ephemeral: true, expiresAt: "tomorrow" }), "keep", /without a valid expiresAt/],
    ["half-destroyed (purge tag, no outputs)", facts("lab-h", {}, { "lab:purge": "none" }), "finish", /half-destroyed/],
    ["outputs lost, create's tags say expired", facts("lab-i", {}, { "lab:ephemeral": "true", "lab:expiresAt": "2025-03-01T10:00:00Z" }), "reap", /expired/],
    ["outputs say lasting, tags say ephemeral: outputs win", facts("lab-j", { ephemeral: false }, { "lab:ephemeral": "true", "lab:expiresAt": "2020-01-01T00:00:00Z" }), "keep", /not ephemeral/],
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

describe("destroyRefusal", () => {
  it.each([
    [facts("lab-a", { ephemeral: true }), undefined],
    [facts("lab-b", {}, {}), undefined],
    [facts("lab-c", { ephemeral: false }, { "lab:purge": "none" }), undefined],
    [facts("lab-d", { ephemeral: false }), "lab-d is not ephemeral"],
    [facts("lab-e", {}, { "lab:ephemeral": "false" }), "lab-e is not ephemeral"],
  ])("%j", (f, refusal) => {
    const why = destroyRefusal(f);
    if (refusal) expect(why).toContain(refusal);
    else expect(why).toBeUndefined();
  });
});

describe("vaults to purge", () => {
  const vault = (name: string, location = "westeurope") => ({ name, location, subscriptionId: SUB });

  it("encodes into one stack tag and back", () => {
    const vaults = [vault("a-kv-1"), vault("b-kv-2", "eastus2")];
    expect(encodeVaults(vaults)).toBe(`${SUB}/westeurope/a-kv-1,${SUB}/eastus2/b-kv-2`);
    expect(decodeVaults(encodeVaults(vaults))).toEqual(vaults);
    expect(encodeVaults([])).toBe("none");
    expect(decodeVaults("none")).toEqual([]);
    expect(decodeVaults(undefined)).toEqual([]);
    expect(() => encodeVaults(Array.from({ length: 4 }, (_, i) => vault(`vault-with-a-long-name-${i}`)))).toThrow(/too many vaults/);
  });

  it("finds the vaults a stack owns in its exported state, skipping pending deletes and other types", () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg`;
    const deployment = {
      version: 3,
      deployment: {
        resources: [
          { type: "azure-native:keyvault:Vault", id: `${rg}/providers/Microsoft.KeyVault/vaults/kv-1`, outputs: { location: "westeurope" } },
          { type: "azure-native:keyvault:Vault", id: `${rg}/providers/Microsoft.KeyVault/vaults/kv-old`, outputs: { location: "westeurope" }, delete: true },
          { type: "azure-native:keyvault:Secret", id: `${rg}/providers/Microsoft.KeyVault/vaults/kv-1/secrets/s`, outputs: { location: "westeurope" } },
          { type: "azure-native:storage:StorageAccount", id: `${rg}/providers/Microsoft.Storage/storageAccounts/st`, outputs: { location: "westeurope" } },
        ],
      },
    };
    expect(vaultsInState(deployment)).toEqual([vault("kv-1")]);
    expect(vaultsInState({})).toEqual([]);
  });

  it("purges what was recorded plus deleted vaults tagged as the lab's, never another lab's", () => {
    const deleted: DeletedVault[] = [
      { ...vault("kv-mine"), tags: { lab: "lab-a" } },
      { ...vault("kv-theirs"), tags: { lab: "lab-b" } },
      { ...vault("kv-untagged"), tags: {} },
      { ...vault("KV-1"), tags: { lab: "lab-a" } },
    ];
    expect(vaultsToPurge("lab-a", [vault("kv-1")], deleted).map((v) => v.name)).toEqual(["KV-1", "kv-mine"]);
    expect(vaultsToPurge("lab-c", [], deleted)).toEqual([]);
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
