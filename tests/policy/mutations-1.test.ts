// The gate's regression suite, slice 1 of 4 (slices run in parallel): each regression is caught by exactly the right
// rules, offline and in the pack alike.
import { rules } from "../../policy/rules";
import { SHAPE_CASES } from "./cases-shapes";
import { CREDENTIAL_CASES } from "./cases-credentials";
import { CASES, expectCaught, slice } from "./mutation-cases";

describe("gate regressions, slice 1 of 4", () => {
  it("has at least 40 regressions, all distinct", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
  });
  it("every mandatory rule is the one meant for at least one regression", () => {
    const meant = new Set([...CASES, ...SHAPE_CASES, ...CREDENTIAL_CASES].map((c) => c.rules[0]));
    expect(rules.filter((r) => r.enforcement === "mandatory" && !meant.has(r.id)).map((r) => r.id)).toEqual([]);
  });
  it.each(slice(0, 4).map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
