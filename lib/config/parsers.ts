// Parsers for raw config strings (what the Pulumi CLI hands a program): each returns the typed value or reports the
// form the value must take through `problem`, which does not return.

/** What a rule may depend on besides the value: the clock, injected so tests are deterministic. */
export interface RuleContext {
  readonly now: Date;
}

export type Parser<T> = (raw: string, problem: (expected: string) => never, ctx: RuleContext) => T;

/** Thrown by `problem` to stop one key's parser; validateConfig catches it. */
export class Invalid extends Error {}

export const str =
  (re: RegExp, expected: string): Parser<string> =>
  (raw, problem) =>
    re.test(raw) ? raw : problem(expected);

export const int =
  (min: number, max: number, why = ""): Parser<number> =>
  (raw, problem) => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : problem(`an integer from ${min} to ${max}${why}`);
  };

export const bool: Parser<boolean> = (raw, problem) => (raw === "true" ? true : raw === "false" ? false : problem("true or false"));

/** A YAML list of strings, handed over as JSON text; `item` says why one item is wrong, or undefined. */
export const list =
  (item: (v: string) => string | undefined, expected: string): Parser<string[]> =>
  (raw, problem) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return problem(`a YAML list of ${expected}`);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) return problem(`a YAML list of ${expected}`);
    for (const v of parsed as string[]) {
      const why = item(v);
      if (why !== undefined) problem(`a list of ${expected}; ${JSON.stringify(v)} ${why}`);
    }
    return parsed as string[];
  };
