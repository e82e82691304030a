// YAML as the Pulumi CLI reads it: gopkg.in/yaml.v3 v3.0.1 (go-yaml/yaml resolve.go, decode.go), then Pulumi's
// config object (pulumi/pulumi sdk/go/common/resource/config/object.go MarshalString) turning each value into the text
// the program gets. Each expected value below is what those sources produce, worked by hand from them.
import { cliString, Decoded, readCliYaml } from "../../lib/config/cli-yaml";
import { resolvePlainScalar } from "../../lib/config/go-yaml-scalars";

/** The text the program would get for `v: <yaml>`, or the problem. */
function passed(yamlValue: string): string {
  const { root, problems } = readCliYaml(`v: ${yamlValue}\n`);
  if (problems.length) return `PROBLEM ${problems.map((p) => p.message).join("; ")}`;
  const v = (root as Extract<Decoded, { kind: "map" }>).entries[0].value;
  const s = cliString(v);
  return "text" in s ? s.text : `PROBLEM ${s.problem}`;
}

describe("pulumi-cli-yaml-v3, pulumi-config-value-text: plain scalars resolve as yaml.v3 resolves them into `any`", () => {
  it.each([
    // YAML 1.1 booleans are strings when decoding into any (decode.go only maps them for a typed bool)
    ["yes", "yes"],
    ["on", "on"],
    ["No", "No"],
    ["y", "y"],
    ["true", "true"],
    ["True", "true"],
    ["FALSE", "false"],
    ["tRUE", "tRUE"],
    // integers: base 0, so a leading 0 is octal, and '_' is dropped
    ["2", "2"],
    ["+7", "7"],
    ["010", "8"],
    ["0o17", "15"],
    ["0x1F", "31"],
    ["0b101", "5"],
    ["1_000", "1000"],
    ["-0", "0"],
    ["9223372036854775807", "9223372036854775807"],
    ["18446744073709551615", "18446744073709551615"],
    // not octal: falls through to a float, which JSON writes without the zero
    ["0900", "900"],
    ["08", "8"],
    // floats, as Go's encoding/json writes a float64
    ["2.0", "2"],
    ["1.5", "1.5"],
    ["1e3", "1000"],
    ["1e21", "1e+21"],
    [".5", "0.5"],
    ["-.5", "-0.5"],
    ["-0.0", "-0"],
    ["1e400", "1e400"],
    // strings that look like numbers to YAML 1.2 core but not to yaml.v3, or the reverse
    ["0x", "0x"],
    ["1.2.3", "1.2.3"],
    ["12:30", "12:30"],
    ["1900", "1900"],
    ["ssh-ed25519 AAAA x", "ssh-ed25519 AAAA x"],
    // quoted and block scalars are always strings
    ['"010"', "010"],
    ["'yes'", "yes"],
    ['"2025-01-31T09:00:00Z"', "2025-01-31T09:00:00Z"],
    ["! 12", "12"],
    ["!!str 12", "12"],
    // lists and mappings are passed on as JSON (keys sorted, Go's HTML escapes)
    ["[a, 1, true, ~]", '["a",1,true,null]'],
    ["[]", "[]"],
    ["{b: 1, a: x}", '{"a":"x","b":1}'],
    ['["<&>"]', '["\\u003c\\u0026\\u003e"]'],
  ])("v: %s is passed on as %j", (yamlValue, expected) => {
    expect(passed(yamlValue)).toBe(expected);
  });

  it.each([
    ["2025-01-31T09:00:00Z", "unquoted YAML timestamp"],
    ["2025-1-3", "unquoted YAML timestamp"],
    ["2025-01-31 09:00:00", "unquoted YAML timestamp"],
    ["2025-01-31t09:00:00+02:00", "unquoted YAML timestamp"],
    ["[2025-01-31]", "unquoted YAML timestamp"],
    [".nan", "cannot pass on"],
    ["-.inf", "cannot pass on"],
    ["!!int 12", "explicit YAML tag"],
    ["!custom x", "explicit YAML tag"],
  ])("v: %s is refused: %s", (yamlValue, problem) => {
    expect(passed(yamlValue)).toContain(problem);
  });

  it("a date that does not exist is not a timestamp (Go's time.Parse refuses it), so it stays a string", () => {
    expect(resolvePlainScalar("2025-02-30")).toEqual({ kind: "string", value: "2025-02-30" });
    expect(resolvePlainScalar("2024-02-29")).toEqual({ kind: "timestamp" });
  });

  it("an empty value and ~ are null", () => {
    for (const v of ["", "~", "null", "NULL"]) expect(resolvePlainScalar(v)).toEqual({ kind: "null" });
  });
});

describe("pulumi-cli-yaml-v3: documents the CLI would refuse, or read otherwise than written, are refused with a line and no value", () => {
  const problemsOf = (text: string) => readCliYaml(text).problems;

  it("a duplicate key, as yaml.v3's decoder refuses it (quoted and plain spellings are the same key)", () => {
    expect(problemsOf('config:\n  a: 1\n  "a": 2\n')).toEqual([{ line: 3, message: 'mapping key "a" already defined at line 2' }]);
  });

  it("a syntax error: its code and line, never the parser's quote of the file", () => {
    const problems = problemsOf('config:\n  secret: "hunter2\\q"\n  b: [1\n');
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.message).toMatch(/^YAML syntax error \([A-Z_]+\)$/);
      expect(typeof p.line).toBe("number");
    }
  });

  it.each([
    ["a merge key", "base: &b {x: 1}\nv:\n  <<: *b\n", "merge key"],
    ["an alias with no anchor", "v: *nowhere\n", "no anchor"],
    ["two documents", "a: 1\n---\nb: 2\n", "more than one YAML document"],
    ["a key that YAML reads as a number", "config:\n  1: x\n", "reads as a int"],
    ["a key that YAML reads as a boolean", "config:\n  true: x\n", "reads as a bool"],
    ["a tagged mapping", "v: !!map {a: 1}\n", "explicit YAML tag"],
  ])("%s", (_name, text, message) => {
    expect(problemsOf(text)).toEqual([expect.objectContaining({ message: expect.stringContaining(message) })]);
  });

  it("aliases are followed, as yaml.v3 follows them", () => {
    const { root, problems } = readCliYaml("a: &x [p, q]\nb: *x\n");
    expect(problems).toEqual([]);
    const b = (root as Extract<Decoded, { kind: "map" }>).entries[1].value;
    expect(cliString(b)).toEqual({ text: '["p","q"]' });
  });

  it("an alias bomb is bounded, not expanded", () => {
    let text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 8; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    expect(problemsOf(text)).toEqual([expect.objectContaining({ message: expect.stringContaining("too large") })]);
  });

  it("an empty file is an empty document, as the CLI takes it", () => {
    expect(readCliYaml("")).toEqual({ root: undefined, problems: [] });
    expect(readCliYaml("# only a comment\n")).toEqual({ root: undefined, problems: [] });
  });
});
