// The lab CLI's pure decisions, table by table: TTLs, names, --config, what is lasting (one function for list,
// destroy, reap and --extend), the reaper's choices, and which vaults a stack owns by its outputs.
import { UsageError } from "../../../scripts/shared/cli";
import { withProgress } from "../../../scripts/lab/ops";
import {
  confirmsLasting,
  confirmsNotMine,
  createConfig,
  decideReap,
  destroyRefusal,
  extendRefusal,
  foreignStack,
  formatLabList,
  humanSpan,
  labInfo,
  labLifecycle,
  labStackName,
  labStatus,
  notMineRefusal,
  ownVaults,
  parseConfigPairs,
  parseSeats,
  parseTtl,
  StackFacts,
  VaultRef,
  vaultsFromGroups,
  vaultsToPurge,
} from "../../../scripts/lab/decisions";

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

  it.each(["0h", "0m", "8d", "169h", "10081m", "8", "h", "-1h", "1.5h", "8H", "8 h", "", "1w"])(
    "refuses %j naming the flag and the form",
    (text) => {
      expect(() => parseTtl(text)).toThrow(UsageError);
      expect(() => parseTtl(text)).toThrow(`--ttl ${JSON.stringify(text)}: expected a duration from 1h to 7d, such as 8h, 90m or 2d`);
    },
  );

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

  it.each([
    ["1", "1"],
    ["12", "12"],
    [undefined, undefined],
  ])("--seats %j", (text, expected) => expect(parseSeats(text)).toBe(expected));
  it.each(["0", "-1", "1.5", "x", "01", "99999"])("refuses --seats %j", (text) =>
    expect(() => parseSeats(text)).toThrow(`--seats "${text}"`),
  );

  it("takes bare and namespaced keys; values may hold '='", () => {
    expect(parseConfigPairs(["seats=3", "dsvm-identity-lab:owner=ada", "sshPublicKey=ssh-ed25519 AAA= c"])).toEqual({
      seats: "3",
      owner: "ada",
      sshPublicKey: "ssh-ed25519 AAA= c",
    });
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
    const values = createConfig({
      ttl: { hours: 8 },
      seats: "2",
      pairs: { vmSize: "Standard_D2s_v5" },
      owner: "ada",
      now: new Date("2025-03-01T12:00:00.789Z"),
    });
    expect(values).toEqual({
      vmSize: "Standard_D2s_v5",
      seats: "2",
      owner: "ada",
      ephemeral: "true",
      ttlHours: "8",
      createdAt: "2025-03-01T12:00:00Z",
    });
    expect(createConfig({ ttl: { hours: 1 }, pairs: { owner: "bob" }, owner: "ada", now: NOW }).owner).toBe("bob");
  });
});

const facts = (stack: string, outputs: Record<string, unknown> = {}, tags: Record<string, string> = {}): StackFacts => ({
  stack,
  outputs,
  tags,
});

