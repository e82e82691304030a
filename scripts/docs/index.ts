// npm run docs: writes the generated documents from their single sources: docs/conformance.md from the conformance
// table, and the README's configuration tables from Pulumi.yaml.
import * as fs from "fs";
import * as path from "path";
import { CONFORMANCE } from "../../lib/azure/conformance";
import { Io, runMain, UsageError } from "../shared/cli";
import { renderConfigTables } from "./config-doc";
import { renderConformanceDoc } from "./conformance-doc";
import { projectConfigDeclarations } from "../../offline/stack-config";

/** The command: takes no flags; writes both documents and says so. */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length) throw new UsageError(`unexpected argument ${JSON.stringify(argv[0])}\nusage: npm run docs`);
  const root = path.resolve(__dirname, "../..");
  fs.writeFileSync(path.join(root, "docs/conformance.md"), renderConformanceDoc(CONFORMANCE));
  const readme = path.join(root, "README.md");
  fs.writeFileSync(readme, renderConfigTables(fs.readFileSync(readme, "utf8"), projectConfigDeclarations(root)));
  io.stdout.write(`docs/conformance.md: ${CONFORMANCE.length} entries; README.md: configuration tables from Pulumi.yaml\n`);
  return 0;
}

if (require.main === module) runMain(main);
