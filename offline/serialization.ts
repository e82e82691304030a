// Writes that Azure serializes but a graph could let run at once. Key Vault answers 409 ConflictError to a second ARM
// write on a vault while one is in flight (its access policies, its own update, a secret made through ARM), and a VM
// runs one extension operation at a time (OperationPreempted / Conflict). Pulumi runs whatever the graph does not
// order in parallel, so two such writes with no dependency path between them can collide: `pulumi up` fails.
// Conformance: kv-access-policy-409-serialize, vm-one-extension-operation-at-a-time (lib/azure/conformance/deploy.ts).
import type { RecordedResource } from "./harness";
import { EdgesOf, heights, label, reachableFrom, upEdges } from "./graph";
import { TYPE } from "../lib/azure";

export type WriteTargetKind = "vault" | "vm";

/** The Azure object whose writes are serialized, and how to name it. */
export interface WriteTarget {
  readonly kind: WriteTargetKind;
  /** Case-folded identity: the vault's name, or `<resource group>/<vm name>`. */
  readonly key: string;
  /** The Azure name as the program gives it. */
  readonly name: string;
}

/** Types whose create, update or delete is an ARM write on the vault named by `vaultName`. */
export const VAULT_WRITERS: ReadonlySet<string> = new Set([
  TYPE.vault,
  TYPE.accessPolicy,
  // Created through ARM (Microsoft.KeyVault/vaults/secrets PUT): pulumi-azure-native#1013 is secrets in a loop.
  TYPE.secret,
  TYPE.key,
]);

/** Types whose operations are VM operations on the VM named by `vmName`. */
export const VM_WRITERS: ReadonlySet<string> = new Set([TYPE.vm, TYPE.extension, TYPE.runCommandByVm]);

/** Which serialized target a resource writes to, if any. Unknown names (not strings) are no target. */
export function writeTargetOf(r: RecordedResource): WriteTarget | undefined {
  if (!r.custom) return undefined;
  if (VAULT_WRITERS.has(r.type) && typeof r.inputs.vaultName === "string")
    return { kind: "vault", key: r.inputs.vaultName.toLowerCase(), name: r.inputs.vaultName };
  if (VM_WRITERS.has(r.type) && typeof r.inputs.vmName === "string") {
    const rg = typeof r.inputs.resourceGroupName === "string" ? r.inputs.resourceGroupName : "";
    return { kind: "vm", key: `${rg}/${r.inputs.vmName}`.toLowerCase(), name: r.inputs.vmName };
  }
  return undefined;
}

export interface SerializedTarget {
  readonly kind: WriteTargetKind;
  /** The vault's or VM's Azure name. */
  readonly name: string;
  /** The resources that write to it: `<type> <name>`, in the order the graph runs them where it orders them. */
  readonly writers: readonly string[];
  /** URNs of `writers`, same order. */
  readonly writerUrns: readonly string[];
  /** True when every two writes have a dependency path between them: Azure never sees two at once. */
  readonly ordered: boolean;
  /** Pairs of writes with no path between them: each pair may run at once. */
  readonly unorderedPairs: number;
  /** Up to five such pairs, `<type> <name>` each. */
  readonly examples: readonly (readonly [string, string])[];
}

export interface SerializationReport {
  /** Every target with two or more writes, conflicts first. */
  readonly targets: readonly SerializedTarget[];
  /** Targets whose writes may run at once: each would fail `pulumi up` with 409 (blocking). */
  readonly conflicts: number;
}

/** Groups the resources by the target they write to; only groups of two or more. */
export function writerGroups(
  resources: readonly RecordedResource[],
  include: (r: RecordedResource) => boolean = () => true,
): Map<string, { target: WriteTarget; writers: RecordedResource[] }> {
  const groups = new Map<string, { target: WriteTarget; writers: RecordedResource[] }>();
  for (const r of resources) {
    const target = include(r) ? writeTargetOf(r) : undefined;
    if (!target) continue;
    const id = `${target.kind}:${target.key}`;
    const g = groups.get(id) ?? { target, writers: [] };
    g.writers.push(r);
    groups.set(id, g);
  }
  for (const [id, g] of groups) if (g.writers.length < 2) groups.delete(id);
  return groups;
}

/** Whether each two writers of a group are ordered by `edges` (either way), and the pairs that are not. */
export function checkGroup(
  target: WriteTarget,
  writers: readonly RecordedResource[],
  byUrn: ReadonlyMap<string, RecordedResource>,
  edges: EdgesOf,
  height?: ReadonlyMap<string, number>,
): SerializedTarget {
  const urns = new Set(writers.map((w) => w.urn));
  // The writers each one waits for (transitively): one walk per writer, never below the lowest writer.
  const floor = height && { height, min: Math.min(...writers.map((w) => height.get(w.urn) ?? 0)) };
  const before = new Map(writers.map((w) => [w.urn, new Set([...reachableFrom(w.urn, byUrn, edges, floor)].filter((u) => urns.has(u)))]));
  const sorted = [...writers].sort((a, b) => before.get(a.urn)!.size - before.get(b.urn)!.size);
  let unorderedPairs = 0;
  const examples: [string, string][] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i];
      const b = sorted[j];
      if (before.get(b.urn)!.has(a.urn) || before.get(a.urn)!.has(b.urn)) continue;
      unorderedPairs++;
      if (examples.length < 5) examples.push([label(a), label(b)]);
    }
  }
  return {
    kind: target.kind,
    name: target.name,
    writers: sorted.map(label),
    writerUrns: sorted.map((w) => w.urn),
    ordered: unorderedPairs === 0,
    unorderedPairs,
    examples,
  };
}

/** The plan's serialized writes under `pulumi up`'s ordering (each resource waits for its dependencies). */
export function planSerialization(resources: readonly RecordedResource[], edges: EdgesOf = upEdges): SerializationReport {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const height = heights(resources, edges);
  const targets = [...writerGroups(resources).values()].map((g) => checkGroup(g.target, g.writers, byUrn, edges, height));
  targets.sort((a, b) => Number(a.ordered) - Number(b.ordered));
  return { targets, conflicts: targets.filter((t) => !t.ordered).length };
}

/** Why a conflict fails, per target kind: the answer Azure gives. */
export const CONFLICT_ANSWER: Readonly<Record<WriteTargetKind, string>> = {
  vault: 'Key Vault answers 409 ConflictError ("changed from the point the operation began ... serialize the operations")',
  vm: "Azure runs one extension operation per VM: the other fails with OperationPreempted or 409 Conflict",
};
