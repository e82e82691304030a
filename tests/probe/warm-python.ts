// The Python probe's main() in a long-lived interpreter: the same code a `python3 -I vm-probe.py` process runs, with
// its stdout and stderr captured per run and its exit code taken from main() or SystemExit (argparse exits 2), and a
// traceback printed to the run's stderr as the interpreter would. Starting python costs more than most runs; the
// twin's fault matrix and the pure tables run here, and the tests that are about the process itself (exit codes as
// the interpreter sets them, the shebang, isolation) still start one per run.
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import { PROBE_PATH } from "../../probe/scripts";
import { ProbeRun, probeRun } from "../../twin/probe";
import { PYTHON } from "../../twin/python";

const DRIVER = `
import contextlib, importlib.machinery, importlib.util, io, json, sys, traceback
loader = importlib.machinery.SourceFileLoader("vm_probe", sys.argv[1])
probe = importlib.util.module_from_spec(importlib.util.spec_from_loader("vm_probe", loader))
loader.exec_module(probe)
results = sys.stdout
for line in sys.stdin:
    job = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = probe.main(job["argv"], job["env"])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
            if isinstance(e.code, str):
                err.write(e.code + "\\n")
        except BaseException:
            traceback.print_exc()
            code = 1
    results.write(json.dumps({"id": job["id"], "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\\n")
    results.flush()
`;

export class WarmPython {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (run: ProbeRun) => void>();
  private next = 0;
  private buffered = "";
  private failure: Error | undefined;

  constructor() {
    // -I as on a seat; -B: no bytecode written beside the probe in the working tree.
    this.child = spawn(PYTHON, ["-I", "-B", "-c", DRIVER, PROBE_PATH], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    let stderr = "";
    this.child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    this.child.stdout.on("data", (d: Buffer) => {
      this.buffered += d.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf("\n")) >= 0) {
        const r = JSON.parse(this.buffered.slice(0, nl));
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.get(r.id)?.(probeRun(r.code, r.stdout, r.stderr));
        this.waiting.delete(r.id);
      }
    });
    this.child.on("close", (code) => {
      this.failure = new Error(`the warm python exited (${code}): ${stderr}`);
      for (const resolve of this.waiting.values()) resolve(probeRun(null, "", this.failure.message));
      this.waiting.clear();
    });
  }

  /** main(args, env) in the warm interpreter; runs queue, one at a time. */
  run(args: readonly string[], env: Record<string, string>): Promise<ProbeRun> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, argv: args, env })}\n`);
    });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("close", () => resolve());
      this.child.stdin.end();
    });
  }
}

/** One warm interpreter for a test file: started in beforeAll, stopped in afterAll. */
export function useWarmPython(): { run: WarmPython["run"] } {
  let warm: WarmPython | undefined;
  beforeAll(() => {
    warm = new WarmPython();
  });
  afterAll(async () => {
    await warm?.stop();
  });
  return { run: (args, env) => warm!.run(args, env) };
}
