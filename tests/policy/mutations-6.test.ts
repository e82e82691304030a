// The gate's credential and baseline regressions (tests/policy/cases-credentials.ts): each is caught by exactly the
// right rules, offline and in the pack alike.
import { CREDENTIAL_CASES } from "./cases-credentials";
import { expectCaught } from "./mutation-cases";

describe("gate regressions: credentials and the policy's baseline", () => {
  it.each(CREDENTIAL_CASES.map((c) => [c.title, c] as const))("%s", async (_title, c) => expectCaught(c));
});
