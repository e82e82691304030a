// Reads a stack's config the way the Pulumi CLI hands it to the program: Pulumi.yaml's declared defaults, overlaid
// with Pulumi.<stack>.yaml, every value as a string (arrays and objects as JSON). Offline: no CLI, no secrets.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../../lib/config";

export class StackConfigError extends Error {}

interface Declared {
  readonly type?: string;
  readonly default?: unknown;
  readonly description?: string;
}

export function projectConfigDeclarations(projectDir: string): Record<string, Declared> {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
  return (project?.config ?? {}) as Record<string, Declared>;
}

function asCliString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The project's config for `stack`, without the namespace. Throws StackConfigError with a clear message.
 * `allowMissing`: a stack with no Pulumi.<stack>.yaml yet (a lab about to be created) gets just the defaults.
 */
export function readStackConfig(projectDir: string, stack: string, opts: { allowMissing?: boolean } = {}): Record<string, string> {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new StackConfigError(`--stack ${JSON.stringify(stack)}: expected a stack name of letters, digits, '-', '_' or '.'`);
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file) && !opts.allowMissing) {
    const known = fs.readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
    throw new StackConfigError(`--stack ${stack}: no file Pulumi.${stack}.yaml; stacks here: ${known.join(", ") || "none"}`);
  }
  const raw: Record<string, string> = {};
  for (const [key, decl] of Object.entries(projectConfigDeclarations(projectDir))) {
    if (decl && typeof decl === "object" && "default" in decl) raw[key] = asCliString(decl.default);
  }
  const stackConfig = (fs.existsSync(file) ? parse(fs.readFileSync(file, "utf8"))?.config ?? {} : {}) as Record<string, unknown>;
  for (const [fullKey, value] of Object.entries(stackConfig)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue; // provider config (azure-native:...) is not the program's
    const key = fullKey.slice(PROJECT.length + 1);
    if (value && typeof value === "object" && "secure" in (value as object)) {
      throw new StackConfigError(`${fullKey} in Pulumi.${stack}.yaml is encrypted; the offline plan cannot read secrets (the lab's config needs none)`);
    }
    raw[key] = asCliString(value);
  }
  return raw;
}
