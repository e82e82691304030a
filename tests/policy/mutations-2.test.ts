// The mutation suite, half 2 of 2 (halves run in parallel): each regression is caught by exactly the right rules.
import { CASES, expectCaught } from "./mutation-cases";

const HALF = CASES.filter((_c, i) => i % 2 === 1);

describe("mutation suite: each regression is caught by the right rule", () => {

  it.each(HALF.map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
