// The probe runs as root on a seat. A module named like a standard-library one that the probe imports, left where
// Python would look first (beside the script, or on PYTHONPATH), must never be imported by it: neither in the script
// verify sends (probeShellScript) nor when the deploy-time run command executes the probe through its shebang.
// Conformance: run-command-linux-exec (the handler runs the script through its shebang, in its own directory).
// Each case also runs once without isolation, to show the plant really would be imported there (the test can fail).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROBE_PATH, readProbe } from "../../probe/scripts";
import { probeShellScript } from "../../probe/run-command";
import { pathWithPython } from "../../twin/python";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "probe-plant-"));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Writes planted twins of modules the probe imports into `dir`; each leaves a marker file when imported. */
function plant(dir: string, modules = ["argparse", "json", "base64"]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const m of modules) {
    fs.writeFileSync(path.join(dir, `${m}.py`), `open(${JSON.stringify(path.join(root, `imported-${m}`))}, "w").write("planted")\n`);
  }
}
const imported = () =>
  fs
    .readdirSync(root)
    .filter((f) => f.startsWith("imported-"))
    .sort();

/**
 * Runs the lines of probeShellScript as run command would (bash, as the file's owner), with a `mktemp` on PATH that
 * hands out a directory where the plant already waits: the worst case, a module beside the probe.
 */
function runVerifyScript(lines: string[]) {
  const bin = path.join(root, "bin");
  const work = path.join(root, "work");
  plant(work);
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "mktemp"), `#!/bin/sh\necho ${JSON.stringify(work)}\n`, { mode: 0o755 });
  const script = path.join(root, "run.sh");
  fs.writeFileSync(script, lines.join("\n"));
  return spawnSync("/bin/bash", [script], {
    encoding: "utf8",
    env: { PATH: `${bin}:${pathWithPython(root)}`, HOME: process.env.HOME ?? "/root", PYTHONPATH: path.join(root, "pythonpath") },
    timeout: 30000,
  });
}

describe("the probe never imports a planted module", () => {
  it("from the script verify sends: python3 -I in a private directory (beside the probe, and on PYTHONPATH)", () => {
    plant(path.join(root, "pythonpath"), ["hashlib", "hmac"]);
    const r = runVerifyScript(probeShellScript(readProbe(), ["--help"]));
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: vm-probe/);
    expect(imported()).toEqual([]);
  });

  it("control: the same script without -I imports the plants (what verify did before)", () => {
    plant(path.join(root, "pythonpath"), ["hashlib", "hmac"]);
    const lines = probeShellScript(readProbe(), ["--help"]).map((l) => l.replace(/^python3 -I /, "python3 "));
    runVerifyScript(lines);
    expect(imported()).toEqual(expect.arrayContaining(["imported-argparse", "imported-hmac"]));
  });

  it("through its shebang, as the deploy-time run command runs it (/bin/bash -c 'SCRIPT ARGS' in the script's directory)", () => {
    const dir = path.join(root, "download");
    plant(dir);
    const probe = path.join(dir, "script.sh");
    fs.copyFileSync(PROBE_PATH, probe);
    fs.chmodSync(probe, 0o755);
    // stdin is /dev/null: on a socket (node's default pipe) bash -c takes itself for a remote shell and runs ~/.bashrc.
    const r = spawnSync("/bin/bash", ["-c", `${probe} --help`], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: pathWithPython(root), HOME: process.env.HOME, PYTHONPATH: dir } as NodeJS.ProcessEnv,
      timeout: 30000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: vm-probe/);
    expect(imported()).toEqual([]);
  });

  it("control: with a plain `#!/usr/bin/env python3` shebang the plant beside it is imported", () => {
    const dir = path.join(root, "download");
    plant(dir);
    const probe = path.join(dir, "script.sh");
    fs.writeFileSync(probe, readProbe().replace(/^#![^\n]*/, "#!/usr/bin/env python3"), { mode: 0o755 });
    spawnSync("/bin/bash", ["-c", `${probe} --help`], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: pathWithPython(root), HOME: process.env.HOME } as NodeJS.ProcessEnv,
      timeout: 30000,
    });
    expect(imported()).toContain("imported-argparse");
  });

  it("has an isolating shebang that env(1) splits: coreutils 8.30+ (Ubuntu 22.04 ships 8.32)", () => {
    expect(readProbe().split("\n")[0]).toBe("#!/usr/bin/env -S python3 -I");
    const version = /(\d+)\.(\d+)/.exec(execFileSync("env", ["--version"], { encoding: "utf8" }))!;
    expect(Number(version[1]) * 100 + Number(version[2])).toBeGreaterThanOrEqual(830);
  });
});
