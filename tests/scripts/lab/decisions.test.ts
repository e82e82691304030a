// The lab CLI's decisions about stacks, table by table: what is lasting (one function for list, destroy, reap and
// --extend), the reaper's choices, who may destroy or extend which lab, and the `list` table.
import { UsageError } from "../../../scripts/shared/cli";
import { confirmsLasting, confirmsNotMine } from "../../../scripts/lab/args";
import {
  decideReap,
  destroyRefusal,
  extendRefusal,
  foreignStack,
  formatLabList,
  humanSpan,
  labInfo,
  labLifecycle,
  labStatus,
  notMineRefusal,
  StackFacts,
} from "../../../scripts/lab/decisions";

const NOW = new Date("2025-03-01T12:00:00Z");

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
