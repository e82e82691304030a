// Tables for terminals and Markdown, built one way: plan, verify, `lab list` and bench all print them.

/**
 * Columns padded to their widest cell, two spaces apart, no trailing spaces. `rule`: a line of dashes under the first
 * row (the headers).
 */
export function textTable(rows: readonly (readonly string[])[], opts: { readonly rule?: boolean } = {}): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const lines = rows.map(line);
  if (opts.rule) lines.splice(1, 0, line(widths.map((w) => "-".repeat(w))));
  return lines;
}

/** A Markdown table; `numeric` columns (by index) are right-aligned. Cells are used as given (escape `|` first). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string[] {
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [row(headers), row(headers.map((_, i) => (numeric.includes(i) ? "---:" : "---"))), ...rows.map(row)];
}
