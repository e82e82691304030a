// Reads a Pulumi.yaml or Pulumi.<stack>.yaml the way the Pulumi CLI does, for the offline tools (plan, lab, tests):
// the CLI decodes these files with gopkg.in/yaml.v3 (pulumi/pulumi sdk/go/common/encoding/marshal.go), so scalars
// resolve as go-yaml-scalars.ts says, duplicate keys are an error, and what cannot be read exactly like the CLI reads
// it (explicit tags, merge keys, several documents) is refused here rather than guessed. The program itself never
// reads YAML: the CLI hands it the values.
import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar } from "yaml";
import { GoScalar, goJsonFloat, goJsonString, resolvePlainScalar } from "./go-yaml-scalars";

export type Decoded =
  | (GoScalar & { readonly line: number })
  | { readonly kind: "seq"; readonly items: readonly Decoded[]; readonly line: number }
  | { readonly kind: "map"; readonly entries: readonly MapEntry[]; readonly line: number };

export interface MapEntry {
  readonly key: string;
  readonly value: Decoded;
  readonly line: number;
}

/** One reason the file cannot be read as the CLI reads it. Never carries a value from the file. */
export interface YamlProblem {
  readonly line?: number;
  readonly message: string;
}

export interface ReadYaml {
  /** Undefined for an empty file, as the CLI takes it. */
  readonly root?: Decoded;
  readonly problems: readonly YamlProblem[];
}

// Bounds the work an alias-heavy file can cause ("billion laughs").
const MAX_NODES = 100_000;

/** A key as it may be printed: control characters escaped, and cut short. */
export function printable(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > 64 ? `${escaped.slice(0, 61)}...` : escaped;
}

export function readCliYaml(text: string): ReadYaml {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, prettyErrors: false, lineCounter: lines });
  const problems: YamlProblem[] = [];
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  if (!Array.isArray(docs)) return { problems: [{ message: "not a YAML document" }] };
  for (const doc of docs) {
    // The parser's own messages may quote the file; only its code and position are shown.
    for (const e of doc.errors) problems.push({ line: lineOf(e.pos?.[0]), message: `YAML syntax error (${e.code})` });
  }
  if (problems.length) return { problems };
  if (docs.length > 1)
    return {
      problems: [
        { line: lineOf(docs[1].range?.[0]), message: "more than one YAML document (---): a Pulumi project or stack file holds one" },
      ],
    };
  if (docs.length === 0 || docs[0].contents === null) return { problems };
  const doc = docs[0];
  let nodes = 0;

  const decode = (node: unknown, depth: number): Decoded | undefined => {
    if (++nodes > MAX_NODES || depth > 100) {
      if (nodes === MAX_NODES + 1 || depth === 101)
        problems.push({ message: `too large or too deeply nested (over ${MAX_NODES} values or 100 levels)` });
      return undefined;
    }
    if (isAlias(node)) {
      const target = (node as Alias).resolve(doc as Document);
      if (!target)
        return void problems.push({ line: lineOf(node.range?.[0]), message: "an alias (*name) with no anchor (&name) before it" });
      return decode(target, depth + 1);
    }
    const line = lineOf((node as { range?: [number] }).range?.[0]) ?? 0;
    if (isScalar(node)) return scalar(node, line);
    if (isSeq(node)) {
      if (node.tag)
        return void problems.push({ line, message: `an explicit YAML tag (${printable(node.tag)}), which the offline tools do not read` });
      const items: Decoded[] = [];
      for (const item of node.items) {
        const d = decode(item, depth + 1);
        if (d) items.push(d);
      }
      return { kind: "seq", items, line };
    }
    if (isMap(node)) {
      if (node.tag)
        return void problems.push({ line, message: `an explicit YAML tag (${printable(node.tag)}), which the offline tools do not read` });
      const entries: MapEntry[] = [];
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyLine = lineOf((pair.key as { range?: [number] } | null)?.range?.[0]) ?? line;
        const key = mapKey(pair.key, keyLine);
        if (key === undefined) continue;
        // yaml.v3 (decode.go `mapping`): the same key twice is an error, wherever it is.
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push({ line: keyLine, message: `mapping key "${printable(key)}" already defined at line ${first}` });
          continue;
        }
        seen.set(key, keyLine);
        const value = pair.value === null ? ({ kind: "null", line: keyLine } as const) : decode(pair.value, depth + 1);
        if (value) entries.push({ key, value, line: keyLine });
      }
      return { kind: "map", entries, line };
    }
    return void problems.push({ line, message: "a YAML node the offline tools do not read" });
  };

  const scalar = (node: Scalar, line: number): Decoded | undefined => {
    const text = String(node.value);
    const tag = node.tag;
    if (tag === "tag:yaml.org,2002:str") return { kind: "string", value: text, line };
    if (tag !== undefined && tag !== "!")
      return void problems.push({ line, message: `an explicit YAML tag (${printable(tag)}), which the offline tools do not read` });
    // yaml.v3 `indicatedString`: quoted and block scalars are strings; a plain one is resolved.
    if (node.type !== Scalar.PLAIN || tag === "!") return { kind: "string", value: text, line };
    return { ...resolvePlainScalar(text), line };
  };

  const mapKey = (key: unknown, line: number): string | undefined => {
    if (!isScalar(key)) return void problems.push({ line, message: "a mapping key that is not a plain name" });
    if (key.type === Scalar.PLAIN && key.value === "<<" && key.tag === undefined) {
      return void problems.push({ line, message: "a merge key (<<), which the offline tools do not read" });
    }
    const d = scalar(key, line);
    if (!d) return undefined;
    // Pulumi (workspace/project.go SimplifyMarshalledValue) refuses keys that yaml.v3 reads as anything but a string.
    if (d.kind !== "string")
      return void problems.push({ line, message: `a mapping key that YAML reads as a ${d.kind}, not a name (quote it)` });
    return d.value;
  };

  const root = decode(doc.contents, 0);
  return { root, problems };
}

