// The floor of `npm run bench`: loads every module the offline plan loads and creates nothing. What the plan costs
// beyond this is the program's own work (registering resources under mocks, the report).
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const here = (dir: string) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(ROOT, dir, f));
// The program's components and libraries (class and function definitions only: nothing is constructed), the plan's
// harness, report and config reader, and the policy rules. Importing index.ts itself would create the lab.
for (const file of [
  ...here("components"),
  ...here("lib"),
  ...["offline/harness", "scripts/plan/report", "offline/stack-config", "scripts/shared/config-pairs", "scripts/shared/cli"].map((m) =>
    path.join(ROOT, `${m}.ts`),
  ),
  path.join(ROOT, "policy/rules.ts"),
]) {
  require(file);
}
