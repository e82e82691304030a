// `lab destroy NAME`: decided on the stack's outputs (read again right before acting), then destroy, purge the vaults
// its state records, and remove the stack.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { isoSeconds } from "../../lib/lifecycle";
import { printable } from "../../lib/printable";
import { LASTING_FLAG } from "./args";
import { decideReap, destroyRefusal, labInfo, labLifecycle, notMineRefusal, STACK_TAG, StackFacts } from "./decisions";
import { firstLine, LabDeps, LabRefusal, readFacts, referenceTime, selectStack, withProgress, workspace } from "./ops";
import { OwnVaults, ownVaults, StateResource, stateResourceGroups, VaultRef, vaultsFromGroups, vaultsToPurge } from "./vaults";

/**
 * Purges the soft-deleted vaults the stack owns by its state (read before its destroy): those whose original id lies
 * in its own resource group and whose name the state recorded; nothing else. Soft-deleted vaults from its resource
 * group that its state no longer records are named, never purged.
 */
async function purgeVaults(
  stack: string,
  own: OwnVaults,
  groups: readonly { id: string; subscriptionId: string }[],
  deps: LabDeps,
): Promise<number> {
  const subs = [...new Set(groups.map((g) => g.subscriptionId))];
  const deleted: VaultRef[] = [];
  for (const sub of subs) deleted.push(...(await deps.purger.listDeleted(sub)));
  const vaults = vaultsToPurge(own, deleted);
  const unrecorded = vaultsFromGroups(
    groups.map((g) => g.id),
    deleted,
  ).filter((v) => !vaults.includes(v));
  if (unrecorded.length) {
    deps.log(
      `${stack}: soft-deleted vault(s) from its resource group that its state does not record, NOT purged: ${unrecorded.map((v) => printable(v.name)).join(", ")} (their soft-delete retention ends them, or purge by hand)`,
    );
  }
  if ("problem" in own) {
    deps.log(`${stack}: no vault purged: ${own.problem}`);
    return 0;
  }
  const missing = own.names.filter((n) => !vaults.some((v) => v.name.toLowerCase() === n));
  if (missing.length) deps.log(`${stack}: not soft-deleted from its resource group, nothing to purge: ${missing.join(", ")}`);
  let purged = 0;
  for (const vault of vaults) {
    let result: "purged" | "absent";
    try {
      result = await withProgress(`${stack}: purging vault ${vault.name}`, deps.purger.purge(vault), deps.log, deps.progressEveryMs);
    } catch (e) {
      throw new LabRefusal(
        `${stack}: purging vault ${vault.name} failed: ${firstLine(e)}\nPurge it with: az keyvault purge --name ${vault.name} ` +
          `--location ${vault.location} --subscription ${vault.subscriptionId} (or its 7-day soft-delete retention ends it).`,
      );
    }
    deps.log(
      result === "purged"
        ? `${stack}: vault ${vault.name} purged (its secrets are gone and its name is free)`
        : `${stack}: vault ${vault.name} already purged`,
    );
    if (result === "purged") purged++;
  }
  return purged;
}

/** Pulumi's record of what the stack created (`stack export`), the only source of what it owns. */
async function readState(ws: LocalWorkspace, stack: string): Promise<StateResource[]> {
  const exported = (await ws.exportStack(stack)) as { deployment?: { resources?: unknown } };
  const resources = exported?.deployment?.resources;
  return Array.isArray(resources) ? resources.filter((r): r is StateResource => typeof r === "object" && r !== null) : [];
}

/** How `destroy` was asked: the confirmations it was given, or reap's decision (its reference time). */
export interface DestroyOptions {
  readonly evenIfLasting: boolean;
  readonly notMine?: boolean;
  /** Set by reap: destroy only if the stack is still ephemeral and expired at this (reference) time. */
  readonly reapAt?: Date;
}

/**
 * Whether the stack may go, judged on facts just read. Throws LabRefusal when not; for reap, returns why to keep it.
 * The reference clock is read only for another owner's lab (an expired one is anyone's to take down).
 */
async function mayDestroy(facts: StackFacts, opts: DestroyOptions, deps: LabDeps): Promise<string | undefined> {
  if (opts.reapAt) {
    const [d] = decideReap([facts], opts.reapAt);
    return d.action === "reap" ? undefined : d.reason;
  }
  const refusal = destroyRefusal(facts);
  if (refusal && !opts.evenIfLasting) throw new LabRefusal(refusal);
  if (opts.notMine || labInfo(facts).owner === deps.defaultOwner || labLifecycle(facts.outputs).lasting) return undefined;
  let now: Date | undefined;
  try {
    now = await referenceTime(deps, false);
  } catch {
    now = undefined;
  }
  const notMine = notMineRefusal(facts, deps.defaultOwner, now);
  if (notMine) throw new LabRefusal(`${notMine}; nothing was changed`);
  return undefined;
}