const OTHER = "00000000-0000-0000-0000-000000000999";
const FORGED = {
  "lab:purge": `${OTHER}/westeurope/kv-x`,
  "lab:ephemeral": "true",
  "lab:expiresAt": "2020-01-01T00:00:00Z",
  "lab:owner": "ada",
};

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
    [
      "expired",
      facts("lab-a", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }),
      "reap",
      /^ephemeral and expired at 2025-03-01T11:00:00Z \(1h ago\)$/,
    ],
    ["expired this very second", facts("lab-b", { ephemeral: true, expiresAt: "2025-03-01T12:00:00Z" }), "reap", /expired/],
    [
      "not expired",
      facts("lab-c", { ephemeral: true, expiresAt: "2025-03-01T12:00:01Z" }),
      "keep",
      /not expired: expires 2025-03-01T12:00:01Z/,
    ],
    [
      "not ephemeral, long expired",
      facts("lab-d", { ephemeral: false, expiresAt: "2020-01-01T00:00:00Z" }),
      "keep",
      /lasting: its outputs say ephemeral: false/,
    ],
    [
      "no ephemeral output at all",
      facts("lab-e", { expiresAt: "2020-01-01T00:00:00Z" }),
      "keep",
      /lasting: its outputs do not say ephemeral: true/,
    ],
    ["ephemeral with no expiry", facts("lab-f", { ephemeral: true }), "keep", /without a valid expiresAt/],
    ["ephemeral with a garbled expiry", facts("lab-g", { ephemeral: true, expiresAt: "tomorrow" }), "keep", /without a valid expiresAt/],
    [
      "no outputs, only the purge tag (half-destroyed by an old CLI, or forged)",
      facts("lab-h", {}, { "lab:purge": "none" }),
      "keep",
      /lasting: it has no outputs/,
    ],
    ["no outputs, tags say expired", facts("lab-i", {}, FORGED), "keep", /lasting: it has no outputs/],
    ["outputs say lasting, tags say ephemeral and expired", facts("lab-j", { ephemeral: false }, FORGED), "keep", /lasting/],
    [
      "a destroy began, not expired: kept until it expires",
      facts("lab-l", { ephemeral: true, expiresAt: "2025-03-01T13:00:00Z" }, { "lab:destroying": "2025-03-01T11:00:00Z" }),
      "keep",
      /not expired/,
    ],
    [
      "a destroy began, expired",
      facts("lab-m", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }, { "lab:destroying": "x" }),
      "reap",
      /expired .*; a destroy of it began and did not finish$/,
    ],
    [
      "expiry in year 0: malformed, never reaped",
      facts("lab-y0", { ephemeral: true, expiresAt: "0000-01-01T00:00:00Z" }),
      "keep",
      /without a valid expiresAt output \(expiresAt 0000-01-01T00:00:00Z is before 2020-01-01T00:00:00Z: a malformed expiry\)/,
    ],
    [
      "expiry in 2019: malformed",
      facts("lab-y19", { ephemeral: true, expiresAt: "2019-12-31T23:59:59Z" }),
      "keep",
      /is before 2020-01-01T00:00:00Z/,
    ],
    ["expiry at the lower bound itself", facts("lab-y20", { ephemeral: true, expiresAt: "2020-01-01T00:00:00Z" }), "reap", /expired/],
    [
      "expiry before its createdAt",
      facts("lab-cr", { ephemeral: true, createdAt: "2025-03-01T10:00:00Z", expiresAt: "2025-03-01T09:00:00Z" }),
      "keep",
      /is before createdAt 2025-03-01T10:00:00Z/,
    ],
    [
      "expiry beyond any TTL (year 9999)",
      facts("lab-n", { ephemeral: true, expiresAt: "9999-01-01T00:00:00Z" }),
      "keep",
      /more than 168h away, beyond any TTL/,
    ],
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
    [
      facts("lab-c", { ephemeral: false }, { "lab:purge": "none", "lab:destroying": "x" }),
      "lab-c is lasting: its outputs say ephemeral: false",
    ],
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
  const mine = (extra: Record<string, unknown> = {}, tags: Record<string, string> = {}) =>
    facts("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada", ...extra }, tags);
  it.each([
    ["allowed", mine(), "2025-03-02T12:00:00Z", undefined],
    ["someone else's", mine({ owner: "bob" }), "2025-03-02T12:00:00Z", /belongs to "bob", not "ada"/],
    ["no owner output", mine({ owner: undefined }), "2025-03-02T12:00:00Z", /belongs to no recorded owner/],
    [
      "owner only in a tag",
      facts("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z" }, { "lab:owner": "ada" }),
      "2025-03-02T12:00:00Z",
      /no recorded owner/,
    ],
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

describe("vaults to purge: by the stack's state and Azure's deleted-vault record, never by its outputs", () => {
  const rg = (sub = SUB, name = "dsvmlab-ws-rg") => `/subscriptions/${sub}/resourceGroups/${name}`;
  const kvId = (name: string, group = rg()) => `${group}/providers/Microsoft.KeyVault/vaults/${name}`;
  const vault = (name: string, vaultId = kvId(name), subscriptionId = SUB, location = "westeurope"): VaultRef => ({
    name,
    location,
    subscriptionId,
    vaultId,
  });
  const state = (...vaults: string[]) => [
    { type: "pulumi:pulumi:Stack", id: undefined },
    { type: "azure-native:resources:ResourceGroup", id: rg() },
    ...vaults.map((id) => ({ type: "azure-native:keyvault:Vault", id })),
  ];

  it("takes the resource group and the vault names Pulumi recorded creating", () => {
    expect(ownVaults(state(kvId("kv-1"), kvId("KV-2")))).toEqual({
      resourceGroups: [{ id: rg().toLowerCase(), subscriptionId: SUB }],
      names: ["kv-1", "kv-2"],
    });
  });

  it.each([
    ["no state", undefined, /records no resources/],
    ["an empty state", [], /records no resources/],
    ["no resource group", [{ type: "azure-native:keyvault:Vault", id: kvId("kv-1") }], /records no resource group/],
    [
      "a vault outside its resource group",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg() },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1", rg(SUB, "prod-rg")) },
      ],
      /no vault in its resource group/,
    ],
    [
      "a resource group id that is no ARM id",
      [
        { type: "azure-native:resources:ResourceGroup", id: "rg" },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1") },
      ],
      /no resource group/,
    ],
    [
      "a vault that is another type's",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg() },
        { type: "azure-native:storage:StorageAccount", id: kvId("kv-1") },
      ],
      /no vault/,
    ],
  ])("%s: nothing is purged", (_, resources, problem) => {
    const own = ownVaults(resources as never);
    expect("problem" in own && own.problem).toMatch(problem);
    expect(vaultsToPurge(own, [vault("kv-1")])).toEqual([]);
  });

  // The red-team cases: outputs naming a victim vault in another subscription, or another lab's vault, purge nothing.
  it("only a deleted vault whose original id lies in the stack's own resource group and whose name the state recorded", () => {
    const own = ownVaults(state(kvId("kv-1"), kvId("kv-2")));
    const ok1 = vault("KV-1", kvId("kv-1").toUpperCase());
    const ok2 = vault("kv-2", kvId("kv-2"), SUB, "eastus2");
    const deleted = [
      ok1,
      ok2,
      vault("kv-1", kvId("kv-1", rg(OTHER)), OTHER), // same name, another subscription
      vault("kv-2", kvId("kv-2", rg(SUB, "dsvmlab-other-rg"))), // same name, another lab's resource group
      vault("kv-3"), // in its resource group, but not recorded in its state
      vault("prod-kv-victim", kvId("prod-kv-victim", rg(OTHER, "prod"))),
      { name: "kv-1", location: "westeurope", subscriptionId: SUB }, // no original id: cannot be judged
      vault("kv-1", kvId("kv-9")), // the record's name and its original id disagree
      vault("kv-1", kvId("kv-1"), OTHER), // listed in another subscription than its id says
    ];
    expect(vaultsToPurge(own, deleted)).toEqual([ok1, ok2]);
    expect(vaultsFromGroups([rg().toLowerCase()], deleted).map((v) => v.name)).toEqual(["KV-1", "kv-2", "kv-3", "kv-1", "kv-1"]);
  });
});

