// The gate's regression suite, slice 4 of 4 (slices run in parallel): each regression is caught by exactly the right
// rules, offline and in the pack alike.
import { expectCaught, slice } from "./mutation-cases";

describe("gate regressions, slice 4 of 4", () => {
  it.each(slice(3, 4).map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
