// Azure's published OpenAPI specs and examples (pinned in scripts/fetch-reference/reference.ts: ../shared or .reference/), compiled with ajv so tests can check
// that the twin answers what Azure answers. Definitions are "closed" (no properties beyond the spec's), so the twin
// cannot drift by adding fields either. Where only an example exists (listKeys, run command), the example's own shape
// is the schema.
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { REFERENCE } from "../helpers/reference";

/** The specs folder, when the reference files are present (tests/helpers/reference.ts skips the suites otherwise). */
export const SPECS = REFERENCE && path.join(REFERENCE, "azure-rest-specs");
const KV = "keyvault/data-plane/Microsoft.KeyVault/stable/7.4";
const IMDS = "imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01";
const STORAGE = "storage/resource-manager/Microsoft.Storage/stable/2025-08-01";
const COMPUTE = "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01";

export function readSpec(rel: string): any {
  if (!SPECS) throw new Error("the pinned reference files are missing: run `npm run fetch-reference` (tests/helpers/reference.ts)");
  return JSON.parse(fs.readFileSync(path.join(SPECS, rel), "utf8"));
}

type Docs = Record<string, any>;

/** Copies of the specs whose object definitions allow no extra properties, with allOf merged in. */
function closeDocs(docs: Docs): Docs {
  const out: Docs = JSON.parse(JSON.stringify(docs));
  const lookup = (doc: string, ref: string): [string, any] => {
    const [file, pointer] = ref.split("#");
    const target = file || doc;
    return [target, out[target].definitions[pointer.replace("/definitions/", "")]];
  };
  const close = (doc: string, def: any): void => {
    if (!def || typeof def !== "object" || def.__closed) return;
    def.__closed = true;
    for (const part of def.allOf ?? []) {
      const [d, base] = part.$ref ? lookup(doc, part.$ref) : [doc, part];
      close(d, base);
      def.properties = { ...(base.properties ?? {}), ...(def.properties ?? {}) };
    }
    delete def.allOf;
    if (def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
    for (const p of Object.values<any>(def.properties ?? {})) if (!p.$ref) close(doc, p);
  };
  for (const [name, doc] of Object.entries(out)) for (const def of Object.values(doc.definitions ?? {})) close(name, def);
  for (const doc of Object.values(out)) for (const def of Object.values<any>(doc.definitions ?? {})) strip(def);
  return out;
}

function strip(v: any): void {
  if (!v || typeof v !== "object") return;
  delete v.__closed;
  Object.values(v).forEach(strip);
}

/** A closed schema from an example body: every key it has is required, and no other is allowed. */
export function schemaFromExample(value: unknown): object {
  if (Array.isArray(value)) return { type: "array", items: schemaFromExample(value[0]) };
  if (value === null) return { type: "null" };
  if (typeof value === "object") {
    const entries = Object.entries(value as object);
    return {
      type: "object",
      required: entries.map(([k]) => k),
      additionalProperties: false,
      properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaFromExample(v)])),
    };
  }
  return { type: typeof value === "number" ? "number" : typeof value };
}

export interface Validators {
  readonly identityToken: ValidateFunction;
  readonly identityError: ValidateFunction;
  readonly secretBundle: ValidateFunction;
  readonly secretList: ValidateFunction;
  readonly keyVaultError: ValidateFunction;
  readonly listKeys: ValidateFunction;
  readonly runCommandResult: ValidateFunction;
  /** ARM's common error shape (ErrorResponse of common-types), written out: the specs here carry none. */
  readonly armError: ValidateFunction;
}

export const EXAMPLES = {
  identityToken: () => readSpec(`${IMDS}/examples/getIdentityToken.json`),
  getSecret: () => readSpec(`${KV}/examples/GetSecret-example.json`),
  setSecret: () => readSpec(`${KV}/examples/SetSecret-example.json`),
  getSecrets: () => readSpec(`${KV}/examples/GetSecrets-example.json`),
  listKeys: () => readSpec(`${STORAGE}/examples/StorageAccountListKeys.json`),
  runCommand: () => readSpec(`${COMPUTE}/examples/runCommandExamples/VirtualMachineRunCommand.json`),
};

export function validators(): Validators {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const docs = closeDocs({
    "secrets.json": readSpec(`${KV}/secrets.json`),
    "common.json": readSpec(`${KV}/common.json`),
    "imds.json": readSpec(`${IMDS}/imds.json`),
  });
  for (const [name, doc] of Object.entries(docs)) ajv.addSchema(doc, name);
  const ref = (r: string) => ajv.compile({ $ref: r });
  return {
    identityToken: ref("imds.json#/definitions/IdentityTokenResponse"),
    identityError: ref("imds.json#/definitions/IdentityErrorResponse"),
    secretBundle: ref("secrets.json#/definitions/SecretBundle"),
    secretList: ref("secrets.json#/definitions/SecretListResult"),
    keyVaultError: ref("common.json#/definitions/KeyVaultError"),
    listKeys: ajv.compile(schemaFromExample(EXAMPLES.listKeys().responses["200"].body)),
    runCommandResult: ajv.compile(schemaFromExample(EXAMPLES.runCommand().responses["200"].body)),
    armError: ajv.compile({
      type: "object",
      required: ["error"],
      additionalProperties: false,
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          additionalProperties: false,
          properties: {
            code: { type: "string" },
            message: { type: "string" },
            target: { type: "string" },
            details: { type: "array" },
            additionalInfo: { type: "array" },
          },
        },
      },
    }),
  };
}
