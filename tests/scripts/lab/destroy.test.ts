// `npm run lab -- destroy | reap | list` end to end with a stand-in `pulumi` (see harness.ts). Whether a stack is
// ephemeral, expired and whose comes from its outputs, read again right before acting; a stack tag (lab:purge,
// lab:ephemeral, lab:expiresAt, lab:destroying) decides nothing; a vault is purged only when Azure's deleted-vault record
// puts it in the resource group the stack's STATE records and the state recorded its name; a lasting stack is destroyed
// only with --even-if-lasting NAME. list and destroy agree on what is lasting.
// Conformance entry covered here: kv-deleted-vault-original-id (a deleted vault is purged only by its original id).
// Most tests answer Pulumi in process; the first destroy spawns the stand-in as the CLI on PATH, the path the CLI
// ships with (harness.ts says why both).
import { LabRefusal } from "../../../scripts/lab/ops";
import { deployed, FakeStack, OTHER_SUB, rgId, SUB, useHarness, WRITES } from "./harness";

const h = useHarness();
const destroyed = () =>
  h
    .pulumiCalls()
    .filter((c) => c[0] === "destroy" && !c.includes("--preview-only"))
    .map((c) => c[c.indexOf("--stack") + 1]);
/** A soft-deleted vault as Azure records it: its original id puts it in `lab`'s resource group (or `group`). */
const deleted = (name: string, subscriptionId: string, lab: string, group = rgId(lab, subscriptionId)) => ({
  name,
  location: "westeurope",
  subscriptionId,
  vaultId: `${group}/providers/Microsoft.KeyVault/vaults/${name}`,
  tags: { lab, ephemeral: "true" },
});
const purgedRef = (name: string, lab: string, sub = SUB) => ({
  subscriptionId: sub,
  location: "westeurope",
  name,
  vaultId: `${rgId(lab, sub)}/providers/Microsoft.KeyVault/vaults/${name}`,
});
/** Tags an old CLI (or anyone) could have set: none may make a stack reapable, destroyable or purgeable. */
const FORGED_TAGS = {
  "lab:purge": `${SUB}/westeurope/kv-lab-tagged,${OTHER_SUB}/westeurope/kv-elsewhere`,
  "lab:ephemeral": "true",
  "lab:expiresAt": "2020-01-01T00:00:00Z",
  "lab:destroying": "2020-01-01T00:00:00Z",
};

/** The table list, reap and destroy decide on. */
function seedTable(): void {
  h.writeState({
    stacks: {
      "lab-expired": deployed("lab-expired", { ephemeral: true, expiresAt: "2025-03-01T11:00:00Z", owner: "ada" }),
      "lab-fresh": deployed("lab-fresh", { ephemeral: true, expiresAt: "2025-03-01T15:00:00Z", owner: "bob" }),
      "lab-lasting": deployed("lab-lasting", { ephemeral: false, owner: "ops" }),
      "lab-noflag": deployed("lab-noflag", { expiresAt: "2020-01-01T00:00:00Z", owner: "ops" }),
      "lab-tagged": deployed("lab-tagged", { ephemeral: false, owner: "ops" }, { tags: FORGED_TAGS }),
      "lab-bare": {
        config: {},
        tags: FORGED_TAGS,
        outputs: {},
        resources: [{ urn: "rg", type: "azure-native:resources:ResourceGroup", id: "rg" }],
      },
      "lab-far": deployed("lab-far", { ephemeral: true, expiresAt: "2099-01-01T00:00:00Z" }),
      dev: deployed("dev", { ephemeral: true, expiresAt: "2020-01-01T00:00:00Z" }),
    },
    deletedVaults: [
      deleted("kv-lab-tagged", SUB, "lab-tagged"),
      deleted("kv-elsewhere", OTHER_SUB, "lab-tagged"),
      deleted("kv-expired-old", OTHER_SUB, "lab-expired"),
      deleted("kv-lab-expired", OTHER_SUB, "lab-expired"),
    ],
  });
}
const LABS = ["lab-expired", "lab-fresh", "lab-lasting", "lab-noflag", "lab-tagged", "lab-bare", "lab-far"];

