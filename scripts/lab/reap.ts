// `lab reap`: destroys the expired ephemeral labs (a dry run unless --yes); destroyLab decides each one again.
import { printable } from "../../lib/printable";
import { decideReap } from "./decisions";
import { destroyLab } from "./destroy";
import { LabDeps, labFacts, referenceTime, workspace } from "./ops";

/** `reap [--dry-run | --yes]`: decides for every lab stack by the reference clock, logs why, and acts only with `yes`. */
export async function reapLabs(yes: boolean, deps: LabDeps): Promise<number> {
  const now = await referenceTime(deps, false);
  const decisions = decideReap(await labFacts(await workspace(deps), deps, "reap"), now);
  if (decisions.length === 0) deps.log("reap: no lab stacks (lab-*)");
  for (const d of decisions)
    deps.log(`reap: ${printable(d.stack)}: ${d.action === "keep" ? "keep" : yes ? d.action : `would ${d.action}`}: ${printable(d.reason)}`);
  if (!yes) {
    deps.log("reap: dry run (the default); nothing was changed. Pass --yes to act.");
    return 0;
  }
  let failures = 0;
  for (const d of decisions.filter((x) => x.action === "reap")) {
    try {
      // Decided on a listing that may be minutes old: destroyLab reads the stack again and re-decides by `now`.
      await destroyLab(d.stack, { evenIfLasting: false, reapAt: now }, deps);
    } catch (e) {
      failures++;
      deps.log(`reap: ${printable(d.stack)}: failed: ${(e as Error).message}`);
    }
  }
  return failures ? 1 : 0;
}