/**
 * The text the Pulumi CLI hands the program for a decoded value (sdk/go/common/resource/config/object.go
 * `MarshalString`): a string as is, a number or boolean as its JSON, a list or mapping as JSON (Go's encoding/json:
 * keys sorted). Undefined, with the reason, where the CLI would not hand over this text.
 */
export function cliString(d: Decoded): { text: string } | { problem: string } {
  if (d.kind === "string") return { text: d.value };
  const json = goJson(d);
  return typeof json === "string" ? { text: json } : json;
}

function goJson(d: Decoded): string | { problem: string } {
  switch (d.kind) {
    case "null":
      return "null";
    case "bool":
      return String(d.value);
    case "int":
      return d.decimal;
    case "float": {
      const f = goJsonFloat(d.value);
      return f ?? { problem: "a number the Pulumi CLI cannot pass on (.nan or .inf)" };
    }
    case "timestamp":
      // Decoded as a Go time.Time, which Pulumi passes on as time.Time.String() ("2025-01-31 09:00:00 +0000 UTC").
      return {
        problem:
          "an unquoted YAML timestamp, which the Pulumi CLI passes on as Go's time text (2025-01-31 09:00:00 +0000 UTC), not as written: quote it",
      };
    case "string":
      return goJsonString(d.value);
    case "seq": {
      const parts: string[] = [];
      for (const item of d.items) {
        const j = goJson(item);
        if (typeof j !== "string") return j;
        parts.push(j);
      }
      return `[${parts.join(",")}]`;
    }
    case "map": {
      const parts: string[] = [];
      for (const e of [...d.entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
        const j = goJson(e.value);
        if (typeof j !== "string") return j;
        parts.push(`${goJsonString(e.key)}:${j}`);
      }
      return `{${parts.join(",")}}`;
    }
  }
}
