// npm run docs: writes the generated documents from their single sources: docs/conformance.md from the conformance
// table, and the README's configuration tables from Pulumi.yaml.
import * as fs from "fs";
import * as path from "path";
import { CONFORMANCE } from "../../lib/azure/conformance";
import { runMain } from "../shared/cli";
import { renderConfigTables } from "./config-doc";
import { renderConformanceDoc } from "./conformance-doc";
import { projectConfigDeclarations } from "../../offline/stack-config";

runMain(async () => {
  const root = path.resolve(__dirname, "../..");
  fs.writeFileSync(path.join(root, "docs/conformance.md"), renderConformanceDoc(CONFORMANCE));
  const readme = path.join(root, "README.md");
  fs.writeFileSync(readme, renderConfigTables(fs.readFileSync(readme, "utf8"), projectConfigDeclarations(root)));
  process.stdout.write(`docs/conformance.md: ${CONFORMANCE.length} entries; README.md: configuration tables from Pulumi.yaml\n`);
  return 0;
});
