// The conformance table: every entry sourced and dated, every test it names exists and mentions it, and the
// generated doc is current.
import * as fs from "fs";
import * as path from "path";
import { CONFORMANCE, type ConformanceEntry } from "../../lib/azure/conformance";
import { renderConformanceDoc } from "../../scripts/docs/conformance-doc";
import { ROOT } from "../helpers/program";

/** What is wrong with one entry, as text; empty when it is sound. */
function entryProblems(e: ConformanceEntry, root = ROOT): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(e.id)) out.push(`${e.id}: id is not kebab-case`);
  if (e.sources.length === 0) out.push(`${e.id}: no source`);
  for (const s of e.sources)
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s.date)) out.push(`${e.id}: source ${s.ref} has no date (YYYY[-MM[-DD]])`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(e.checked)) out.push(`${e.id}: checked is not a date`);
  if (e.coveredBy.length === 0) out.push(`${e.id}: no test covers it`);
  for (const t of e.coveredBy) {
    const at = path.join(root, t);
    if (!fs.existsSync(at)) out.push(`${e.id}: ${t} does not exist`);
    else if (!fs.readFileSync(at, "utf8").includes(e.id)) out.push(`${e.id}: ${t} does not mention the id`);
  }
  return out;
}

describe("conformance table", () => {
  it("has entries with unique ids", () => {
    expect(CONFORMANCE.length).toBeGreaterThan(0);
    expect(new Set(CONFORMANCE.map((e) => e.id)).size).toBe(CONFORMANCE.length);
  });

  it("every entry is sourced, dated and covered by a test that names it", () => {
    expect(CONFORMANCE.flatMap((e) => entryProblems(e))).toEqual([]);
  });

  it("the check bites: an unsourced entry, an undated source and a test that does not name the id are caught", () => {
    const bad: ConformanceEntry = {
      id: "made-up-behaviour",
      service: "keyvault",
      behaviour: "x",
      consequence: "y",
      sources: [{ ref: "somewhere", date: "recently" }],
      coveredBy: ["tests/lib/net.test.ts", "tests/nope.test.ts"],
      checked: "2026-11-23",
    };
    expect(entryProblems(bad)).toEqual([
      "made-up-behaviour: source somewhere has no date (YYYY[-MM[-DD]])",
      "made-up-behaviour: tests/lib/net.test.ts does not mention the id",
      "made-up-behaviour: tests/nope.test.ts does not exist",
    ]);
    expect(entryProblems({ ...bad, sources: [] })).toContain("made-up-behaviour: no source");
  });

  it("docs/conformance.md is generated from the table (npm run docs)", () => {
    expect(fs.readFileSync(path.join(ROOT, "docs/conformance.md"), "utf8")).toBe(renderConformanceDoc(CONFORMANCE));
  });
});
