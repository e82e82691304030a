// `npm run plan -- --program DIR`: a PR's program judged by this checkout's gate (harness, mocks, packages, policy rules
// and report). CI runs the base branch's gate this way, so a PR that edits the gate or the Azure facts it reads cannot
// approve itself. Each case edits a scratch clone of this repository as a PR would (or, when the PR touches only its
// stack file or index.ts, a directory with those files and links to the rest of this checkout).
// The first case runs the command as a child process on a clone without node_modules (its packages resolve from this
// checkout, which Node's loader does and jest's does not): plan's success path as a process. The others run its main
// in this process, on a clone whose node_modules links to this checkout's, the same packages.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../helpers/program";
import { runInProcess, runProcess } from "../shared/command";

async function plan(args: string[], child = false) {
  const script = "scripts/plan/index.ts";
  const r = await (child ? runProcess(script, args) : runInProcess(script, args));
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** This repository's last commit, without node_modules, as a PR's checkout would hold it. */
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-program-"));
  const r = spawnSync("sh", ["-c", `git -C "${ROOT}" archive HEAD | tar -x -C "${dir}"`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git archive: ${r.stderr}`);
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}`);
  fs.writeFileSync(path.join(dir, file), text.replace(from, to));
}

describe("npm run plan -- --program DIR", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const fresh = (linked = true) => {
    const d = scratch();
    dirs.push(d);
    if (linked) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(d, "node_modules"), "dir");
    return d;
  };
  /**
   * A PR that changes only its stack files or index.ts: those copied, `links` (what it leaves as this checkout has it)
   * linked here. Node and jest load a linked module by its real path, so this checkout's modules are not compiled again.
   */
  const linked = (links: string[]) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "plan-program-linked-"));
    dirs.push(d);
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(d, f));
    for (const f of links) fs.symlinkSync(path.join(ROOT, f), path.join(d, f));
    return d;
  };

  it("plans an unchanged copy like this checkout's own program: exit 0, no node_modules needed there", async () => {
    const dir = fresh(false);
    const { code, out, err } = await plan(["--stack", "dev", "--program", dir], true);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("Offline plan: dsvm-identity-lab, stack dev");
  });

  it("reads the stack's config from DIR: a seat count changed there is planned", async () => {
    const dir = linked(["index.ts"]);
    edit(dir, "Pulumi.dev.yaml", "seats: 2", "seats: 3");
    const report = JSON.parse((await plan(["--stack", "dev", "--json", "--program", dir])).out);
    expect(report.summary.seats).toBe(3);
  });

  it("a PR's invoke of listStorageAccountKeys (error caught) fails this checkout's gate", async () => {
    const dir = linked(["components", "lib", "probe", "node_modules"]);
    fs.copyFileSync(path.join(ROOT, "index.ts"), path.join(dir, "index.ts"));
    edit(
      dir,
      "index.ts",
      'import * as resources from "@pulumi/azure-native/resources";',
      'import * as resources from "@pulumi/azure-native/resources";\nimport * as storageApi from "@pulumi/azure-native/storage";',
    );
    fs.appendFileSync(
      path.join(dir, "index.ts"),
      '\nexport const keyAudit = storageApi.listStorageAccountKeys({ resourceGroupName: "rg", accountName: "acct" }).then((k) => k.keys?.[0]?.value, () => undefined);\n',
    );
    const { code, err } = await plan(["--stack", "dev", "--program", dir]);
    expect(code).toBe(1);
    expect(err).toContain("offline gate: 1 thing(s) it cannot see: invoke azure-native:storage:listStorageAccountKeys");
  });

  it("a PR that swaps a built-in role id in its lib/azure/roles.ts (VM User Login := Owner) is judged by this checkout's role facts", async () => {
    const dir = fresh();
    edit(
      dir,
      "lib/azure/roles.ts",
      'virtualMachineUserLogin: "fb879df8-f326-4884-b1cf-06f3ad86be52"',
      'virtualMachineUserLogin: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"',
    );
    const { code, err } = await plan(["--stack", "lab-users", "--program", dir]);
    expect(code).toBe(1);
    expect(err).toMatch(/policy gate: \d+ mandatory violation\(s\): .*grant-role-assignments/);
    const report = JSON.parse((await plan(["--stack", "lab-users", "--json", "--program", dir])).out);
    const blocked = report.violations
      .filter((v: any) => v.enforcement === "mandatory" && v.ruleId === "grant-role-assignments")
      .map((v: any) => v.resource);
    expect(blocked).toEqual(expect.arrayContaining([expect.stringMatching(/RoleAssignment seat1-userlogin$/)]));
  });

  it("DIR without index.ts: exit 2 naming the flag and the value, nothing planned", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-program-empty-"));
    dirs.push(dir);
    const { code, out, err } = await plan(["--program", dir]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`--program ${JSON.stringify(dir)}: no index.ts there`);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
