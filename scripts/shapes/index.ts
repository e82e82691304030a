// npm run shapes [-- --check]
// Regenerates policy/shapes/declared.ts: per resource type, every input property path the program sets, over every
// shipped stack and the config variants the lab supports (each run under mocks in a Pulumi store of its own, one after
// another in this process). Each type's reason is hand-written in policy/shapes/reasons.ts: tests/policy/shapes.test.ts
// refuses a type without one. --check exits 1 when the file would change.
import * as fs from "fs";
import * as path from "path";
import { viewOf } from "../../policy/offline";
import { inputPaths } from "../../policy/shapes/paths";
import { Io, parseFlags, runMain, UsageError } from "../shared/cli";

const ROOT = path.resolve(__dirname, "../..");
export const SHAPES_FILE = path.join(ROOT, "policy/shapes/declared.ts");

const OPERATOR = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const EPHEMERAL = { ephemeral: "true", ttlHours: "8", createdAt: "2025-01-31T09:00:00Z", owner: "alice" };

/** The stacks and config variants the lab supports: every property any of them sets is declared. */
export const SHAPE_VARIANTS: readonly {
  readonly title: string;
  readonly stack: string;
  readonly config: Readonly<Record<string, string>>;
}[] = [
  { title: "dev", stack: "dev", config: {} },
  { title: "win-rbac", stack: "win-rbac", config: {} },
  { title: "lab-users", stack: "lab-users", config: {} },
  { title: "allowedSshCidrs", stack: "dev", config: { allowedSshCidrs: '["203.0.113.0/24"]' } },
  { title: "bastion on ubuntu", stack: "dev", config: { bastion: "true" } },
  { title: "listKeysRole builtin", stack: "dev", config: { listKeysRole: "builtin" } },
  { title: "customRoleSource lab, access policies", stack: "dev", config: { customRoleSource: "lab" } },
  { title: "customRoleSource lab, rbac", stack: "dev", config: { customRoleSource: "lab", vaultAccessModel: "rbac" } },
  { title: "ephemeral", stack: "dev", config: EPHEMERAL },
  { title: "rbac on ubuntu", stack: "dev", config: { vaultAccessModel: "rbac" } },
  { title: "sharded seats", stack: "dev", config: { seats: "3", seatsPerVault: "2" } },
  {
    title: "operators and operator IPs",
    stack: "dev",
    config: {
      operatorObjectIds: JSON.stringify([OPERATOR]),
      operatorIpRanges: '["203.0.113.7", "198.51.100.0/24"]',
      operatorPrincipalType: "Group",
    },
  },
  {
    title: "windows with operators and RDP",
    stack: "win-rbac",
    config: { operatorObjectIds: JSON.stringify([OPERATOR]), allowedSshCidrs: '["203.0.113.0/24"]' },
  },
  { title: "one seat, no check on deploy", stack: "dev", config: { seats: "1", checkOnDeploy: "false" } },
];

/** Type -> sorted paths, from recorded resources. */
export function pathsOf(resources: readonly { type: string; inputs: Record<string, any> }[]): Record<string, string[]> {
  const byType = new Map<string, Set<string>>();
  for (const r of resources) {
    const set = byType.get(r.type) ?? new Set<string>();
    for (const p of inputPaths(r.inputs)) set.add(p);
    byType.set(r.type, set);
  }
  return Object.fromEntries([...byType].map(([t, s]) => [t, [...s].sort()]));
}

/** One variant's paths. */
async function runOne(index: number): Promise<Record<string, string[]>> {
  const { runProgram } = await import("../../offline/harness");
  const { readStackConfig } = await import("../../offline/stack-config");
  const v = SHAPE_VARIANTS[index];
  const run = await runProgram({ stack: v.stack, config: { ...readStackConfig(ROOT, v.stack), ...v.config }, programDir: ROOT });
  // The lab's own components have no cloud effect; their children are judged. Inputs as the rules see them (secrets unwrapped).
  return pathsOf(run.resources.filter((r) => r.custom).map(viewOf));
}

/** The file's text for `paths`: the generated block replaced, the header kept. */
export function render(paths: Record<string, readonly string[]>, text = fs.readFileSync(SHAPES_FILE, "utf8")): string {
  // Formatted as prettier formats it (printWidth 140): an array on one line when it fits.
  const entry = (t: string) => {
    const items = [...paths[t]].sort().map((p) => JSON.stringify(p));
    const line = `  ${JSON.stringify(t)}: [${items.join(", ")}],`;
    return line.length <= 140 ? line : `  ${JSON.stringify(t)}: [\n${items.map((p) => `    ${p},`).join("\n")}\n  ],`;
  };
  const body = Object.keys(paths).sort().map(entry).join("\n");
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${SHAPES_FILE}: markers ${BEGIN} / ${END} not found`);
  return `${text.slice(0, start + BEGIN.length)}\n${body}\n  ${text.slice(end)}`;
}
const BEGIN = "// BEGIN GENERATED (npm run shapes)";
const END = "// END GENERATED";

const USAGE = "usage: npm run shapes [-- --check]\n  --check  exit 1, writing nothing, when policy/shapes/declared.ts would change";

/** The command: writes the file, or with --check says whether it is up to date (exit 0) or stale (exit 1). */
export async function main(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { check: { type: "boolean", default: false } }, USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  const merged: Record<string, Set<string>> = {};
  for (let k = 0; k < SHAPE_VARIANTS.length; k++) {
    for (const [t, ps] of Object.entries(await runOne(k))) for (const p of ps) (merged[t] ??= new Set()).add(p);
    io.stderr.write(`shapes: ${SHAPE_VARIANTS[k].title}\n`);
  }
  const text = render(Object.fromEntries(Object.entries(merged).map(([t, s]) => [t, [...s].sort()])));
  if (values.check) {
    const same = text === fs.readFileSync(SHAPES_FILE, "utf8");
    io.stderr.write(
      same
        ? "shapes: policy/shapes/declared.ts is up to date\n"
        : "shapes: policy/shapes/declared.ts is stale: run npm run shapes and review the diff\n",
    );
    return same ? 0 : 1;
  }
  fs.writeFileSync(SHAPES_FILE, text);
  io.stderr.write(
    `shapes: wrote ${path.relative(ROOT, SHAPES_FILE)}; review the diff: every new path is something a seat or the network gains\n`,
  );
  return 0;
}

if (require.main === module) runMain(main);
