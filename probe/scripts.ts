// Where the in-VM probes are and how they are read. They ship as one file each, carried inside the run command's
// script (probe/run-command.ts, components/InVmCheck.ts), so nothing is installed on a seat.
import * as fs from "fs";
import * as path from "path";

/** The Python probe for Ubuntu seats (standard library only, Python 3.8+). */
export const PROBE_PATH = path.resolve(__dirname, "vm-probe.py");
/** The PowerShell twin for Windows seats: same arguments, checks and JSON (Windows PowerShell 5.1). */
export const PS_PROBE_PATH = path.resolve(__dirname, "vm-probe.ps1");

export function readProbe(): string {
  return fs.readFileSync(PROBE_PATH, "utf8");
}

export function readPsProbe(): string {
  return fs.readFileSync(PS_PROBE_PATH, "utf8");
}