describe("foreignStack: stack ls names other organizations' and projects' stacks qualified", () => {
  it.each([
    ["lab-a", undefined, undefined],
    ["lab-a", "acme", undefined],
    ["acme/lab-a", "acme", undefined],
    ["acme/dsvm-identity-lab/lab-a", "acme", undefined],
    ["acme/lab-a", undefined, /another organization's \(acme\)/],
    ["other/lab-a", "acme", /another organization's \(other, not acme\)/],
    ["other/dsvm-identity-lab/lab-a", "acme", /another organization's/],
    ["acme/other-project/lab-a", "acme", /another project's \(other-project\)/],
    ["a/b/c/lab-a", "a", /not a stack name/],
    ["/lab-a", "acme", /not a stack name/],
  ])("%s (current org %s)", (name, org, why) => {
    const got = foreignStack(name, org);
    if (why) expect(got).toMatch(why);
    else expect(got).toBeUndefined();
  });
});

describe("notMineRefusal: another owner's lab only once expired", () => {
  const lab = (outputs: Record<string, unknown>) =>
    facts("lab-bobs", { ephemeral: true, expiresAt: "2025-03-05T11:00:00Z", owner: "bob", ...outputs });
  it.each([
    ["mine", lab({ owner: "ada" }), NOW, undefined],
    ["bob's, not expired", lab({}), NOW, /lab-bobs belongs to "bob", not "ada", and expires 2025-03-05T11:00:00Z.*--not-mine bobs/],
    ["bob's, expired", lab({ expiresAt: "2025-03-01T11:00:00Z" }), NOW, undefined],
    ["bob's, expired, but no clock", lab({ expiresAt: "2025-03-01T11:00:00Z" }), undefined, /may not have expired/],
    ["no owner", lab({ owner: undefined }), NOW, /has no recorded owner/],
    ["bob's, malformed expiry", lab({ expiresAt: "0000-01-01T00:00:00Z" }), NOW, /has no valid expiry/],
    ["lasting (destroyRefusal's to judge)", facts("lab-bobs", { ephemeral: false, owner: "bob" }), NOW, undefined],
  ])("%s", (_, f, now, why) => {
    const got = notMineRefusal(f, "ada", now);
    if (why) expect(got).toMatch(why);
    else expect(got).toBeUndefined();
  });

  it("--not-mine must repeat the lab NAME", () => {
    expect(confirmsNotMine("ws", "ws")).toBe(true);
    expect(confirmsNotMine("ws", undefined)).toBe(false);
    expect(() => confirmsNotMine("ws", "other")).toThrow(`--not-mine "other": expected the lab NAME again ("ws")`);
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
    expect(formatLabList([labInfo(facts("lab-d", {}, { "lab:destroying": "x", "lab:owner": "eve" }))], NOW)).toMatch(
      /^lab-d\s+-\s+-\s+-\s+lasting, DESTROYING \(unfinished\)$/m,
    );
    expect(formatLabList([], NOW)).toBe("no lab stacks (lab-*)\n");
  });

  it("prints nothing from the outputs raw: escape sequences and line breaks cannot clear the screen or fake a row", () => {
    const evil = "ev\u001b[2J\u001b]0;pwned\u0007il\nlab-fake  root  9  2099  lasting\u202e";
    const text = formatLabList(
      [labInfo(facts("lab-x\u001b[31m", { ephemeral: true, expiresAt: "2025-03-05T11:00:00Z", owner: evil }))],
      NOW,
    );
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text.split("\n").filter(Boolean)).toHaveLength(2);
    expect(text).toMatch(/^lab-x\s+evil lab-fake root 9 2099 lasting\s+-\s+2025-03-05T11:00:00Z\s+in 3d 23h$/m);
  });

  it.each([
    [0, "0m"],
    [59_000, "1m"],
    [3_600_000, "1h"],
    [5_400_000, "1h 30m"],
    [90_000_000, "1d 1h"],
    [-7_200_000, "2h"],
  ])("humanSpan(%i) = %s", (ms, text) => expect(humanSpan(ms)).toBe(text));
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
