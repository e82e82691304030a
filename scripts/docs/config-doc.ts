// The README's configuration tables, generated from Pulumi.yaml's declarations (one source: each key's default and
// description). The README says which keys go in which table with a marker line; `npm run docs` fills the rows in.
export interface Declaration {
  readonly type?: string;
  readonly default?: unknown;
  readonly description?: string;
}

const BLOCK = /<!-- config-table: ([^>]*?) -->\n[\s\S]*?<!-- \/config-table -->/g;

const cell = (s: string) =>
  s
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ")
    .trim();

function shownDefault(d: Declaration): string {
  if (d.default === undefined) return "(required)";
  return `\`${typeof d.default === "string" ? (d.default === "" ? '""' : d.default) : JSON.stringify(d.default)}\``;
}

/** The keys each marker names, in README order. */
export function tableKeys(readme: string): string[][] {
  return [...readme.matchAll(BLOCK)].map((m) => m[1].split(/\s+/).filter(Boolean));
}

/** `readme` with every marked table rebuilt from `declared`. Throws on a key that Pulumi.yaml does not declare. */
export function renderConfigTables(readme: string, declared: Readonly<Record<string, Declaration>>): string {
  return readme.replace(BLOCK, (_, list: string) => {
    const keys = list.split(/\s+/).filter(Boolean);
    const rows = keys.map((k) => {
      const d = Object.prototype.hasOwnProperty.call(declared, k) ? declared[k] : undefined;
      if (!d) throw new Error(`README config table names ${k}, which Pulumi.yaml does not declare`);
      return `| \`${k}\` | ${shownDefault(d)} | ${cell(d.description ?? "")} |`;
    });
    return [
      `<!-- config-table: ${keys.join(" ")} -->`,
      "| key | default | meaning |",
      "|---|---|---|",
      ...rows,
      "<!-- /config-table -->",
    ].join("\n");
  });
}
