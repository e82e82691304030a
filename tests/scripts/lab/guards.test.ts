// The lab CLI never acts on what it does not own, end to end with the stand-in `pulumi` (harness.ts): reap and
// destroy decide again on outputs read right before acting; another owner's unexpired lab needs --not-mine NAME;
// `stack ls` names from other organizations are ignored; nothing from outputs reaches the terminal raw; an implausible
// expiry is never reaped; a flag given twice is refused.
import { UsageError } from "../../../scripts/shared/cli";
import { LabRefusal } from "../../../scripts/lab/ops";
import { deployed, useHarness, WRITES } from "./harness";

const h = useHarness();
const destroyed = () =>
  h
    .pulumiCalls()
    .filter((c) => c[0] === "destroy" && !c.includes("--preview-only"))
    .map((c) => c[c.indexOf("--stack") + 1]);
const log = () => h.lines.join("\n");

describe("reap decides again on each stack right before acting", () => {
  // Red-team A2: lab-b is extended while reap is busy destroying lab-a.
  it("a lab extended while another is being reaped is kept, and its vault not purged", async () => {
    h.writeState({
      stacks: {
        "lab-a": deployed("lab-a", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }),
        "lab-b": deployed("lab-b", { ephemeral: true, expiresAt: "2025-03-01T11:30:00Z", owner: "bob" }),
      },
      onDestroy: { "lab-a": { stack: "lab-b", outputs: { expiresAt: "2025-03-02T11:00:00Z" } } },
    });
    expect(await h.lab(["reap", "--yes"])).toBe(0);
    expect(log()).toContain("reap: lab-b: reap: ephemeral and expired at 2025-03-01T11:30:00Z");
    expect(destroyed()).toEqual(["lab-a"]);
    expect(log()).toContain(
      "lab-b: kept: read again before acting, it is no longer to be reaped: not expired: expires 2025-03-02T11:00:00Z",
    );
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-a"]);
    expect(h.readState().stacks["lab-b"].resources).toHaveLength(2);
    expect(h.readState().stacks["lab-b"].tags).toEqual({});
  });

  it("an extend between the mark and the destroy: not destroyed, the mark taken back", async () => {
    h.writeState({
      stacks: { "lab-a": deployed("lab-a", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }) },
      onTagSet: { "lab-a": { expiresAt: "2025-03-02T11:00:00Z" } },
    });
    expect(await h.lab(["reap", "--yes"])).toBe(0);
    expect(destroyed()).toEqual([]);
    expect(log()).toContain("lab-a: not destroyed: its outputs changed while this ran, and the decision no longer holds: not expired");
    expect(h.readState().stacks["lab-a"].tags).toEqual({});
    expect(h.purged).toEqual([]);
  });

  it("destroy: a stack redeployed lasting between the first read and the destroy is not destroyed", async () => {
    h.writeState({
      stacks: { "lab-a": deployed("lab-a", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" }) },
      onTagSet: { "lab-a": { ephemeral: false } },
    });
    await expect(h.lab(["destroy", "a"])).rejects.toThrow(/lab-a: not destroyed: its outputs changed while this ran.*lab-a is lasting/);
    expect(destroyed()).toEqual([]);
    expect(h.readState().stacks["lab-a"].tags).toEqual({});
    expect(h.listed).toEqual([]);
  });

  it("destroy: a lab handed to another owner meanwhile is not destroyed", async () => {
    h.writeState({
      stacks: { "lab-a": deployed("lab-a", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" }) },
      onTagSet: { "lab-a": { owner: "bob" } },
    });
    await expect(h.lab(["destroy", "a"])).rejects.toThrow(/not destroyed: .*belongs to "bob"/);
    expect(destroyed()).toEqual([]);
  });
});

// Red-team A3: destroy had no owner check.
describe("destroy: another owner's unexpired lab only with --not-mine NAME", () => {
  const bobs = (expiresAt: string) => ({ "lab-bobs": deployed("lab-bobs", { ephemeral: true, expiresAt, owner: "bob" }) });

  it("refuses bob's unexpired lab for ada: nothing written", async () => {
    h.writeState({ stacks: bobs("2025-03-05T11:00:00Z") });
    const run = h.lab(["destroy", "bobs"]);
    await expect(run).rejects.toThrow(LabRefusal);
    await expect(run).rejects.toThrow(
      /lab-bobs belongs to "bob", not "ada", and expires 2025-03-05T11:00:00Z\. To destroy it anyway: npm run lab -- destroy bobs --not-mine bobs/,
    );
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
  });

  it("--not-mine bobs destroys it", async () => {
    h.writeState({ stacks: bobs("2025-03-05T11:00:00Z") });
    expect(await h.lab(["destroy", "bobs", "--not-mine", "bobs"])).toBe(0);
    expect(destroyed()).toEqual(["lab-bobs"]);
  });

  it("an expired lab is anyone's to take down (by Azure's clock)", async () => {
    h.writeState({ stacks: bobs("2025-03-01T11:00:00Z") });
    expect(await h.lab(["destroy", "bobs"])).toBe(0);
    expect(destroyed()).toEqual(["lab-bobs"]);
  });

  it("expired by this machine's clock but not by Azure's: refused", async () => {
    h.writeState({ stacks: bobs("2025-03-01T13:00:00Z") });
    const d = h.deps({ now: () => new Date("2025-03-02T00:00:00Z") });
    await expect(h.lab(["destroy", "bobs"], d)).rejects.toThrow(/belongs to "bob"/);
    expect(destroyed()).toEqual([]);
  });

  it("Azure's clock unreadable: an expired lab of another owner is still refused", async () => {
    h.writeState({ stacks: bobs("2025-03-01T11:00:00Z") });
    await expect(h.lab(["destroy", "bobs"], h.deps({ referenceNow: () => Promise.reject(new Error("ETIMEDOUT")) }))).rejects.toThrow(
      /may not have expired/,
    );
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
  });
});

// Red-team lab3: `stack ls` lists every organization's stacks of the project that the login can see.
describe("other organizations' stacks are ignored, and said so", () => {
  const seed = () =>
    h.writeState({
      stacks: {
        "lab-mine": deployed("lab-mine", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }),
        "otherorg/dsvm-identity-lab/lab-theirs": deployed("lab-theirs", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }),
        "otherorg/lab-short": deployed("lab-short", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }),
        "acme/lab-ours": deployed("lab-ours", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z" }),
      },
    });

  it("reap destroys only the current organization's labs", async () => {
    seed();
    expect(await h.lab(["reap", "--yes"], h.deps({ organization: "acme" }))).toBe(0);
    expect(destroyed().sort()).toEqual(["acme/lab-ours", "lab-mine"]);
    expect(log()).toContain("reap: otherorg/dsvm-identity-lab/lab-theirs: ignored: another organization's (otherorg, not acme)");
    expect(log()).toContain("reap: otherorg/lab-short: ignored: another organization's");
    expect(Object.keys(h.readState().stacks).sort()).toEqual(["otherorg/dsvm-identity-lab/lab-theirs", "otherorg/lab-short"]);
  });

  it("without a known organization every org-qualified name is ignored (bare names are the default org's)", async () => {
    seed();
    expect(await h.lab(["reap", "--yes"])).toBe(0);
    expect(destroyed()).toEqual(["lab-mine"]);
    expect(log()).toContain("reap: acme/lab-ours: ignored: another organization's (acme)");
  });

  it("list shows only the current organization's labs", async () => {
    seed();
    expect(await h.lab(["list"], h.deps({ organization: "acme" }))).toBe(0);
    const table = h.lines.filter((l) => l.startsWith("STACK")).join("");
    expect(table).toMatch(/^lab-mine /m);
    expect(table).toMatch(/^acme\/lab-ours /m);
    expect(table).not.toMatch(/otherorg/);
    expect(log()).toContain("list: otherorg/lab-short: ignored");
  });
});

