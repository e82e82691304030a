// npm run fetch-reference [-- --base URL]
// Fetches the pinned reference files (Azure REST specs, Pulumi's project schema) into .reference/, checking each
// one's sha256, so the tests that read them run on a clone without ../shared. Exit 1 if a download or a hash fails.
import * as https from "https";
import * as path from "path";
import { Io, parseCommandFlags, runMain, UsageError } from "../shared/cli";
import { CACHE_DIR, fetchReference, RAW_BASE, REFERENCE_FILES } from "./reference";

const USAGE =
  "usage: npm run fetch-reference -- [--base URL]\n  --base URL  a mirror with raw.githubusercontent.com's layout (default https://raw.githubusercontent.com)";

function download(url: string, redirects = 3): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: 30_000 }, (res) => {
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(download(new URL(res.headers.location, url).toString(), redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out after 30 s")));
    req.on("error", reject);
  });
}

/** The command: fetches and checks every pinned file; exit 1 when a download or a hash fails. */
export async function main(argv: string[], io: Io): Promise<number> {
  const values = parseCommandFlags(argv, { base: { type: "string", default: RAW_BASE } }, USAGE, io.stdout);
  if (!values) return 0;
  if (!/^https:\/\/[^\s/]+/.test(values.base!))
    throw new UsageError(`--base ${JSON.stringify(values.base)}: expected an https:// URL\n${USAGE}`);
  const dest = path.resolve(__dirname, "../..", CACHE_DIR);
  const n = await fetchReference(dest, download, { base: values.base, log: (l) => io.stdout.write(`${l}\n`) });
  io.stdout.write(`${CACHE_DIR}/: ${n} file(s) fetched, ${REFERENCE_FILES.length} pinned in all, every sha256 checked\n`);
  return 0;
}

if (require.main === module) runMain(main);
