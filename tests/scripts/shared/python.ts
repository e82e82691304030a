// The probe's interpreter without a version manager's shim in front of it. A pyenv `python3` is a shell script that
// asks pyenv which Python to run (about 0.6 s of CPU per start, against 0.04 s for Python itself), and the twin starts
// one per seat per run command. For the test file, the directory of the interpreter the shim picks goes first on
// PATH, so `python3` is that same Python, started directly.
import { execFileSync } from "child_process";
import * as path from "path";

export function usePythonDirectly(): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.PATH;
    const python = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
    if (path.isAbsolute(python)) process.env.PATH = `${path.dirname(python)}${path.delimiter}${saved}`;
  });
  afterAll(() => {
    process.env.PATH = saved;
  });
}
