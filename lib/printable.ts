// Text that came from somewhere we do not control (a VM's run command output, a probe's report), made safe to print:
// a terminal must only ever show it, never act on it.

// ANSI escape sequences, whole: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and any other two-byte ESC x.
// The 8-bit forms (U+009B CSI, U+009D OSC) as well: some terminals act on them.
const ESCAPE_SEQUENCE = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-_]?/g;
// C0 and C1 controls, DEL, and the Unicode marks that reorder or hide text (bidi overrides and isolates, zero-width).
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * `text` without escape sequences and control characters. Line breaks (\n, \r\n) survive only with `keepNewlines`;
 * otherwise they, like tabs, become one space.
 */
export function printable(text: string, keepNewlines = false): string {
  const noEscapes = text.replace(ESCAPE_SEQUENCE, "");
  if (!keepNewlines) return noEscapes.replace(/[\t\r\n]+/g, " ").replace(CONTROL, "");
  return noEscapes
    .split(/\r?\n/)
    .map((line) => line.replace(/\t/g, " ").replace(CONTROL, ""))
    .join("\n");
}