// Red-team A4: list printed the owner output raw.
it("list: escape sequences and line breaks in outputs neither reach the terminal nor fake a row", async () => {
  h.writeState({
    stacks: {
      "lab-x": deployed("lab-x", {
        ephemeral: true,
        expiresAt: "2025-03-05T11:00:00Z",
        owner: "ev\u001b[2J\u001b]0;pwned\u0007il\nlab-fake  root  9  2099  lasting",
      }),
    },
  });
  expect(await h.lab(["list"])).toBe(0);
  const table = h.lines.find((l) => l.startsWith("STACK"))!;
  expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(table.split("\n").filter(Boolean)).toHaveLength(2);
  expect(table).toMatch(/^lab-x\s+evil lab-fake root 9 2099 lasting\s+2\s+2025-03-05T11:00:00Z\s+in 3d 23h$/m);
});

it("an expiresAt in year 0 (or before createdAt) is malformed: reported, never reaped", async () => {
  h.writeState({
    stacks: {
      "lab-y0": deployed("lab-y0", { ephemeral: true, expiresAt: "0000-01-01T00:00:00Z" }),
      "lab-cr": deployed("lab-cr", { ephemeral: true, createdAt: "2025-03-01T10:00:00Z", expiresAt: "2025-03-01T09:00:00Z" }),
    },
  });
  expect(await h.lab(["reap", "--yes"])).toBe(0);
  expect(destroyed()).toEqual([]);
  expect(log()).toContain(
    "reap: lab-y0: keep: ephemeral but without a valid expiresAt output (expiresAt 0000-01-01T00:00:00Z is before 2020-01-01T00:00:00Z",
  );
  expect(log()).toContain(
    "reap: lab-cr: keep: ephemeral but without a valid expiresAt output (expiresAt 2025-03-01T09:00:00Z is before createdAt",
  );
  await h.lab(["list"]);
  expect(h.lines.join("")).toMatch(/^lab-y0\s+-\s+2\s+-\s+no valid expiry$/m);
});

describe("a flag given twice is refused (exit 2), before anything is touched", () => {
  it.each([
    [["destroy", "x", "--even-if-lasting", "y", "--even-if-lasting", "x"], "--even-if-lasting"],
    [["destroy", "x", "--even-if-lasting=x", "--even-if-lasting", "x"], "--even-if-lasting"],
    [["destroy", "x", "--not-mine", "x", "--not-mine", "x"], "--not-mine"],
    [["reap", "--yes", "--yes"], "--yes"],
    [["create", "x", "--ttl", "8h", "--ttl", "1h"], "--ttl"],
  ])("%j", async (argv, flag) => {
    const run = h.lab(argv as string[]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(`${flag} is given more than once: give it once`);
    expect(h.pulumiCalls()).toEqual([]);
  });

  it("--config still repeats", async () => {
    await expect(h.lab(["create", "x", "--ttl", "8h", "--config", "seats=2", "--config", "seats=0"])).rejects.toThrow(/seats = "0"/);
  });
});
