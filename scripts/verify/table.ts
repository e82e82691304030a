// verify's report as a table: seat x check, which vault each seat was checked against, then one line per problem.
import { textTable } from "../shared/text-table";
import { passed, VERIFY_CHECKS, VerifyReport } from "./verify";

const CELL = { passed: "ok", failed: "FAIL", skipped: "skip" } as const;

/** The seat x check table, then one line per problem. */
export function renderTable(report: VerifyReport): string {
  const heads = report.seats.map((s) => `seat ${s.seat}`);
  const rows = [["check", ...heads]];
  for (const name of VERIFY_CHECKS) {
    // "ok" only for a check that passed on both counts; anything inconsistent shows as FAIL.
    rows.push([
      name,
      ...report.seats.map((s) => {
        const c = s.checks.find((x) => x.name === name);
        return !c ? "-" : passed(c) ? CELL.passed : c.status === "skipped" && !c.ok ? CELL.skipped : CELL.failed;
      }),
    ]);
  }
  const lines = textTable(rows);
  lines.push("", report.seats.map((s) => `seat ${s.seat} = ${s.vmName}`).join(", "));
  // Which vault each seat was checked against, when the lab has more than one.
  const vaults = [...new Set(report.seats.map((s) => s.vaultUri))];
  if (vaults.length > 1)
    lines.push(
      ...vaults.map(
        (v) =>
          `${v}: seat(s) ${report.seats
            .filter((s) => s.vaultUri === v)
            .map((s) => s.seat)
            .join(", ")}`,
      ),
    );
  const problems = report.seats.flatMap((s) =>
    s.checks.filter((c) => !passed(c) && !(c.status === "skipped" && !c.ok)).map((c) => `  seat ${s.seat} ${c.name}: ${c.detail}`),
  );
  if (problems.length) lines.push("", "failed:", ...problems);
  const failedSeats = report.seats.filter((s) => !s.ok || !s.checks.every(passed)).length;
  lines.push(
    "",
    failedSeats ? `${failedSeats} of ${report.seats.length} seat(s) FAILED` : `all ${report.seats.length} seat(s) passed every check`,
  );
  return `${lines.join("\n")}\n`;
}
