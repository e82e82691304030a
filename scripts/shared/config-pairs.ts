// `--config key=value` pairs, as `npm run plan` and `npm run lab -- create` take them.
import { PROJECT } from "../../lib/config";
import { UsageError } from "./cli";

/** Config keys `lab create` sets itself; its --config may not. */
export const LAB_MANAGED_KEYS = new Set(["ephemeral", "ttlHours", "createdAt"]);

/** `--config k=v` pairs: the project's keys, bare or `dsvm-identity-lab:`-prefixed. `reserved`: keys refused. */
export function parseConfigPairs(pairs: readonly string[], reserved: ReadonlySet<string> = LAB_MANAGED_KEYS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).replace(new RegExp(`^${PROJECT}:`), "") : "";
    // The value is never shown: a password typed under a malformed key must not reach a log.
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key))
      throw new UsageError(
        `--config ${JSON.stringify(eq < 0 ? pair.slice(0, 60) : `${pair.slice(0, Math.min(eq, 60))}=…`)}: expected key=value, such as seats=3`,
      );
    if (reserved.has(key)) throw new UsageError(`--config ${key}: set by lab create itself (use --ttl for the lifetime)`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}
