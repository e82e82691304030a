// `lab list`: this organization's lab stacks, as a table.
import { formatLabList, labInfo } from "./decisions";
import { LabDeps, labFacts, workspace } from "./ops";

/** `list`: the lab stacks with owner, seats, expiry and status (labLifecycle, as destroy and reap decide). */
export async function listLabs(deps: LabDeps): Promise<string> {
  const facts = await labFacts(await workspace(deps), deps, "list");
  return formatLabList(facts.map(labInfo), deps.now());
}
