// The gate's regression suite for properties: each regression sets a property on a type the lab allows (or a value
// that points outside the lab, or a boolean as a string), and is caught by exactly the right rules, offline and in the
// pack alike.
import { shapeRules } from "../../policy/families/shapes";
import { SHAPE_CASES } from "./cases-shapes";
import { expectCaught } from "./mutation-cases";

describe("gate regressions: properties, references and string booleans", () => {
  it("every rule of the shapes family, and the lab subnet's NSG, is the one meant for a regression", () => {
    const meant = new Set(SHAPE_CASES.map((c) => c.rules[0]));
    expect([...shapeRules.map((r) => r.id), "ingress-lab-subnet-nsg"].filter((id) => !meant.has(id))).toEqual([]);
    expect(new Set(SHAPE_CASES.map((c) => c.title)).size).toBe(SHAPE_CASES.length);
  });
  it.each(SHAPE_CASES.map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
