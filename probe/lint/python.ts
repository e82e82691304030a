// The Python probe's lint: Ruff (its WebAssembly build from npm, so nothing comes from PyPI and nothing is fetched at
// test time), with the rule families that matter for a script that runs as root on a seat.
import type { Workspace } from "@astral-sh/ruff-wasm-nodejs";
import type { Finding } from "./finding";
import { baselineWasmOnly } from "./wasm";

/** Ruff's settings, as a pyproject's [tool.ruff] would hold them. */
export const RUFF_SETTINGS = {
  // The probe runs on a stock DSVM's python3: 3.8 or later.
  "target-version": "py38",
  // A ceiling, not a style: each message stays whole on one line, so the PowerShell mirror tests can compare them.
  "line-length": 240,
  lint: {
    select: [
      ...["E", "W", "F"], // pycodestyle errors and warnings, pyflakes: unused imports, undefined names
      ...["B", "S", "BLE", "TRY"], // bugbear, bandit (security), blind except, exception handling
      ...["UP", "A", "N", "PLE", "PLW"], // syntax of 3.8+, shadowed builtins, naming, pylint errors and warnings
      ...["C4", "SIM", "RET", "PIE", "ISC", "PERF"], // simpler and safer idioms
      "RUF", // Ruff's own, with RUF100: a noqa that suppresses nothing
    ],
    // printf-style formatting is the probe's one style, shared with its messages' tests; an if/else over two long
    // constructors reads better than a ternary.
    ignore: ["UP031", "UP032", "SIM108"],
  },
};

let workspace: Workspace | undefined;

/** Ruff's findings for `text`, named as `file`. A syntax error is a finding too (ruff/invalid-syntax). */
export function lintPython(file: string, text: string): Finding[] {
  if (!workspace) {
    baselineWasmOnly();
    // Loaded here, after the flags: requiring the package compiles its module.
    const ruff = require("@astral-sh/ruff-wasm-nodejs") as typeof import("@astral-sh/ruff-wasm-nodejs");
    workspace = new ruff.Workspace(RUFF_SETTINGS, ruff.PositionEncoding.Utf16);
  }
  const diagnostics = workspace.check(text) as {
    code: string | null;
    message: string;
    start_location: { row: number; column: number };
  }[];
  return diagnostics.map((d) => ({
    file,
    line: d.start_location.row,
    column: d.start_location.column,
    rule: `ruff/${d.code ?? "invalid-syntax"}`,
    message: d.message,
  }));
}
