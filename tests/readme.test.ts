import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { renderConfigTables, tableKeys } from "../scripts/docs/config-doc";
import { ROOT } from "./helpers/program";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("README", () => {
  it("opens with the two commands for a fresh machine", () => {
    const firstScreen = readme.split("\n").slice(0, 20).join("\n");
    expect(firstScreen).toContain("npm ci && npm run plan");
    expect(firstScreen).toContain("npm test");
  });

  it("documents every config key that Pulumi.yaml declares, and no other", () => {
    const declared = Object.keys(parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).config).sort();
    const section = readme.split("## Configuration")[1].split("\n## ")[0];
    const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(declared);
  });

  it("names only npm scripts that exist", () => {
    const used = new Set([...readme.matchAll(/npm run ([\w-]+)/g)].map((m) => m[1]));
    for (const script of used) expect({ script, exists: script in pkg.scripts }).toEqual({ script, exists: true });
  });

  it("links only to files that exist", () => {
    for (const [, target] of readme.matchAll(/\]\(((?!https?:)[^)#]+)/g))
      expect({ target, exists: fs.existsSync(path.join(ROOT, target)) }).toEqual({ target, exists: true });
  });
});

describe("README configuration tables", () => {
  const declared = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).config;

  it("are generated from Pulumi.yaml (npm run docs): a changed description or default makes them stale", () => {
    expect(readme).toBe(renderConfigTables(readme, declared));
    const changed = { ...declared, seats: { ...declared.seats, description: "something else" } };
    expect(renderConfigTables(readme, changed)).not.toBe(readme);
  });

  it("list every declared key in exactly one table", () => {
    const listed = tableKeys(readme).flat();
    expect([...listed].sort()).toEqual(Object.keys(declared).sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("refuse a table that names a key Pulumi.yaml does not declare", () => {
    expect(() => renderConfigTables("<!-- config-table: nope -->\n<!-- /config-table -->", declared)).toThrow(
      /names nope, which Pulumi.yaml does not declare/,
    );
  });
});
