// Fingerprints: a value named without showing it. The in-VM probes print the same form (probe/vm-probe.py and
// vm-probe.ps1), so verify can compare what a seat read with what it wrote.
import { createHash } from "crypto";

/** Lowercase hex SHA-256 of text (UTF-8) or bytes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The first 8 hex digits of sha256Hex: enough to tell values apart in a log, far too few to recover one. */
export function fingerprint(value: string): string {
  return sha256Hex(value).slice(0, 8);
}

/** `N chars, sha256 XXXXXXXX`: how a secret's value is described in logs and reports. */
export function describeValue(value: string): string {
  return `${value.length} chars, sha256 ${fingerprint(value)}`;
}
