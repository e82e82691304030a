// `npm run verify`'s flags, outputs, run and report: the whole command, in-process (index.ts gives it Azure's credential;
// tests give it the twin's).
import { parseCommandFlags, UsageError } from "../shared/cli";
import { readOutputsFile, readStackOutputs, TestEndpoints } from "./outputs";
import { printable } from "../../lib/printable";
import { renderTable } from "./table";
import { Io, runVerify, selectSeats, VerifyDeps } from "./verify";

export const USAGE =
  "usage: npm run verify -- (--stack NAME | --outputs FILE) [--json] [--seats 1,2] [--deadline-seconds N]\n" +
  "  --stack NAME          read the outputs with `pulumi stack output --json --stack NAME`\n" +
  "  --outputs FILE        read them from FILE (written by `pulumi stack output --json > FILE`)\n" +
  "  --json                print the merged results as JSON instead of the table\n" +
  "  --seats 1,2           check only these seats (default: all)\n" +
  "  --deadline-seconds N  how long the probe retries while grants propagate (default 600)";

/**
 * The command: flags, outputs, the run, the report. Returns the exit code; bad flags throw UsageError (exit 2).
 * `testEndpoints` is for tests only (the twin's loopback endpoints); scripts/verify/index.ts never passes it.
 */
export async function verifyCli(
  argv: string[],
  io: Io,
  makeDeps: () => VerifyDeps | Promise<VerifyDeps>,
  testEndpoints?: TestEndpoints,
): Promise<number> {
  const values = parseCommandFlags(
    argv,
    {
      stack: { type: "string" },
      outputs: { type: "string" },
      json: { type: "boolean", default: false },
      seats: { type: "string" },
      "deadline-seconds": { type: "string", default: "600" },
    },
    USAGE,
    io.stdout,
  );
  if (!values) return 0;
  if ((values.stack === undefined) === (values.outputs === undefined))
    throw new UsageError(`give exactly one of --stack NAME or --outputs FILE\n${USAGE}`);
  const deadline = Number(values["deadline-seconds"]);
  if (!/^\d+(\.\d+)?$/.test(values["deadline-seconds"]!) || !(deadline > 0) || deadline > 3600) {
    throw new UsageError(
      `--deadline-seconds ${JSON.stringify(values["deadline-seconds"])}: expected a number of seconds above 0, at most 3600`,
    );
  }
  let seats: number[] | undefined;
  if (values.seats !== undefined) {
    if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(values.seats))
      throw new UsageError(`--seats ${JSON.stringify(values.seats)}: expected seat numbers separated by commas, such as 1,3`);
    seats = [...new Set(values.seats.split(",").map(Number))];
  }
  const outputs =
    values.outputs !== undefined ? readOutputsFile(values.outputs, testEndpoints) : await readStackOutputs(values.stack!, testEndpoints);
  selectSeats(outputs, seats); // bad --seats is a usage error, before anything touches Azure
  const report = await runVerify(
    outputs,
    { seats, deadlineSeconds: deadline, stack: values.outputs !== undefined ? undefined : values.stack },
    await makeDeps(),
    io,
  );
  // What VMs report is made printable where it is read (probe/report.ts); this is the last net before the terminal.
  io.stdout.write(printable(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report), true));
  return report.ok ? 0 : 1;
}