describe("list", () => {
  it("shows lab stacks only, with owner, seats, expiry and a status from the outputs (tags ignored)", async () => {
    seedTable();
    expect(await h.lab(["list"])).toBe(0);
    const text = h.lines.join("");
    const row = (stack: string) => text.split("\n").find((l) => l.startsWith(`${stack} `)) ?? "";
    expect(row("lab-expired")).toMatch(/ada\s+2\s+2025-03-01T11:00:00Z\s+EXPIRED 1h ago$/);
    expect(row("lab-fresh")).toMatch(/bob\s+2\s+2025-03-01T15:00:00Z\s+in 3h$/);
    expect(row("lab-lasting")).toMatch(/ops\s+2\s+-\s+lasting$/);
    expect(row("lab-noflag")).toMatch(/ops\s+2\s+-\s+lasting$/);
    expect(row("lab-tagged")).toMatch(/ops\s+2\s+-\s+lasting, DESTROYING \(unfinished\)$/);
    expect(row("lab-bare")).toMatch(/^lab-bare\s+-\s+-\s+-\s+lasting, DESTROYING/);
    expect(text).not.toMatch(/^dev /m);
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
  });

  it("agrees with destroy on every stack: lasting in the list if and only if destroy refuses it", async () => {
    seedTable();
    await h.lab(["list"]);
    const text = h.lines.join("");
    for (const stack of LABS) {
      const lasting = /\slasting(,|$)/m.test(text.split("\n").find((l) => l.startsWith(`${stack} `))!);
      // --not-mine: the owner check is not what this test is about; lasting-ness is checked first.
      const refused = await h.lab(["destroy", stack.slice(4), "--not-mine", stack.slice(4)]).then(
        () => false,
        (e) => (e instanceof LabRefusal && /is lasting/.test(e.message) ? true : Promise.reject(e)),
      );
      expect([stack, refused]).toEqual([stack, lasting]);
    }
    expect(destroyed().sort()).toEqual(["lab-expired", "lab-far", "lab-fresh"]);
  });
});

