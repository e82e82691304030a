// How the shape rule reads a resource's inputs: every property path that carries a value, array indices as `[]`, and
// how a boolean is read. Shared by the rules (policy/families/shapes.ts) and the generator (scripts/shapes/index.ts).

/** Objects whose keys are data, not properties: their keys collapse to `*` (a tag's name opens no door). */
export const MAP_PATHS: ReadonlySet<string> = new Set(["tags"]);

/** Whether a value counts as set: `false` and `0` do (an explicit false can turn a protection off), empties do not. */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.some(isSet);
  if (typeof v === "object") return Object.values(v as object).some(isSet);
  return true;
}

/**
 * Every leaf path of `inputs` with a set value: `a.b`, `list[].c`. Keys the engine or a bridged provider adds
 * (`__defaults`, `__meta`) are not the program's and are skipped.
 */
export function inputPaths(inputs: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  // One pass: a path is kept only at a set leaf, so empty objects and arrays leave nothing.
  const walk = (v: unknown, path: string): void => {
    if (v === undefined || v === null || v === "") return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${path}[]`);
      return;
    }
    if (typeof v === "object" && v !== null) {
      const map = MAP_PATHS.has(path);
      for (const [k, x] of Object.entries(v)) if (!k.startsWith("__")) walk(x, path === "" ? k : `${path}.${map ? "*" : k}`);
      return;
    }
    out.add(path);
  };
  walk(inputs, "");
  return out;
}

/**
 * Whether a value may mean true. The program can send a string where the schema says boolean; the gate does not bet
 * on how the provider or ARM reads `"True"` or `"1"`, so for a feature that must stay off, anything that reads as
 * true is on. (For a protection that must be on, rules ask for `true` itself: a string is not what the lab declares.)
 */
export function isTrue(v: unknown): boolean {
  if (v === true || v === 1) return true;
  return typeof v === "string" && ["true", "1", "yes", "on"].includes(v.trim().toLowerCase());
}
