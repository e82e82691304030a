// Results of a pure function of one text, remembered: the gate scans the same texts (custom data, scripts, settings)
// under several rules, in the offline gate and the pack alike, and seat after seat. Bounded: emptied when full.
export function memoByText<T>(fn: (text: string) => T, limit = 512): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    if (seen.has(text)) return seen.get(text)!;
    const value = fn(text);
    if (seen.size >= limit) seen.clear();
    seen.set(text, value);
    return value;
  };
}

/** The same for a function that returns a list: each caller gets its own copy. */
export function memoListByText<T>(fn: (text: string) => readonly T[], limit = 512): (text: string) => T[] {
  const remembered = memoByText(fn, limit);
  return (text) => [...remembered(text)];
}
