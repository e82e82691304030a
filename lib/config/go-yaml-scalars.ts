// How gopkg.in/yaml.v3 (v3.0.1, the Pulumi CLI's YAML library) resolves an untagged plain scalar when it decodes into
// `any`: go-yaml/yaml@v3.0.1 resolve.go `resolve` and decode.go `scalar`. Not the YAML 1.2 core schema exactly: it
// also reads 0777 as octal, 0b101 as binary, drops every '_' from numbers, and reads timestamps as times.
// Written from that source, not copied; tests/lib/cli-yaml.test.ts holds each case.

/** A decoded scalar: what yaml.v3 hands Pulumi's config code. Integers keep their exact decimal text. */
export type GoScalar =
  | { readonly kind: "null" }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "int"; readonly decimal: string }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "timestamp" }
  | { readonly kind: "string"; readonly value: string };

// resolve.go's resolveMap: exact spellings only (yes/no/on/off stay strings when decoding into `any`).
const MAP: Readonly<Record<string, GoScalar>> = Object.assign(Object.create(null), {
  ...Object.fromEntries(["true", "True", "TRUE"].map((s) => [s, { kind: "bool", value: true }])),
  ...Object.fromEntries(["false", "False", "FALSE"].map((s) => [s, { kind: "bool", value: false }])),
  ...Object.fromEntries(["", "~", "null", "Null", "NULL"].map((s) => [s, { kind: "null" }])),
  ...Object.fromEntries([".nan", ".NaN", ".NAN"].map((s) => [s, { kind: "float", value: NaN }])),
  ...Object.fromEntries([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, { kind: "float", value: Infinity }])),
  ...Object.fromEntries(["-.inf", "-.Inf", "-.INF"].map((s) => [s, { kind: "float", value: -Infinity }])),
});

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, and a bare leading 0 for octal). */
function goParseInteger(s: string, signed: boolean): bigint | undefined {
  let sign = 1n;
  let body = s;
  if (signed && (body[0] === "+" || body[0] === "-")) {
    if (body[0] === "-") sign = -1n;
    body = body.slice(1);
  }
  let digits: RegExp;
  let prefix = "";
  if (/^0[xX]/.test(body)) [digits, prefix, body] = [/^[0-9a-fA-F]+$/, "0x", body.slice(2)];
  else if (/^0[bB]/.test(body)) [digits, prefix, body] = [/^[01]+$/, "0b", body.slice(2)];
  else if (/^0[oO]/.test(body)) [digits, prefix, body] = [/^[0-7]+$/, "0o", body.slice(2)];
  else if (body.length > 1 && body[0] === "0") [digits, prefix, body] = [/^[0-7]+$/, "0o", body.slice(1)];
  else digits = /^[0-9]+$/;
  if (!digits.test(body)) return undefined;
  const n = sign * BigInt(`${prefix}${body}`);
  if (signed ? n < INT64_MIN || n > INT64_MAX : n > UINT64_MAX) return undefined;
  return n;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Days in a month of the proleptic Gregorian calendar (Go's time.Parse refuses 2025-02-30). */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// resolve.go allowedTimestampFormats, as Go's time.Parse reads each layout: 1-2 digit month, day, hour, minute, second.
const DATE = String.raw`(\d{4})-(\d{1,2})-(\d{1,2})`;
const CLOCK = String.raw`(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?`;
const TIMESTAMP_LAYOUTS = [
  new RegExp(`^${DATE}[Tt]${CLOCK}(?:Z|[+-](\\d{2}):(\\d{2}))$`),
  new RegExp(`^${DATE} ${CLOCK}$`),
  new RegExp(`^${DATE}$`),
];

function isTimestamp(s: string): boolean {
  for (const layout of TIMESTAMP_LAYOUTS) {
    const m = layout.exec(s);
    if (!m) continue;
    const [year, month, day, hour = 0, minute = 0, second = 0] = m
      .slice(1, 7)
      .map((v) => (v === undefined ? undefined : Number(v))) as number[];
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) continue;
    if (hour > 23 || minute > 59 || second > 59) continue;
    return true;
  }
  return false;
}

/** resolve("", s) for a plain scalar: the value yaml.v3 decodes into `any`. */
export function resolvePlainScalar(s: string): GoScalar {
  const hint = s === "" ? "N" : /^[+-]/.test(s) ? "S" : /^[0-9]/.test(s) ? "D" : /^[yYnNtTfFoO~]/.test(s) ? "M" : s[0] === "." ? "." : "";
  if (hint === "") return { kind: "string", value: s };
  const mapped = MAP[s];
  if (mapped) return mapped;
  if (hint === ".") {
    const f = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : NaN;
    // Go's ParseFloat fails (ErrRange) on overflow, and the text stays a string.
    return Number.isFinite(f) ? { kind: "float", value: f } : { kind: "string", value: s };
  }
  if (hint === "D" || hint === "S") {
    if (hint === "D" && isTimestamp(s)) return { kind: "timestamp" };
    const plain = s.replace(/_/g, "");
    const n = goParseInteger(plain, true) ?? goParseInteger(plain, false);
    if (n !== undefined) return { kind: "int", decimal: n.toString() };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return { kind: "float", value: f };
    }
  }
  return { kind: "string", value: s };
}

/** A JSON number as Go's encoding/json writes a float64 (the same shortest form as JavaScript, and -0 kept). */
export function goJsonFloat(f: number): string | undefined {
  if (!Number.isFinite(f)) return undefined; // json: unsupported value
  return Object.is(f, -0) ? "-0" : String(f);
}

/** A JSON string as Go's encoding/json writes it: also escapes <, >, & and U+2028/U+2029. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
