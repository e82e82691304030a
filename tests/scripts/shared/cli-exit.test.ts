// Exit codes in one place: the user's input (flags, config, a stack file) exits 2 with its message alone; anything
// else exits 1, and shows a stack only when DEBUG asks for it.
import { ConfigError } from "../../../lib/config";
import { EXIT, reportError, UsageError } from "../../../scripts/shared/cli";
import { StackConfigError } from "../../../offline/stack-config";

describe("reportError", () => {
  it.each([
    ["a UsageError", new UsageError("--stack: expected a name")],
    ["a ConfigError", new ConfigError([{ key: "seats", value: '"0"', expected: "an integer" }])],
    ["a StackConfigError", new StackConfigError("Pulumi.dev.yaml line 3: YAML syntax error (BAD_INDENT)")],
    ["the program's RunError", Object.assign(new Error("Invalid configuration"), { __pulumiRunError: true })],
  ])("%s exits 2 with its message and no stack, even under DEBUG", (_name, e) => {
    const { code, text } = reportError(e, true);
    expect(code).toBe(EXIT.usage);
    expect(text).toBe(`${e.message}\n`);
    expect(text).not.toMatch(/\n\s+at /);
  });

  it("anything else exits 1, with a stack only under DEBUG", () => {
    const e = new RangeError("offset out of range");
    expect(reportError(e, false)).toEqual({ code: EXIT.failed, text: "error: offset out of range\n" });
    expect(reportError(e, true).text).toMatch(/^error: offset out of range\nRangeError: offset out of range\n\s+at /);
  });
});
