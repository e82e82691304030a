// The layer rules (.dependency-cruiser.cjs) bite: a deliberate backwards import fails `npm run lint`'s check, and the
// same tree with the import the right way round passes. Run on a scratch tree, never on the repository.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./helpers/program";

function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  fs.copyFileSync(path.join(ROOT, ".dependency-cruiser.cjs"), path.join(dir, ".dependency-cruiser.cjs"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const bin = path.join(ROOT, "node_modules/.bin/depcruise");
  const r = spawnSync(bin, ["--config", ".dependency-cruiser.cjs", ...new Set(Object.keys(files).map((f) => f.split("/")[0]))], {
    cwd: dir,
    encoding: "utf8",
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("layer rules", () => {
  it("refuse lib/ importing a command (scripts/)", () => {
    const r = cruise({ "lib/a.ts": 'import { b } from "../scripts/b";\nexport const a = b;\n', "scripts/b.ts": "export const b = 1;\n" });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("lib-is-pure");
  });

  it("refuse shipped code importing tests/, and policy/ importing a command", () => {
    const r = cruise({
      "scripts/c.ts": 'import { t } from "../tests/t";\nexport const c = t;\n',
      "tests/t.ts": "export const t = 1;\n",
      "policy/p.ts": 'import { c } from "../scripts/c";\nexport const p = c;\n',
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("nothing-imports-tests");
    expect(r.out).toContain("policy-below-commands");
  });

  it("accept the same files importing downwards", () => {
    const r = cruise({ "lib/a.ts": "export const a = 1;\n", "scripts/b.ts": 'import { a } from "../lib/a";\nexport const b = a;\n' });
    expect({ status: r.status, out: r.out }).toEqual({ status: 0, out: expect.stringContaining("no dependency violations") });
  });
});
