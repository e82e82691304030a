// The lab's configuration: read once, validated as a whole, before any resource exists.
// Keys, types, descriptions and defaults are declared in Pulumi.yaml (the CLI applies the defaults); lib/config/ owns
// the rules: schema.ts (the validated shape and its error), rules.ts (one rule per key), cross-checks.ts (rules
// between keys), ssh-key.ts, subnet.ts, keys.ts (unknown keys) and cli-yaml.ts (YAML read as the Pulumi CLI reads it,
// for the offline tools; the program itself gets its values from the CLI). tests/lib/config.test.ts checks that
// Pulumi.yaml and the rules name the same keys.
import { crossCheck, CrossCheckContext } from "./config/cross-checks";
import { printableKey, unknownKeyExpected } from "./config/keys";
import { Invalid, Parser, RuleContext } from "./config/parsers";
import { CONFIG_KEYS, RULES } from "./config/rules";
import { ConfigError, ConfigProblem, hasOwn, LabConfig, NOT_SHOWN, RawConfig, shown } from "./config/schema";

export { CONFIG_KEYS, CREATED_AT } from "./config/rules";
export { ConfigError, NOT_SHOWN, PROJECT } from "./config/schema";
// Every type of the schema, so a new key's type needs no edit here (CONTRIBUTING.md, "Add a config key").
export type * from "./config/schema";
export { subnetPrefixFor } from "./config/subnet";

export interface ValidateContext extends CrossCheckContext {
  /** The clock createdAt is checked against; the real one unless a test injects another. */
  readonly now?: Date;
}

/**
 * Validates every key and the rules between them. Throws one ConfigError that lists every problem, and nothing else:
 * a value that breaks a rule is reported, never a crash.
 * `raw` holds the project's keys without the namespace, as strings (what `pulumi.Config#get` returns).
 */
export function validateConfig(raw: RawConfig, context: ValidateContext = {}): LabConfig {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = Object.create(null);
  const ctx: RuleContext = { now: context.now ?? new Date() };
  for (const key of Object.keys(raw)) {
    // Never the value: a password typed under a misspelt key must not reach a log.
    if (!hasOwn(RULES, key)) problems.push({ key: printableKey(key), value: NOT_SHOWN, expected: unknownKeyExpected(key, CONFIG_KEYS) });
  }
  for (const key of CONFIG_KEYS) {
    const value = hasOwn(raw, key) ? raw[key] : undefined;
    if (value === undefined) {
      problems.push({ key, value: "(not set)", expected: `a value: set it with \`pulumi config set ${key} ...\`` });
      continue;
    }
    if (typeof value !== "string") {
      problems.push({ key, value: NOT_SHOWN, expected: "a value as the Pulumi CLI passes it (text)" });
      continue;
    }
    try {
      out[key] = (RULES[key] as Parser<unknown>)(
        value,
        (expected) => {
          problems.push({ key, value: shown(key, value), expected });
          throw new Invalid();
        },
        ctx,
      );
    } catch (e) {
      // A rule that throws anything else is a bug; the value is still refused, without a trace or an echo.
      if (!(e instanceof Invalid))
        problems.push({ key, value: NOT_SHOWN, expected: "a value this program can read (its rule failed on this one)" });
    }
  }
  if (problems.length === 0) crossCheck(out as unknown as LabConfig, context, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...out }) as unknown as LabConfig;
}

/** Lowercase, hyphen-separated form of a stack name, safe inside Azure resource names. */
export function stackSlug(stack: string): string {
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "stack";
}
