// npm run policy-config -- --stack NAME --deployer OBJECT_ID [--out FILE]
// Writes the policy pack's config (`pulumi preview|up --policy-pack policy --policy-pack-config FILE`): the pack denies
// by default and builds its allow-lists from `labConfig` (the stack's config as the CLI reads it) and
// `deployerObjectId` (who runs `pulumi up`, whose own grants the program adds). Offline; no secrets: readStackConfig
// refuses encrypted values, and the lab's config holds none.
//
// File format (pulumi/pulumi pkg/resource/analyzer/config.go, parsePolicyPackConfig and applyConfig; and
// https://www.pulumi.com/docs/using-pulumi/crossguard/configuration): a JSON object keyed by policy name, each value
// the policy's properties (plus an optional enforcementLevel). The key "all" carries only an enforcement level
// (applyConfig copies nothing else from it) and "environments" names ESC environments, so every policy of the pack
// gets its own copy of the properties.
import * as fs from "fs";
import * as path from "path";
import { validateConfig } from "../../lib/config";
import { GUID } from "../../lib/azure";
import type { PackConfig } from "../../policy/pack";
import { Io, parseCommandFlags, runMain, UsageError } from "../shared/cli";
import { readStackConfig } from "../../offline/stack-config";

export const USAGE =
  "usage: npm run policy-config -- --stack NAME --deployer OBJECT_ID [--out FILE]\n" +
  "  --stack NAME          reads Pulumi.NAME.yaml (and Pulumi.yaml's defaults) as the Pulumi CLI does\n" +
  "  --deployer OBJECT_ID  the Entra object id (a GUID) of the principal that runs pulumi preview/up\n" +
  "  --out FILE            where to write the JSON (default: standard output)";

/** `{ "<policy name>": { labConfig, deployerObjectId } }` for every policy of the pack. */
export function policyPackConfig(projectDir: string, stack: string, deployer: string): Record<string, PackConfig> {
  if (!GUID.test(deployer))
    throw new UsageError(
      `--deployer ${JSON.stringify(deployer)}: expected the deploying principal's Entra object id, a GUID such as 00000000-0000-0000-0000-000000000000\n${USAGE}`,
    );
  const labConfig = readStackConfig(projectDir, stack);
  // A config the program would refuse is refused here too (exit 2), not turned into a pack that allows nothing.
  validateConfig(labConfig);
  const config: PackConfig = { labConfig: { ...labConfig }, deployerObjectId: deployer.toLowerCase() };
  // The rules load the Pulumi SDK: only once the input is known to be good, so bad input fails fast.
  const { rules } = require("../../policy/rules") as typeof import("../../policy/rules");
  return Object.fromEntries(rules.map((r) => [r.id, config]));
}

/** The command: writes the file (or prints it) and returns 0; bad flags or config throw (exit 2). */
export async function main(argv: string[], io: Io): Promise<number> {
  const write = (text: string) => io.stdout.write(text);
  const values = parseCommandFlags(
    argv,
    { stack: { type: "string" }, deployer: { type: "string" }, out: { type: "string" } },
    USAGE,
    io.stdout,
  );
  if (!values) return 0;
  if (values.stack === undefined) throw new UsageError(`--stack is required: expected a stack name, e.g. --stack dev\n${USAGE}`);
  if (values.deployer === undefined)
    throw new UsageError(`--deployer is required: expected the deploying principal's Entra object id (a GUID)\n${USAGE}`);
  if (values.out === "") throw new UsageError(`--out "": expected a file path\n${USAGE}`);
  const text = `${JSON.stringify(policyPackConfig(path.resolve(__dirname, "../.."), values.stack, values.deployer), null, 2)}\n`;
  if (values.out === undefined) write(text);
  else fs.writeFileSync(values.out, text, { mode: 0o644 });
  return 0;
}

if (require.main === module) runMain(main);
