// The mutation suite, half 1 of 2 (halves run in parallel): each regression is caught by exactly the right rules.
import { CASES, expectCaught } from "./mutation-cases";

const HALF = CASES.filter((_c, i) => i % 2 === 0);

describe("mutation suite: each regression is caught by the right rule", () => {
  it("has at least 15 mutations, all distinct", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
  });
  it.each(HALF.map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
