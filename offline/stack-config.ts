// Reads a stack's config the way the Pulumi CLI hands it to the program: Pulumi.yaml's declared defaults, overlaid
// with Pulumi.<stack>.yaml, every value as the text the CLI passes on. Offline: no CLI, no secrets. YAML is decoded
// as the CLI's yaml.v3 decodes it (lib/config/cli-yaml.ts); what the CLI would refuse, or read differently from
// what is written, is a StackConfigError naming the file, the line and the key, never the value.
import * as fs from "fs";
import * as path from "path";
import { PROJECT } from "../lib/config";
import { cliString, Decoded, MapEntry, printable, readCliYaml, ReadYaml } from "../lib/config/cli-yaml";

export class StackConfigError extends Error {}

export interface Declared {
  readonly type?: string;
  readonly itemsType?: string;
  /** The text the CLI passes on when the stack does not set the key; undefined when there is no default. */
  readonly default?: string;
  readonly description?: string;
}

/** Problems found in one file: "<file> line N: message". */
class FileProblems {
  readonly lines: string[] = [];
  constructor(readonly file: string) {}
  add(line: number | undefined, message: string): void {
    this.lines.push(`${this.file}${line ? ` line ${line}` : ""}: ${message}`);
  }
  throwIfAny(): void {
    if (this.lines.length)
      throw new StackConfigError(
        `${this.file} cannot be read as the Pulumi CLI reads it:\n${this.lines.map((l) => `  - ${l}`).join("\n")}`,
      );
  }
}

/** Decoding is pure, and a run reads the same few files again and again: the last few texts' results, by text. */
const decoded = new Map<string, ReadYaml>();
function decodeOnce(text: string): ReadYaml {
  let found = decoded.get(text);
  if (!found) {
    found = readCliYaml(text);
    if (decoded.size >= 8) decoded.delete(decoded.keys().next().value!);
    decoded.set(text, found);
  }
  return found;
}

