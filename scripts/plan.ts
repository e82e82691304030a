// npm run plan [-- --stack NAME] [--json] [--config key=value ...]
// The offline plan: runs index.ts under Pulumi's mocks with the stack's config. No cloud, no CLI, no credentials.
// Also the policy gate for PRs without cloud credentials: a mandatory violation of policy/rules.ts exits 1.
import * as path from "path";
import { validateConfig } from "../lib/config";
import { parseFlags, runMain, UsageError } from "./lib/cli";
import { parseConfigPairs } from "./lib/lab-plan";
import { readStackConfig } from "./lib/stack-config";

const USAGE =
  "usage: npm run plan -- [--stack NAME] [--json] [--config key=value ...]\n" +
  "  --stack NAME        reads Pulumi.NAME.yaml (default dev)\n" +
  "  --config key=value  overrides one of the stack's config keys for this plan only (repeatable), e.g. --config seats=100";

runMain(async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), { stack: { type: "string", default: "dev" }, json: { type: "boolean", default: false }, config: { type: "string", multiple: true, default: [] }, help: { type: "boolean", default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  const root = path.resolve(__dirname, "..");
  // Overrides are validated with the rest: an unknown key or a bad value is a config error (exit 2).
  const raw = { ...readStackConfig(root, values.stack!), ...parseConfigPairs(values.config!, new Set()) };
  // Validate before the Pulumi SDK is even loaded: a bad config registers nothing and fails fast.
  validateConfig(raw);
  const { runProgram } = await import("./lib/harness");
  const { buildReport, renderText } = await import("./lib/plan-report");
  const { contextFromConfig } = await import("../policy/rules");
  const report = buildReport(await runProgram({ stack: values.stack!, config: raw, programDir: root }), contextFromConfig(raw));
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
  const blocking = report.violations.filter((v) => v.enforcement === "mandatory");
  // CI must be able to deploy and reap what is planned, with what bootstrap/ gives its identities.
  const ciMissing = report.ciPermissions.missing;
  if (ciMissing.length) process.stderr.write(`ci permissions: CI could not deploy or reap this lab: ${[...new Set(ciMissing.map((m) => `${m.identity} ${m.action}`))].join(", ")}\n`);
  if (blocking.length === 0) return ciMissing.length ? 1 : 0;
  process.stderr.write(`policy gate: ${blocking.length} mandatory violation(s): ${[...new Set(blocking.map((v) => v.ruleId))].join(", ")}\n`);
  return 1;
});
