// The declared shapes: how paths are read, the committed file against the program (every path the program sets in
// the configurations it supports is declared; a new one fails), a reason per type, and the policy's own images.
import * as fs from "fs";
import { DSVM_IMAGE, DSVM_WINDOWS_IMAGE, TYPE } from "../../lib/azure";
import { undeclaredPaths } from "../../policy/families/shapes";
import { viewOf } from "../../policy/offline";
import { rules } from "../../policy/rules";
import { DECLARED_PATHS } from "../../policy/shapes/declared";
import { LAB_IMAGES } from "../../policy/shapes/images";
import { inputPaths, isSet, isTrue } from "../../policy/shapes/paths";
import { SHAPE_REASONS } from "../../policy/shapes/reasons";
import { pathsOf, render, SHAPE_VARIANTS, SHAPES_FILE } from "../../scripts/shapes/index";
import { runLab } from "../helpers/program";

/** The program's paths that the committed file lacks: what must fail the test. */
const missing = (program: Record<string, string[]>, declared: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(program).flatMap(([t, ps]) => ps.filter((p) => !(declared[t] ?? []).includes(p)).map((p) => `${t} ${p}`));

describe("input paths", () => {
  it("reads leaves with [] for arrays and * for tag names, skipping empties and engine keys", () => {
    const paths = inputPaths({
      a: { b: 1, c: "", d: null, e: [] },
      list: [{ x: "1" }, { y: false }],
      tags: { "lab:owner": "alice" },
      __defaults: ["a"],
      empty: {},
    });
    expect([...paths].sort()).toEqual(["a.b", "list[].x", "list[].y", "tags.*"]);
  });
  it("an explicit false counts as set (it can turn a protection off)", () => {
    expect(isSet(false)).toBe(true);
    expect(isSet([null, ""])).toBe(false);
  });
  it.each([[true], ["True"], ["true"], [" TRUE "], ["1"], [1], ["yes"], ["on"]])("%p reads as true", (v) => expect(isTrue(v)).toBe(true));
  it.each([[false], ["false"], ["False"], ["0"], [0], [undefined], [null], ["truthy"], [{}]])("%p does not read as true", (v) =>
    expect(isTrue(v)).toBe(false),
  );
});

describe("the declared shapes", () => {
  it("every type has a reason, and every reason a type; judged subtrees name a rule of the pack", () => {
    expect(Object.keys(SHAPE_REASONS).sort()).toEqual(Object.keys(DECLARED_PATHS).sort());
    for (const [type, r] of Object.entries(SHAPE_REASONS)) {
      expect([type, r.why.length > 10]).toEqual([type, true]);
      for (const why of Object.values(r.judged ?? {})) expect(rules.map((x) => x.id)).toContain(/^[a-z0-9-]+/.exec(why)![0]);
    }
  });
  it("the file is exactly what the generator renders from it (no hand edits outside its format)", () => {
    const text = fs.readFileSync(SHAPES_FILE, "utf8");
    expect(render(DECLARED_PATHS as Record<string, string[]>, text)).toBe(text);
  });
  it("a path the file lacks is reported, for a known and for a new type", () => {
    expect(
      missing({ "azure-native:network:VirtualNetwork": ["location", "dhcpOptions.dnsServers[]"], "x:y:Z": ["a"] }, DECLARED_PATHS),
    ).toEqual(["azure-native:network:VirtualNetwork dhcpOptions.dnsServers[]", "x:y:Z a"]);
  });
  it("undeclaredPaths: a declared path passes, a new one fails, a judged subtree is the judging rule's", () => {
    const vm = TYPE.vm;
    expect(undeclaredPaths({ type: vm, inputs: { vmName: "v", userData: "eA==", osProfile: { customData: "eA==" } } })).toEqual([
      "osProfile.customData",
      "userData",
    ]);
    expect(undeclaredPaths({ type: vm, inputs: { storageProfile: { imageReference: { communityGalleryImageId: "/x" } } } })).toEqual([]);
    expect(undeclaredPaths({ type: "azure-native:network:LoadBalancer", inputs: { anything: 1 } })).toEqual([]);
    // Judged is exact: a firewall's IP rules are ingress-storage-firewall's, a property beside them is not.
    const account = TYPE.storage;
    expect(
      undeclaredPaths({
        type: account,
        inputs: { networkRuleSet: { ipRules: [{ iPAddressOrRange: "198.51.100.7" }], ipv6Rules: [{ value: "::/0" }] } },
      }),
    ).toEqual(["networkRuleSet.ipv6Rules[].value"]);
    // A managed identity on any type is grant-managed-identities' to judge.
    expect(undeclaredPaths({ type: account, inputs: { identity: { type: "SystemAssigned" } } })).toEqual([]);
  });
  it("the policy's images are the program's (a PR that changes one must change both)", () => {
    expect(LAB_IMAGES).toEqual({ ubuntu: { ...DSVM_IMAGE }, windows: { ...DSVM_WINDOWS_IMAGE } });
  });
});

// Subset, not equality: a test that regenerated the file from the PR's own program would accept any new property.
describe("every path the program sets is declared", () => {
  it.each(SHAPE_VARIANTS.map((v) => [v.title, v] as const))("%s", async (_title, v) => {
    const run = await runLab(v.config as Record<string, string>, v.stack);
    const program = pathsOf(run.resources.filter((r) => r.custom).map(viewOf));
    expect(Object.keys(program).length).toBeGreaterThan(10);
    expect(missing(program, DECLARED_PATHS)).toEqual([]);
  });
});
