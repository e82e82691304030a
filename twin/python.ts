// The python3 that tests run the probe with: the first real interpreter on PATH, past a version manager's shim. pyenv's
// shims are shell scripts that cost about 0.6 s of CPU on every start, and a seat has none. For scripts that call
// python3 by name (run command's script, the probe's shebang), pathWithPython puts it first on a PATH.
import * as fs from "fs";
import * as path from "path";

function isElf(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The first python3 on `searchPath` that is a program rather than a script in front of one; "python3" if none is. */
export function realPython(searchPath = process.env.PATH ?? ""): string {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "python3");
    if (isElf(candidate)) return fs.realpathSync(candidate);
  }
  return "python3";
}

export const PYTHON = realPython();

/** `searchPath` with `<dir>/python-bin` first, where python3 is PYTHON. The directory goes when `dir` does. */
export function pathWithPython(dir: string, searchPath = process.env.PATH ?? "/usr/bin:/bin"): string {
  const bin = path.join(dir, "python-bin");
  if (PYTHON === "python3") return searchPath;
  if (!fs.existsSync(path.join(bin, "python3"))) {
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(PYTHON, path.join(bin, "python3"));
  }
  return `${bin}${path.delimiter}${searchPath}`;
}