describe("reap", () => {
  it("is a dry run by default: logs each decision with its reason and changes nothing", async () => {
    seedTable();
    const before = h.readState();
    expect(await h.lab(["reap"])).toBe(0);
    const text = h.lines.join("\n");
    expect(text).toContain("reap: lab-expired: would reap: ephemeral and expired at 2025-03-01T11:00:00Z (1h ago)");
    expect(text).toContain("reap: lab-fresh: keep: not expired");
    expect(text).toContain("reap: lab-lasting: keep: lasting: its outputs say ephemeral: false");
    expect(text).toContain("reap: lab-noflag: keep: lasting: its outputs do not say ephemeral: true");
    expect(text).toContain("reap: lab-tagged: keep: lasting");
    expect(text).toContain("reap: lab-bare: keep: lasting: it has no outputs");
    expect(text).toContain("reap: lab-far: keep: expiresAt 2099-01-01T00:00:00Z is more than 168h away");
    expect(text).not.toContain("reap: dev");
    expect(text).toContain("dry run");
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
    expect(h.readState()).toEqual(before);
  });

  it("--yes destroys only expired ephemeral labs; lasting stacks tagged lab:purge/ephemeral are neither reaped nor purged", async () => {
    seedTable();
    expect(await h.lab(["reap", "--yes"])).toBe(0);
    const s = h.readState();
    expect(destroyed()).toEqual(["lab-expired"]);
    expect(Object.keys(s.stacks).sort()).toEqual(["dev", "lab-bare", "lab-far", "lab-fresh", "lab-lasting", "lab-noflag", "lab-tagged"]);
    for (const kept of ["lab-fresh", "lab-lasting", "lab-noflag", "lab-tagged", "lab-far", "dev"])
      expect(s.stacks[kept].resources).toHaveLength(2);
    expect(s.stacks["lab-tagged"].tags).toEqual(FORGED_TAGS);
    // Only the reaped lab's own vault, in its own subscription; the vaults tagged as labs' (any subscription) stay.
    expect(h.purged).toEqual([purgedRef("kv-lab-expired", "lab-expired")]);
    expect(h.listed).toEqual([SUB]);
    expect(s.deletedVaults.map((v) => `${v.subscriptionId}/${v.name}`).sort()).toEqual(
      [`${OTHER_SUB}/kv-elsewhere`, `${OTHER_SUB}/kv-expired-old`, `${OTHER_SUB}/kv-lab-expired`, `${SUB}/kv-lab-tagged`].sort(),
    );
  });

  it("judges expiry by Azure's clock: a laptop clock years ahead reaps nothing early", async () => {
    seedTable();
    const d = h.deps({ now: () => new Date("2031-01-01T00:00:00Z"), referenceNow: async () => new Date("2025-03-01T10:00:00Z") });
    expect(await h.lab(["reap", "--yes"], d)).toBe(0);
    expect(destroyed()).toEqual([]);
    expect(h.lines.join("\n")).toMatch(/note: this machine's clock .* ahead of Azure's/);
    expect(h.lines.join("\n")).toContain("reap: lab-expired: keep: not expired: expires 2025-03-01T11:00:00Z (in 1h)");
  });

  it("no reference clock: reap refuses and touches nothing", async () => {
    seedTable();
    await expect(h.lab(["reap", "--yes"], h.deps({ referenceNow: () => Promise.reject(new Error("ETIMEDOUT")) }))).rejects.toThrow(
      /could not read Azure's clock/,
    );
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
  });
});

