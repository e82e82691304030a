// The gate's regression suite: one security regression per case, injected into the real program under mocks, and
// exactly the rules that must catch it. Each case also runs through the policy pack, which must report the same
// violations at the same resources. Several test files run slices of it in parallel.
import type { ProgramRun } from "../../offline/harness";
import { MOCK_CLIENT } from "../../offline/mocks";
import { checkRecorded } from "../../policy/offline";
import { contextFromConfig, Violation } from "../../policy/rules";
import { devConfig } from "../helpers/program";
import { GRANT_CASES } from "./cases-grants";
import { INGRESS_CASES } from "./cases-ingress";
import { CREDENTIAL_CHECK_CASES } from "./cases-credential-checks";
import { INVENTORY_CASES } from "./cases-inventory";
import { LIFECYCLE_CASES } from "./cases-lifecycle";
import { FAKE_ACCOUNT_KEY, FAKE_PASSWORD } from "./mutation-helpers";
import { runMutated } from "./mutate";
import type { Case } from "./case";
import { runPack } from "./pack-harness";

export type { Case } from "./case";

export const CASES: readonly Case[] = [...GRANT_CASES, ...INGRESS_CASES, ...INVENTORY_CASES, ...CREDENTIAL_CHECK_CASES, ...LIFECYCLE_CASES];

/** The slice of CASES test file `index` of `of` runs. */
export const slice = (index: number, of: number) => CASES.filter((_c, i) => i % of === index);

const key = (ruleId: string, urn: string | null | undefined) => `${ruleId} @ ${urn ?? "stack"}`;

/** Runs one case: offline gate and pack, exactly the expected rules, the same findings, nothing echoed. */
export async function expectCaught(c: Case): Promise<void> {
  const run0 = await runMutated(c.mutations, c.config);
  const run: ProgramRun = c.outputs ? { ...run0, outputs: { ...run0.outputs, ...c.outputs(run0) } } : run0;
  const config = devConfig(c.config);
  const violations = checkRecorded(run.resources, contextFromConfig(config), undefined, run.outputs);
  const fired = [...new Set(violations.map((v) => v.ruleId))].sort();
  expect(fired).toEqual([...c.rules].sort());
  const first: Violation[] = violations.filter((v) => v.ruleId === c.rules[0]);
  expect(first.map((v) => v.message)).toContainEqual(expect.stringMatching(c.says));
  // Every finding is mandatory, points at a resource, and says what to change.
  for (const v of violations) {
    expect(v.enforcement).toBe("mandatory");
    expect(v.urn).toMatch(/^urn:pulumi:/);
    expect(v.message).toMatch(/: (set|remove|restrict|assign|scope|move|use|add)|Set |Remove /i);
  }
  // No finding ever carries the secret it found.
  const text = JSON.stringify(violations);
  expect(text).not.toContain(FAKE_PASSWORD);
  expect(text).not.toContain(FAKE_ACCOUNT_KEY);
  for (const r of run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword"))
    expect(text).not.toContain(String(r.state.result));
  // The pack, given the same lab config and deployer, reports the same findings.
  const reports = await runPack(run, { labConfig: config, deployerObjectId: MOCK_CLIENT.objectId });
  expect(reports.map((r) => key(r.policy, r.urn)).sort()).toEqual(violations.map((v) => key(v.ruleId, v.urn)).sort());
}
