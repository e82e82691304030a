// The bootstrap's lab roles (bootstrap/index.ts, run once per subscription by an admin) under mocks: their
// permissions are exactly policy/baseline.ts's, their GUIDs the computed ones. Labs reference these roles by GUID
// (customRoleSource subscription) and the gate judges them by the baseline, so a widened bootstrap role would grant
// what the gate believes it does not. A test and not the plan's gate: `npm run plan` plans the lab, not the bootstrap,
// and this suite runs in every PR's `npm test`.
import { subscriptionScope, TYPE } from "../../lib/azure";
import * as path from "path";
import { BOOTSTRAP_PROJECT } from "../../bootstrap/lib";
import { customRoleGuid } from "../../lib/naming";
import { BASELINE_BUILTIN_ROLES, BASELINE_LAB_ROLES } from "../../policy/baseline";
import type { ProgramRun } from "../../offline/harness";
import { MOCK_CLIENT } from "../../offline/mocks";
import { ofType, ROOT } from "../helpers/program";

const DEFINITION = TYPE.roleDefinition;
const SUB_SCOPE = subscriptionScope(MOCK_CLIENT.subscriptionId);

async function runBootstrap(): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = require("../../offline/harness") as typeof import("../../offline/harness");
    run = await runProgram({
      stack: "admin",
      config: { githubRepo: "contoso/dsvm-identity-lab" },
      programDir: path.join(ROOT, "bootstrap"),
      project: BOOTSTRAP_PROJECT,
    });
  });
  return run!;
}

describe("bootstrap lab roles against the policy baseline", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runBootstrap();
  });

  it.each(Object.keys(BASELINE_LAB_ROLES) as (keyof typeof BASELINE_LAB_ROLES)[])(
    "lab role %s: the baseline's permissions, nothing excluded, its computed GUID, the subscription only",
    (key) => {
      const defs = ofType(run, DEFINITION).filter((d) => d.name === `lab-role-${key}`);
      expect(defs).toHaveLength(1);
      const d = defs[0];
      const base = BASELINE_LAB_ROLES[key];
      expect(d.inputs.permissions).toEqual([
        { actions: [...base.actions], notActions: [], dataActions: [...base.dataActions], notDataActions: [] },
      ]);
      expect(d.inputs.roleDefinitionId).toBe(customRoleGuid(SUB_SCOPE, base.seed));
      expect(d.inputs.assignableScopes).toEqual([SUB_SCOPE]);
    },
  );

  it("no bootstrap role definition reuses a built-in role's GUID or a lab role's outside its name", () => {
    const labGuids = new Map(Object.entries(BASELINE_LAB_ROLES).map(([k, r]) => [customRoleGuid(SUB_SCOPE, r.seed), `lab-role-${k}`]));
    for (const d of ofType(run, DEFINITION)) {
      const guid = String(d.inputs.roleDefinitionId).toLowerCase();
      expect([d.name, BASELINE_BUILTIN_ROLES[guid]]).toEqual([d.name, undefined]);
      if (labGuids.has(guid)) expect(d.name).toBe(labGuids.get(guid));
    }
  });
});
