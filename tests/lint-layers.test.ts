// The layer rules (.dependency-cruiser.cjs) bite: deliberate backwards imports fail `npm run lint`'s check, and
// files importing the right way round in the same tree are not flagged. Run on a scratch tree, never on the
// repository; one depcruise run serves every case (each start costs seconds).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./helpers/program";

const FILES: Record<string, string> = {
  // Backwards: lib/ importing a command, a command importing tests/, policy/ importing a command.
  "lib/a.ts": 'import { b } from "../scripts/b";\nexport const a = b;\n',
  "scripts/b.ts": "export const b = 1;\n",
  "scripts/c.ts": 'import { t } from "../tests/t";\nexport const c = t;\n',
  "tests/t.ts": "export const t = 1;\n",
  "policy/p.ts": 'import { c } from "../scripts/c";\nexport const p = c;\n',
  // One command importing another command's folder (what two commands share belongs in scripts/shared/).
  "scripts/plan/index.ts": 'import { y } from "../lab/y";\nimport { z } from "../shared/z";\nexport const x = y + z;\n',
  "scripts/lab/y.ts": "export const y = 1;\n",
  "scripts/shared/z.ts": "export const z = 1;\n",
  // Downwards: a command importing lib/.
  "lib/good.ts": "export const good = 1;\n",
  "scripts/uses-good.ts": 'import { good } from "../lib/good";\nexport const usesGood = good;\n',
};

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

function cruise(files: Record<string, string>): { status: number | null; violations: Violation[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  try {
    fs.copyFileSync(path.join(ROOT, ".dependency-cruiser.cjs"), path.join(dir, ".dependency-cruiser.cjs"));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const bin = path.join(ROOT, "node_modules/.bin/depcruise");
    const folders = [...new Set(Object.keys(files).map((f) => f.split("/")[0]))];
    // The default reporter, as `npm run lint` runs it: one "error RULE: FROM → TO" line per violation, exit code non-zero.
    const r = spawnSync(bin, ["--config", ".dependency-cruiser.cjs", ...folders], { cwd: dir, encoding: "utf8" });
    const violations = [...`${r.stdout}${r.stderr}`.matchAll(/error (\S+): (\S+) → (\S+)/g)].map(([, rule, from, to]) => ({
      rule,
      from,
      to,
    }));
    return { status: r.status, violations };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const result = cruise(FILES);
const broken = (from: string) => result.violations.filter((v) => v.from === from).map((v) => `${v.rule}: ${v.to}`);

describe("layer rules", () => {
  it("fail the check when any import runs backwards", () => {
    expect(result.status).not.toBe(0);
  });

  it("refuse lib/ importing a command (scripts/)", () => {
    expect(broken("lib/a.ts")).toEqual(["lib-is-pure: scripts/b.ts"]);
  });

  it("refuse shipped code importing tests/, and policy/ importing a command", () => {
    expect(broken("scripts/c.ts")).toEqual(["nothing-imports-tests: tests/t.ts"]);
    expect(broken("policy/p.ts")).toEqual(["policy-below-commands: scripts/c.ts"]);
  });

  it("refuse a command importing another command's folder, not scripts/shared/", () => {
    expect(broken("scripts/plan/index.ts")).toEqual(["one-folder-per-command: scripts/lab/y.ts"]);
  });

  it("accept files importing downwards, and flag nothing else", () => {
    expect(broken("scripts/uses-good.ts")).toEqual([]);
    expect(broken("lib/good.ts")).toEqual([]);
    expect(result.violations).toHaveLength(4);
  });
});