/**
 * `destroy NAME [--even-if-lasting NAME] [--not-mine NAME]`: destroy, purge the vaults, remove the stack. Only a stack
 * whose outputs say `ephemeral: true` is destroyed without --even-if-lasting, and another owner's only once expired or
 * with --not-mine. The outputs are read again right before the destroy, and the decision taken again on them. Vaults
 * are purged only for an ephemeral stack, and only those its state records (read before the destroy deletes it).
 * Resolves to "destroyed", or "kept" when reap's decision no longer holds.
 */
export async function destroyLab(stack: string, opts: DestroyOptions, deps: LabDeps): Promise<"destroyed" | "kept"> {
  const ws = await workspace(deps);
  const s = await selectStack(ws, stack);
  if (!s) {
    deps.log(`${stack}: no such stack: nothing to destroy. Done.`);
    return "kept";
  }
  const facts = await readFacts(ws, stack);
  const keep = await mayDestroy(facts, opts, deps);
  if (keep) {
    deps.log(`${stack}: kept: read again before acting, it is no longer to be reaped: ${keep}`);
    return "kept";
  }
  const lasting = labLifecycle(facts.outputs).lasting;
  if (lasting) {
    // Without a preview, destroy deletes everything but the protected resources before it fails on them.
    try {
      await withProgress(`${stack}: destroy preview`, s.previewDestroy({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
    } catch (e) {
      throw new LabRefusal(
        `${stack}: the destroy preview fails (${firstLine(e)}); nothing was deleted. A lasting lab's vault and storage account are protected: ` +
          `unprotect them on purpose (pulumi state unprotect --all --stack ${stack}) and run this again`,
      );
    }
  }
  // The state, read before destroy deletes it: the only record of which resource group and vaults are the stack's.
  const state = await readState(ws, stack);
  const groups = stateResourceGroups(state);
  const own: OwnVaults = lasting
    ? { problem: "a lasting lab's vaults are never purged (they stay soft-deleted and recoverable)" }
    : ownVaults(state);
  const unfinished = STACK_TAG.destroying in facts.tags;
  await ws.setTag(stack, STACK_TAG.destroying, isoSeconds(deps.now()));
  // Decide again on the outputs as they are now: an extend, a new owner or a lasting redeploy since the first read wins.
  const again = await readFacts(ws, stack);
  let changed: string | undefined;
  try {
    changed =
      (await mayDestroy(again, opts, deps)) ??
      (labLifecycle(again.outputs).lasting !== lasting ? "it changed between lasting and ephemeral" : undefined);
  } catch (e) {
    changed = (e as Error).message;
  }
  if (changed) {
    if (!unfinished) await ws.removeTag(stack, STACK_TAG.destroying);
    const text = `${stack}: not destroyed: its outputs changed while this ran, and the decision no longer holds: ${changed}`;
    if (opts.reapAt) {
      deps.log(text);
      return "kept";
    }
    throw new LabRefusal(text);
  }
  const plan =
    "problem" in own
      ? `no vault purge: ${own.problem}`
      : `vaults to purge afterwards: ${own.names.join(", ")} (recorded in its state, resource group ${own.resourceGroups.map((g) => g.id).join(", ")})`;
  deps.log(
    `${stack}: ${lasting ? "destroying a lasting lab, as --" + LASTING_FLAG + " says" : unfinished ? "finishing an unfinished destroy" : "destroying"}; ${plan}`,
  );
  try {
    await withProgress(`${stack}: destroy`, s.destroy({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  } catch (e) {
    // What it did delete of the vaults its state recorded is purged now: the next run's state no longer records them.
    const purged = lasting ? 0 : await purgeVaults(stack, own, groups, deps).catch((p: Error) => (deps.log(p.message), 0));
    throw new LabRefusal(
      `${stack}: pulumi destroy failed: ${firstLine(e)} (${purged} vault(s) purged)\nRun destroy again once the cause is fixed${lasting ? "" : " (or let reap finish it once the lab expires)"}.`,
    );
  }
  let purgeFailure: unknown;
  const purged = lasting ? 0 : await purgeVaults(stack, own, groups, deps).catch((e: unknown) => ((purgeFailure = e), 0));
  // The stack goes even when a purge failed: with its state empty and its outputs gone, nothing would be left for a
  // later destroy or reap to act on, and an empty stack without outputs would only show as "lasting".
  await ws.removeStack(stack);
  if (purgeFailure)
    throw new LabRefusal(`${(purgeFailure as Error).message}\n${stack}: destroyed and stack removed; only the purge above failed.`);
  deps.log(`${stack}: destroyed, ${purged} vault(s) purged, stack removed. Done.`);
  return "destroyed";
}