function readYamlFile(file: string, label: string): Decoded | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new StackConfigError(`${label}: cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  // The CLI strips a UTF-8 byte-order mark (sdk/go/common/workspace/loaders.go readFileStripUTF8BOM).
  const { root, problems } = decodeOnce(text.replace(/^\uFEFF/, ""));
  const found = new FileProblems(label);
  for (const p of problems) found.add(p.line, p.message);
  found.throwIfAny();
  return root;
}

const entries = (d: Decoded | undefined): readonly MapEntry[] => (d?.kind === "map" ? d.entries : []);
const entry = (d: Decoded | undefined, key: string) => entries(d).find((e) => e.key === key);
const text = (d: Decoded | undefined) => (d?.kind === "string" ? d.value : undefined);

/** The project's own config keys as Pulumi.yaml declares them (type, default as CLI text, description). */
export function projectConfigDeclarations(projectDir: string): Record<string, Declared> {
  const root = readYamlFile(path.join(projectDir, "Pulumi.yaml"), "Pulumi.yaml");
  const found = new FileProblems("Pulumi.yaml");
  if (root?.kind !== "map") found.add(root?.line, "expected a mapping with name, runtime and config");
  const name = text(entry(root, "name")?.value);
  if (root?.kind === "map" && name !== PROJECT) found.add(entry(root, "name")?.line, `name: expected ${PROJECT}, the project this code is`);
  const config = entry(root, "config");
  if (config && config.value.kind !== "map" && config.value.kind !== "null")
    found.add(config.line, "config: expected a mapping of key: declaration");
  const out: Record<string, Declared> = Object.create(null);
  for (const { key, value } of entries(config?.value)) {
    const own = ownKey(key);
    if (own === undefined) continue; // another namespace's value (a provider's), not the program's
    const decl = value.kind === "map" ? value : undefined;
    // A bare value is shorthand for a default (workspace/project.go RewriteShorthandConfigValues).
    const def = decl ? (entry(decl, "default") ?? entry(decl, "value"))?.value : value;
    let defaultText: string | undefined;
    if (def && def.kind !== "null") {
      const s = cliString(def);
      if ("problem" in s) found.add(def.line, `${PROJECT}:${printable(own)} default: ${s.problem}`);
      else defaultText = s.text;
    }
    const items = entry(decl, "items")?.value;
    out[own] = {
      type: text(entry(decl, "type")?.value),
      itemsType: text(entry(items, "type")?.value),
      default: defaultText,
      description: text(entry(decl, "description")?.value),
    };
  }
  found.throwIfAny();
  return out;
}

/** The key's name in this project's namespace, or undefined when it belongs to another namespace. */
function ownKey(key: string): string | undefined {
  // The CLI puts a key without a namespace in the project's (workspace/loaders.go stackConfigNamespacedWithProject).
  if (!key.includes(":")) return key;
  return key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : undefined;
}

/** What the CLI checks of a stack value against the declared type (pkg/workspace/config.go validateStackConfigValue). */
function fitsDeclaredType(value: Decoded, cli: string, decl: Declared | undefined): boolean {
  const scalar = value.kind !== "seq" && value.kind !== "map";
  switch (decl?.type) {
    case undefined:
      return true;
    case "string":
      return scalar;
    case "integer":
      return scalar && /^[+-]?\d+$/.test(cli) && BigInt(cli) >= -(2n ** 63n) && BigInt(cli) < 2n ** 63n;
    case "boolean":
      return scalar && (cli === "true" || cli === "false");
    case "array":
      return value.kind === "seq" && value.items.every((i) => decl.itemsType !== "string" || i.kind === "string");
    default:
      return false;
  }
}

/**
 * The project's config for `stack`, without the namespace. Throws StackConfigError with a clear message.
 * `allowMissing`: a stack with no Pulumi.<stack>.yaml yet (a lab about to be created) gets just the defaults.
 */
export function readStackConfig(projectDir: string, stack: string, opts: { allowMissing?: boolean } = {}): Record<string, string> {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new StackConfigError(`--stack ${JSON.stringify(stack)}: expected a stack name of letters, digits, '-', '_' or '.'`);
  const label = `Pulumi.${stack}.yaml`;
  const file = path.join(projectDir, label);
  if (!fs.existsSync(file) && !opts.allowMissing) {
    const known = fs
      .readdirSync(projectDir)
      .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
      .map((f) => f.slice(7, -5));
    throw new StackConfigError(`--stack ${stack}: no file ${label}; stacks here: ${known.join(", ") || "none"}`);
  }
  const declared = projectConfigDeclarations(projectDir);
  // No prototype: keys such as __proto__ or constructor are data here, and validateConfig refuses them by name.
  const raw: Record<string, string> = Object.create(null);
  for (const [key, decl] of Object.entries(declared)) if (decl.default !== undefined) raw[key] = decl.default;
  if (!fs.existsSync(file)) return raw;

  const root = readYamlFile(file, label);
  const found = new FileProblems(label);
  if (root !== undefined && root.kind !== "map") found.add(root.line, "expected a mapping with a config: section");
  for (const { key, line } of entries(root)) {
    // The CLI reads ESC environments into config; the offline tools cannot, so their plan would differ from `up`.
    if (key === "environment")
      found.add(line, "environment: imports Pulumi ESC environments, which the offline tools cannot read; put the values under config:");
    else if (key.includes(":")) found.add(line, `${printable(key)} is outside config: (is it indented under config:?)`);
  }
  const config = entry(root, "config");
  if (config && config.value.kind !== "map" && config.value.kind !== "null")
    found.add(config.line, "config: expected a mapping of key: value");
  const seen = new Map<string, number>();
  for (const { key, value, line } of entries(config?.value)) {
    const own = ownKey(key);
    if (own === undefined) continue; // provider config (azure-native:...) is not the program's
    const name = `${PROJECT}:${printable(own)}`;
    const first = seen.get(own);
    // `seats` and `dsvm-identity-lab:seats` are one key to the CLI, and which one wins is not defined.
    if (first !== undefined)
      found.add(line, `${name} is set twice (also at line ${first}; with and without the namespace is the same key)`);
    seen.set(own, line);
    if (value.kind === "null") {
      found.add(
        line,
        `${name} has no value. The CLI reads an empty value as "" with a warning, and says a later version will read it as null; write ${own}: "" if empty is meant`,
      );
      continue;
    }
    if (value.kind === "map" && value.entries.length === 1 && value.entries[0].key === "secure") {
      found.add(line, `${name} is encrypted; the offline tools cannot read secrets (the lab's config needs none)`);
      continue;
    }
    const s = cliString(value);
    if ("problem" in s) {
      found.add(line, `${name}: ${s.problem}`);
      continue;
    }
    const decl = Object.prototype.hasOwnProperty.call(declared, own) ? declared[own] : undefined;
    if (!fitsDeclaredType(value, s.text, decl)) {
      const type = decl?.type === "array" ? `array<${decl.itemsType ?? "any"}>` : decl?.type;
      found.add(line, `${name} must be of type ${type}, as Pulumi.yaml declares it (the CLI refuses it otherwise)`);
      continue;
    }
    raw[own] = s.text;
  }
  found.throwIfAny();
  return raw;
}
