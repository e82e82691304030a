// npm run docs: writes the generated documents (docs/conformance.md) from their single sources.
import * as fs from "fs";
import * as path from "path";
import { CONFORMANCE } from "../lib/azure/conformance";
import { runMain } from "./lib/cli";
import { renderConformanceDoc } from "./lib/conformance-doc";

runMain(async () => {
  const root = path.resolve(__dirname, "..");
  fs.writeFileSync(path.join(root, "docs/conformance.md"), renderConformanceDoc(CONFORMANCE));
  process.stdout.write(`docs/conformance.md: ${CONFORMANCE.length} entries\n`);
  return 0;
});
