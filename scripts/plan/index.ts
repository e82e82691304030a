// npm run plan [-- --stack NAME] [--json] [--destroy] [--config key=value ...] [--program DIR]
// The offline plan: runs index.ts under Pulumi's mocks with the stack's config. No cloud, no CLI, no credentials.
// Also the policy gate for PRs without cloud credentials: a mandatory violation of policy/rules.ts, or two writes that
// Azure serializes with nothing ordering them, exits 1. `--destroy`: only the teardown model; exit 1 when blocked.
import * as fs from "fs";
import * as path from "path";
import { validateConfig } from "../../lib/config";
import { Io, parseCommandFlags, runMain, UsageError } from "../shared/cli";
import { parseConfigPairs } from "../shared/config-pairs";
import { readStackConfig } from "../../offline/stack-config";

const USAGE =
  "usage: npm run plan -- [--stack NAME] [--json] [--destroy] [--config key=value ...] [--program DIR]\n" +
  "  --stack NAME        reads Pulumi.NAME.yaml (default dev)\n" +
  "  --destroy           only the teardown model: would `pulumi destroy` and `npm run lab -- destroy` succeed (exit 0) or not (exit 1)\n" +
  "  --config key=value  overrides one of the stack's config keys for this plan only (repeatable), e.g. --config seats=100\n" +
  "  --program DIR       plans the program in DIR (its index.ts, Pulumi.yaml, Pulumi.NAME.yaml) with this checkout's gate:\n" +
  "                      harness, mocks, packages, policy rules and report (CI runs the base branch's gate over a PR)";

/** The command: exit 0 when the gate passes, 1 when it blocks; bad flags or config throw (exit 2). */
export async function main(argv: string[], io: Io): Promise<number> {
  const values = parseCommandFlags(
    argv,
    {
      stack: { type: "string", default: "dev" },
      json: { type: "boolean", default: false },
      destroy: { type: "boolean", default: false },
      config: { type: "string", multiple: true, default: [] },
      program: { type: "string" },
    },
    USAGE,
    io.stdout,
  );
  if (!values) return 0;
  const root = path.resolve(__dirname, "../..");
  const programDir = values.program === undefined ? root : path.resolve(values.program);
  if (values.program !== undefined && !fs.existsSync(path.join(programDir, "index.ts"))) {
    throw new UsageError(
      `--program ${JSON.stringify(values.program)}: no index.ts there; expected the directory of a checkout of this project\n${USAGE}`,
    );
  }
  // Overrides are validated with the rest: an unknown key or a bad value is a config error (exit 2).
  const raw = { ...readStackConfig(programDir, values.stack!), ...parseConfigPairs(values.config!, new Set()) };
  // Validate before the Pulumi SDK is even loaded: a bad config registers nothing and fails fast.
  validateConfig(raw);
  const { packagesFromHere, runProgram } = await import("../../offline/harness");
  if (programDir !== root) packagesFromHere(programDir);
  const { buildReport, destroySection, renderText } = await import("./report");
  const { contextFromConfig } = await import("../../policy/rules");
  const report = buildReport(await runProgram({ stack: values.stack!, config: raw, programDir }), contextFromConfig(raw));
  if (values.destroy) {
    const { version, project, stack, destroy } = report;
    io.stdout.write(
      values.json ? `${JSON.stringify({ version, project, stack, destroy }, null, 2)}\n` : `${destroySection(report).join("\n")}\n`,
    );
    // A lasting lab is torn down with `pulumi destroy`; an ephemeral one with the lab CLI, which runs it first.
    const blockers = [...destroy.pulumiDestroy.blockers, ...(report.outputs.ephemeral === true ? destroy.labDestroy.blockers : [])];
    if (blockers.length === 0) return 0;
    const names = [...new Set(blockers.filter((b) => b.kind !== "lasting-lab").map((b) => `${b.kind} ${b.resource}`))];
    io.stderr.write(`destroy: blocked by ${names.length} issue(s): ${names.join("; ")}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
  const blocking = report.violations.filter((v) => v.enforcement === "mandatory");
  // Transforms, hooks, other invokes, imports, explicit providers: what the offline gate cannot see it refuses.
  const unseen = report.programFindings;
  if (unseen.length)
    io.stderr.write(
      `offline gate: ${unseen.length} thing(s) it cannot see: ${[...new Set(unseen.map((f) => `${f.kind} ${f.subject}`))].join(", ")}\n`,
    );
  // CI must be able to deploy and reap what is planned, with what bootstrap/ gives its identities.
  const ciMissing = report.ciPermissions.missing;
  if (ciMissing.length)
    io.stderr.write(
      `ci permissions: CI could not deploy or reap this lab: ${[...new Set(ciMissing.map((m) => `${m.identity} ${m.action}`))].join(", ")}\n`,
    );
  const conflicts = report.writeSerialization.targets.filter((t) => !t.ordered);
  if (blocking.length)
    io.stderr.write(`policy gate: ${blocking.length} mandatory violation(s): ${[...new Set(blocking.map((v) => v.ruleId))].join(", ")}\n`);
  if (conflicts.length)
    io.stderr.write(
      `write serialization: ${conflicts.length} target(s) with writes that may run at once: ${conflicts.map((t) => `${t.kind} ${t.name}`).join(", ")}\n`,
    );
  return blocking.length || conflicts.length || ciMissing.length || unseen.length ? 1 : 0;
}

if (require.main === module) runMain(main);