describe("destroy", () => {
  const ws = (extra: Partial<FakeStack> = {}) => ({
    ...deployed("lab-ws", { ephemeral: true, expiresAt: "2025-03-01T20:00:00Z", owner: "ada" }),
    ...extra,
  });

  it("marks, destroys, purges the vault its state records, from its own resource group only, then removes the stack", async () => {
    // The production path: the stand-in spawned as `pulumi` on PATH for every command (see harness.ts).
    h.spawnPulumi();
    h.writeState({
      stacks: { "lab-ws": ws() },
      // The same name in another subscription, and another vault there tagged as this lab's: neither is ours.
      deletedVaults: [
        deleted("kv-lab-ws", OTHER_SUB, "lab-ws"),
        deleted("kv-ws-old", OTHER_SUB, "lab-ws"),
        deleted("kv-ws-stray", SUB, "lab-ws"),
      ],
    });
    expect(await h.lab(["destroy", "ws"])).toBe(0);
    const log = h.pulumiCalls();
    const tag = log.findIndex((c) => c[1] === "tag" && c[2] === "set" && c[3] === "lab:destroying");
    const destroy = log.findIndex((c) => c[0] === "destroy");
    const purge = log.findIndex((c) => c[0] === "PURGE");
    const rm = log.findIndex((c) => c[0] === "stack" && c[1] === "rm");
    expect([tag >= 0, tag < destroy, destroy < purge, purge < rm]).toEqual([true, true, true, true]);
    expect(log[destroy]).toEqual(expect.arrayContaining(["--yes", "--skip-preview", "--stack", "lab-ws"]));
    expect(h.purged).toEqual([purgedRef("kv-lab-ws", "lab-ws")]);
    expect(h.listed).toEqual([SUB]);
    expect(h.readState().stacks).toEqual({});
    expect(
      h
        .readState()
        .deletedVaults.map((v) => `${v.subscriptionId}/${v.name}`)
        .sort(),
    ).toEqual([`${OTHER_SUB}/kv-lab-ws`, `${OTHER_SUB}/kv-ws-old`, `${SUB}/kv-ws-stray`].sort());
    expect(h.lines.join("\n")).toContain(
      `vaults to purge afterwards: kv-lab-ws (recorded in its state, resource group ${rgId("lab-ws").toLowerCase()})`,
    );
    // In its resource group but not in its state: named, not purged.
    expect(h.lines.join("\n")).toMatch(/that its state does not record, NOT purged: kv-ws-stray/);
    expect(h.lines.join("\n")).toContain("lab-ws: destroyed, 1 vault(s) purged, stack removed");
  });

  it("a destroy that fails half-way purges what it deleted at once (the state read before it), and the next destroy finishes", async () => {
    h.writeState({ stacks: { "lab-ws": ws() }, failDestroy: { "lab-ws": 1 } });
    await expect(h.lab(["destroy", "ws"])).rejects.toThrow(/pulumi destroy failed.*\(1 vault\(s\) purged\)[\s\S]*Run destroy again/);
    let s = h.readState();
    // The state no longer records the vault, so the next run could not purge it: this run did.
    expect(s.stacks["lab-ws"].resources.some((r) => r.type === "azure-native:keyvault:Vault")).toBe(false);
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(s.deletedVaults).toEqual([]);
    // Outputs intact: list and reap still see an ephemeral lab, not a lasting one.
    await h.lab(["list"]);
    expect(h.lines.join("")).toMatch(/^lab-ws\s+ada\s+2\s+2025-03-01T20:00:00Z\s+in 8h, DESTROYING \(unfinished\)$/m);
    expect(await h.lab(["destroy", "ws"])).toBe(0);
    expect(h.lines.join("\n")).toContain(
      "lab-ws: finishing an unfinished destroy; no vault purge: the stack's state records no vault in its resource group",
    );
    s = h.readState();
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(s.stacks).toEqual({});
  });

  it("a destroy that fails before deleting the vault: the next destroy still finds it in the state and purges it", async () => {
    h.writeState({ stacks: { "lab-ws": ws() }, failDestroyEarly: { "lab-ws": 1 } });
    await expect(h.lab(["destroy", "ws"])).rejects.toThrow(/pulumi destroy failed.*OperationNotAllowed.*\(0 vault\(s\) purged\)/);
    expect(h.lines.join("\n")).toContain("lab-ws: not soft-deleted from its resource group, nothing to purge: kv-lab-ws");
    expect(await h.lab(["destroy", "ws"])).toBe(0);
    expect(h.purged).toEqual([purgedRef("kv-lab-ws", "lab-ws")]);
    expect(h.readState().stacks).toEqual({});
  });

  it("a purge that fails after the destroy: the stack is still removed (nothing would be left to judge), and the way out is named", async () => {
    h.writeState({ stacks: { "lab-ws": ws() } });
    const d = h.deps();
    const run = h.lab(["destroy", "ws"], { ...d, purger: { ...d.purger, purge: async () => Promise.reject(new Error("Forbidden")) } });
    await expect(run).rejects.toThrow(
      /purging vault kv-lab-ws failed: Forbidden[\s\S]*az keyvault purge --name kv-lab-ws --location westeurope[\s\S]*destroyed and stack removed/,
    );
    expect(h.readState().stacks).toEqual({});
  });

  it("a destroy that fails half-way is finished by reap once the lab expires, never before", async () => {
    h.writeState({ stacks: { "lab-ws": ws() }, failDestroy: { "lab-ws": 1 } });
    await expect(h.lab(["destroy", "ws"])).rejects.toThrow(/destroy failed/);
    expect(await h.lab(["reap", "--yes"])).toBe(0);
    expect(h.lines.join("\n")).toContain("reap: lab-ws: keep: not expired");
    expect(
      await h.lab(
        ["reap", "--yes"],
        h.deps({ referenceNow: async () => new Date("2025-03-01T20:00:00Z"), now: () => new Date("2025-03-01T20:00:00Z") }),
      ),
    ).toBe(0);
    expect(h.lines.join("\n")).toContain(
      "reap: lab-ws: reap: ephemeral and expired at 2025-03-01T20:00:00Z (0m ago); a destroy of it began and did not finish",
    );
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
    expect(h.readState().stacks).toEqual({});
  });

  it("no such stack: nothing to destroy, and no vault tagged as its own is searched for or purged", async () => {
    h.writeState({ deletedVaults: [deleted("kv-gone", SUB, "lab-gone")] });
    expect(await h.lab(["destroy", "gone"])).toBe(0);
    expect(h.lines.join("\n")).toContain("lab-gone: no such stack: nothing to destroy. Done.");
    expect(h.listed).toEqual([]);
    expect(h.purged).toEqual([]);
  });

  // Red-team A1: outputs (the program's, so anyone's who edits it) naming a victim vault in another subscription.
  it("outputs naming another subscription's vault purge nothing there: the state decides, and Azure's record of where it was", async () => {
    const evil = deployed(
      "lab-evil",
      {
        ephemeral: true,
        expiresAt: "2025-03-01T11:00:00Z",
        owner: "ada",
        vaultName: "prod-kv-victim",
        vaults: [{ vaultName: "prod-kv-victim" }],
      },
      { sub: OTHER_SUB },
    );
    h.writeState({
      stacks: { "lab-evil": evil },
      deletedVaults: [deleted("prod-kv-victim", OTHER_SUB, "prod", `/subscriptions/${OTHER_SUB}/resourceGroups/prod-rg`)],
    });
    expect(await h.lab(["destroy", "evil"])).toBe(0);
    expect(h.purged).toEqual([purgedRef("kv-lab-evil", "lab-evil", OTHER_SUB)]);
    expect(h.readState().deletedVaults.map((v) => v.name)).toEqual(["prod-kv-victim"]);
  });

  // Red-team A1b: outputs listing another lab's soft-deleted vault in the same subscription.
  it("outputs naming another lab's soft-deleted vault purge only the stack's own", async () => {
    const evil = deployed("lab-evil", {
      ephemeral: true,
      expiresAt: "2025-03-01T11:00:00Z",
      owner: "ada",
      vaults: [{ vaultName: "kv-lab-evil" }, { vaultName: "kv-lab-other" }],
    });
    h.writeState({ stacks: { "lab-evil": evil }, deletedVaults: [deleted("kv-lab-other", SUB, "lab-other")] });
    expect(await h.lab(["destroy", "evil"])).toBe(0);
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-evil"]);
    expect(h.readState().deletedVaults.map((v) => v.name)).toEqual(["kv-lab-other"]);
  });

  it("a state that records no resource group: destroyed, nothing purged, and it says so", async () => {
    const s = ws();
    s.resources = s.resources.filter((r) => r.type !== "azure-native:resources:ResourceGroup");
    h.writeState({ stacks: { "lab-ws": s }, deletedVaults: [deleted("kv-old", SUB, "lab-ws")] });
    expect(await h.lab(["destroy", "ws"])).toBe(0);
    expect(h.lines.join("\n")).toContain("no vault purge: the stack's state records no resource group");
    expect(h.listed).toEqual([]);
    expect(h.purged).toEqual([]);
    expect(
      h
        .readState()
        .deletedVaults.map((v) => v.name)
        .sort(),
    ).toEqual(["kv-lab-ws", "kv-old"]);
  });

  const lasting: Array<[string, FakeStack]> = [
    ["outputs say ephemeral: false", deployed("lab-keep", { ephemeral: false, owner: "ops" })],
    ["outputs lack ephemeral", deployed("lab-keep", { owner: "ops", expiresAt: "2020-01-01T00:00:00Z" })],
    ['outputs say ephemeral: "true" (a string)', deployed("lab-keep", { ephemeral: "true", expiresAt: "2020-01-01T00:00:00Z" })],
    [
      "lasting, with every lab tag forged",
      deployed("lab-keep", { ephemeral: false }, { tags: { ...FORGED_TAGS, "lab:purge": `${SUB}/westeurope/kv-lab-keep` } }),
    ],
    [
      "no outputs at all, tags say ephemeral",
      { config: {}, tags: FORGED_TAGS, outputs: {}, resources: [{ urn: "rg", type: "azure-native:resources:ResourceGroup", id: "rg" }] },
    ],
  ];

  it.each(lasting)("refuses a lasting stack (%s) without --even-if-lasting: no tag, no destroy, no purge", async (_, stack) => {
    h.writeState({ stacks: { "lab-keep": stack }, deletedVaults: [deleted("kv-lab-keep", SUB, "lab-keep")] });
    const before = h.readState();
    const run = h.lab(["destroy", "keep"]);
    await expect(run).rejects.toThrow(LabRefusal);
    await expect(run).rejects.toThrow(/lab-keep is lasting: .*npm run lab -- destroy keep --even-if-lasting keep/);
    expect(h.pulumiCalls().filter(WRITES)).toEqual([]);
    expect(h.readState().stacks).toEqual(before.stacks);
    expect(h.readState().deletedVaults).toEqual(before.deletedVaults);
    expect(h.listed).toEqual([]);
  });

  it.each(lasting)("--even-if-lasting NAME destroys a lasting stack (%s) and removes it, purging nothing", async (_, stack) => {
    h.writeState({ stacks: { "lab-keep": stack }, deletedVaults: [deleted("kv-old", SUB, "lab-keep")] });
    expect(await h.lab(["destroy", "keep", "--even-if-lasting", "keep"])).toBe(0);
    expect(destroyed()).toEqual(["lab-keep"]);
    expect(h.readState().stacks).toEqual({});
    expect(h.purged).toEqual([]);
    expect(h.listed).toEqual([]);
    expect(
      h
        .readState()
        .deletedVaults.map((v) => v.name)
        .sort(),
    ).toEqual(stack.resources.length === 2 ? ["kv-lab-keep", "kv-old"] : ["kv-old"]);
    expect(h.lines.join("\n")).toContain(
      "lab-keep: destroying a lasting lab, as --even-if-lasting says; no vault purge: a lasting lab's vaults are never purged",
    );
  });

  it("--even-if-lasting on a protected lasting lab: the preview fails, nothing is deleted, the way out is named", async () => {
    const keep = deployed("lab-keep", { ephemeral: false, owner: "ops" });
    keep.resources[0].protect = true;
    h.writeState({ stacks: { "lab-keep": keep } });
    const before = h.readState().stacks;
    await expect(h.lab(["destroy", "keep", "--even-if-lasting", "keep"])).rejects.toThrow(
      /lab-keep: the destroy preview fails \(.*cannot be deleted because it is protected\); nothing was deleted.*pulumi state unprotect --all --stack lab-keep/,
    );
    expect(destroyed()).toEqual([]);
    expect(h.pulumiCalls().filter((c) => c[0] === "destroy")).toEqual([
      expect.arrayContaining(["destroy", "--preview-only", "--stack", "lab-keep"]),
    ]);
    expect(
      h
        .pulumiCalls()
        .filter(WRITES)
        .filter((c) => c[0] !== "destroy"),
    ).toEqual([]);
    expect(h.readState().stacks).toEqual(before);
    expect(h.readState().deletedVaults).toEqual([]);
  });

  it("--even-if-lasting on an ephemeral lab changes nothing: it is destroyed and purged as usual", async () => {
    h.writeState({ stacks: { "lab-ws": ws() } });
    expect(await h.lab(["destroy", "ws", "--even-if-lasting", "ws"])).toBe(0);
    expect(h.purged.map((v) => v.name)).toEqual(["kv-lab-ws"]);
  });
});
