// One lint finding, as the runner prints it: file:line:column: rule message (1-based line and column).
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.rule} ${f.message}`;
}
