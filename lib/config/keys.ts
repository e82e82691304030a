// Unknown keys: named, never their value (a password typed under a misspelt key must not reach a log), with the
// nearest known key as a hint.
import { visibleJson } from "./schema";

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `key`, if it is close enough to be a typo of it. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  // Long keys and untrusted input: bound the work, and never suggest from a wall of text.
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = distance(key, k);
    if (dist < bestDistance) [best, bestDistance] = [k, dist];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4)) ? best : undefined;
}

/** The expected form for an unknown key. */
export function unknownKeyExpected(key: string, known: readonly string[]): string {
  const near = nearestKey(key, known);
  return `no such key${near ? ` (did you mean ${near}?)` : ""}; the keys are: ${known.join(", ")}`;
}

/** A key as it may be printed: control characters escaped, and cut short. */
export function printableKey(key: string): string {
  const escaped = visibleJson(key).slice(1, -1);
  return escaped.length > 64 ? `${escaped.slice(0, 61)}...` : escaped;
}
