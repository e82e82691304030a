// The pinned reference files (scripts/fetch-reference/reference.ts) for the tests that read them: ../shared or the fetched cache.
// Without either, those suites are skipped with one line that says what and how to get it; never a failure.
import { referenceRoot } from "../../scripts/fetch-reference/reference";
import { ROOT } from "./program";

/** The folder with every pinned file, or undefined. */
export const REFERENCE = referenceRoot(ROOT);

/** `describe`, or `describe.skip` plus one line on stderr naming the suite and how to run it. */
export function describeWithReference(name: string, body: () => void): void {
  if (REFERENCE) {
    describe(name, body);
    return;
  }
  process.stderr.write(
    `skipped: "${name}" needs the pinned reference files; run \`npm run fetch-reference\` (or clone with ../shared beside it)\n`,
  );
  // The body is not run: it may read the files at collection time.
  describe.skip(`${name} (skipped: no reference files; npm run fetch-reference)`, () =>
    it.skip("needs the pinned reference files", () => undefined));
}

/** `it`, or `it.skip` when the reference files are missing (the describe-level line says how to get them). */
export const itWithReference: jest.It = REFERENCE ? it : it.skip;
