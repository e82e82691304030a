// The teardown model: what `pulumi destroy` and `npm run lab -- destroy` would do to the planned lab, and what would
// stop them. It walks the recorded graph as Pulumi's engine does (conformance pulumi-destroy-order): a resource is
// deleted only after everything that depends on it, its children and whatever names it in deletedWith; the deletes run
// in parallel waves; a resource whose deletedWith target is also deleted is skipped (pulumi-deleted-with);
// a protected resource is refused (pulumi-protect-blocks-destroy). Each real delete is checked against Azure's facts.
import type { RecordedResource } from "./harness";
import { heights, label, reachableFrom } from "./graph";
import { CONFLICT_ANSWER, checkGroup, writerGroups } from "./serialization";
import { AZURE_NATIVE_PREFIX, TYPE } from "../lib/azure";
import { DATA_PLANE_DELETES, deployerGrants, firewallRefusal } from "./data-plane-deletes";

export type BlockerKind =
  "protected" | "firewall" | "no-access" | "access-gone" | "access-race" | "serialized-deletes" | "purge-protection" | "lasting-lab";

export interface Blocker {
  readonly kind: BlockerKind;
  readonly urn: string | null;
  /** `<type> <name>`, or `stack`. */
  readonly resource: string;
  readonly message: string;
  /** Conformance ids the verdict rests on. */
  readonly conformance: readonly string[];
}

export interface DeleteStep {
  readonly urn: string;
  readonly resource: string;
  /** 1 runs first. Pulumi runs each wave's deletes in parallel and starts the next when the wave is done. */
  readonly wave: number;
  /** `delete`: the provider deletes it; `skip`: its deletedWith target takes it; `refuse`: protected. */
  readonly action: "delete" | "skip" | "refuse";
  /** For an Azure delete: ARM, or the service's data plane (behind the service's firewall). */
  readonly plane?: "control" | "data";
  /** For a skip: the deletedWith target, `<type> <name>`. */
  readonly deletedWith?: string;
}

export interface Remains {
  readonly resource: string;
  readonly state: "protected" | "soft-deleted";
  readonly message: string;
}

export interface Verdict {
  readonly succeeds: boolean;
  readonly blockers: readonly Blocker[];
}

export interface TeardownReport {
  /** `pulumi destroy` from an operator's machine or a CI runner (neither is inside the lab subnet). */
  readonly pulumiDestroy: Verdict;
  /** `npm run lab -- destroy`: refuses a lasting lab; otherwise destroy (no preview), then purge the stack's vaults. */
  readonly labDestroy: Verdict;
  /** How many parallel waves the deletes take. */
  readonly waves: number;
  /** Custom resources only, in the order they are deleted. */
  readonly steps: readonly DeleteStep[];
  /** `<type> <name>` of each protected resource. */
  readonly protected: readonly string[];
  /** Resources whose delete is skipped though nothing that is deleted contains them: they stay in Azure. */
  readonly leftovers: readonly string[];
  /** What is still there afterwards. */
  readonly remains: readonly Remains[];
}

export interface TeardownOptions {
  /** Object id of the principal that runs `pulumi destroy` (the provider's credential). */
  readonly deployer: string;
  /** The stack's `ephemeral` output: the lab CLI destroys only ephemeral labs. */
  readonly ephemeral: boolean;
}

/**
 * What the engine waits for before deleting a resource, reversed: its dependencies, its deletedWith target, its parent,
 * and, for a component it depends on, that component's children registered before it (graph/dependency_graph.go,
 * DependenciesOf).
 */
export function destroyEdges(resources: readonly RecordedResource[]): (r: RecordedResource) => readonly string[] {
  const index = new Map(resources.map((r, i) => [r.urn, i]));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const below = new Map<string, string[]>();
  const descendants = (urn: string): string[] =>
    below.get(urn) ??
    below
      .set(
        urn,
        (children.get(urn) ?? []).flatMap((c) => [c, ...descendants(c)]),
      )
      .get(urn)!;
  const memo = new Map<string, readonly string[]>();
  return (r) => {
    const known = memo.get(r.urn);
    if (known) return known;
    const out = new Set<string>(r.dependencies);
    if (r.deletedWith) out.add(r.deletedWith);
    if (r.parent) out.add(r.parent);
    for (const d of r.dependencies) {
      if (byUrn.get(d)?.custom === false) for (const c of descendants(d)) if ((index.get(c) ?? Infinity) < index.get(r.urn)!) out.add(c);
    }
    const edges = [...out].filter((u) => byUrn.has(u) && u !== r.urn);
    memo.set(r.urn, edges);
    return edges;
  };
}

/** Whether the id of `inner` nests under `outer`'s (ARM ids nest: a vault's secrets, a scope's role assignments). */
function nestsUnder(inner: RecordedResource, outer: RecordedResource): boolean {
  const id = (
    inner.type === TYPE.roleAssignment && typeof inner.inputs.scope === "string" ? inner.inputs.scope : (inner.id ?? "")
  ).toLowerCase();
  const parent = (outer.id ?? "").toLowerCase();
  return parent !== "" && (id === parent || id.startsWith(`${parent}/`));
}

export function planTeardown(resources: readonly RecordedResource[], opts: TeardownOptions): TeardownReport {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const edges = destroyEdges(resources);
  const height = heights(resources, edges);
  const top = Math.max(0, ...height.values());
  const waveOf = (urn: string) => top - height.get(urn)! + 1;
  // The engine refuses a protected delete before it looks at deletedWith (deploy/step.go, DeleteStep.Apply).
  const actionOf = (r: RecordedResource): DeleteStep["action"] =>
    r.protect ? "refuse" : r.deletedWith && byUrn.has(r.deletedWith) ? "skip" : "delete";
  const custom = resources.filter((r) => r.custom);
  const steps: DeleteStep[] = custom
    .map((r): DeleteStep => {
      const action = actionOf(r);
      return {
        urn: r.urn,
        resource: label(r),
        wave: waveOf(r.urn),
        action,
        ...(action === "delete" && r.type.startsWith(AZURE_NATIVE_PREFIX)
          ? { plane: DATA_PLANE_DELETES[r.type] ? ("data" as const) : ("control" as const) }
          : {}),
        ...(action === "skip" ? { deletedWith: label(byUrn.get(r.deletedWith!)!) } : {}),
      };
    })
    .sort((a, b) => a.wave - b.wave);
  // Components take part in the order but delete nothing: number only the waves that delete something.
  const waveNumbers = new Map([...new Set(steps.map((s) => s.wave))].map((w, i) => [w, i + 1]));
  for (const s of steps) (s as { wave: number }).wave = waveNumbers.get(s.wave)!;

  const blockers: Blocker[] = [];
  const deps = new Map<string, Set<string>>();
  const after = (urn: string) => deps.get(urn) ?? deps.set(urn, reachableFrom(urn, byUrn, edges)).get(urn)!;
  const vaultNamed = (name: unknown) =>
    resources.find(
      (v) => v.type === TYPE.vault && typeof name === "string" && String(v.inputs.vaultName).toLowerCase() === name.toLowerCase(),
    );

  for (const r of custom) {
    if (r.protect) {
      blockers.push({
        kind: "protected",
        urn: r.urn,
        resource: label(r),
        message: `${label(r)} is protected: the engine refuses its delete. \`pulumi destroy\` stops in its preview and deletes nothing; without a preview (the lab CLI) the rest is deleted, and it stays with what it depends on. Unprotect it (protect: false, pulumi up) to delete it`,
        conformance: ["pulumi-protect-blocks-destroy"],
      });
    }
  }
  for (const r of custom.filter((x) => actionOf(x) === "delete" && DATA_PLANE_DELETES[x.type])) {
    const vault = vaultNamed(r.inputs.vaultName);
    if (!vault) continue;
    const fw = firewallRefusal(vault);
    if (fw)
      blockers.push({
        kind: "firewall",
        urn: r.urn,
        resource: label(r),
        message: `${label(r)} is deleted through the vault's data plane as the deployer: ${fw.message}. Give it deletedWith its vault`,
        conformance: ["kv-secret-delete-is-data-plane", "kv-firewall-refusal"],
      });
    const grants = deployerGrants(r, vault, resources, byUrn, opts.deployer);
    if (grants.length === 0) {
      blockers.push({
        kind: "no-access",
        urn: r.urn,
        resource: label(r),
        message: `${label(r)}: the deployer holds no grant in the plan that allows its data-plane delete in vault ${vault.inputs.vaultName}`,
        conformance: ["kv-secret-delete-is-data-plane"],
      });
      continue;
    }
    // A grant is there while the delete runs if what removes it is deleted later (the delete depends on it).
    const present = grants.filter((g) => g.removedBy === null || after(r.urn).has(g.removedBy.urn));
    if (present.length) continue;
    const gone = grants.filter((g) => g.removedBy && after(g.removedBy.urn).has(r.urn));
    const names = grants.map((g) => label(g.resource)).join(", ");
    blockers.push(
      gone.length === grants.length
        ? {
            kind: "access-gone",
            urn: r.urn,
            resource: label(r),
            message: `${label(r)}'s data-plane delete runs after the deployer's grant (${names}) is removed: 403`,
            conformance: ["kv-secret-delete-is-data-plane", "pulumi-destroy-order"],
          }
        : {
            kind: "access-race",
            urn: r.urn,
            resource: label(r),
            message: `${label(r)}'s data-plane delete and the removal of the deployer's grant (${names}) have no order between them: they run in parallel, and the delete fails with 403 when the grant goes first`,
            conformance: ["kv-secret-delete-is-data-plane", "pulumi-destroy-order"],
          },
    );
  }
  // ARM deletes that Azure serializes (a vault's access policies, a VM's extensions) with no path between them. A
  // secret's delete goes to the data plane, not to the vault's ARM resource.
  for (const g of writerGroups(custom, (x) => actionOf(x) === "delete" && !DATA_PLANE_DELETES[x.type]).values()) {
    const t = checkGroup(g.target, g.writers, byUrn, edges, height);
    if (t.ordered) continue;
    blockers.push({
      kind: "serialized-deletes",
      urn: null,
      resource: `${t.kind} ${t.name}`,
      message: `${t.unorderedPairs} pair(s) of deletes on ${t.kind} ${t.name} may run at once (e.g. ${t.examples[0].join(" and ")}): ${CONFLICT_ANSWER[t.kind]}. Give them deletedWith the ${t.kind}, or order them`,
      conformance: [t.kind === "vault" ? "kv-access-policy-409-serialize" : "vm-one-extension-operation-at-a-time"],
    });
  }

  const leftovers = custom.filter((r) => actionOf(r) === "skip" && !nestsUnder(r, byUrn.get(r.deletedWith!)!)).map(label);
  const remains: Remains[] = [];
  const labBlockers: Blocker[] = [];
  for (const v of resources.filter((x) => x.type === TYPE.vault)) {
    const props = v.inputs.properties ?? {};
    const days = props.softDeleteRetentionInDays ?? 90;
    const purgeProtected = props.enablePurgeProtection === true;
    const name = v.inputs.vaultName;
    if (v.protect) {
      remains.push({
        resource: label(v),
        state: "protected",
        message: `vault ${name} stays. Once unprotected and deleted it is soft-deleted for ${days} days with its name reserved${purgeProtected ? "; purge protection forbids purging it before then" : ""}`,
      });
      continue;
    }
    remains.push({
      resource: label(v),
      state: "soft-deleted",
      message: `vault ${name} is soft-deleted for ${days} days, its name reserved${purgeProtected ? "; purge protection forbids purging it before then" : "; the lab CLI purges it"}`,
    });
    if (purgeProtected)
      labBlockers.push({
        kind: "purge-protection",
        urn: v.urn,
        resource: label(v),
        message: `vault ${name} has purge protection: the lab CLI's purge is refused until its ${days}-day retention ends`,
        conformance: ["kv-purge-protection-blocks-purge", "kv-soft-delete-keeps-name"],
      });
  }
  for (const r of custom.filter((x) => x.protect && x.type !== TYPE.vault))
    remains.push({ resource: label(r), state: "protected", message: `${label(r)} stays, with what it depends on` });

  const pulumiDestroy: Verdict = { succeeds: blockers.length === 0, blockers };
  const lab: Blocker[] = opts.ephemeral
    ? [...blockers, ...labBlockers]
    : [
        {
          kind: "lasting-lab",
          urn: null,
          resource: "stack",
          message:
            "a lasting lab (ephemeral false): the lab CLI refuses it unless told explicitly, never purges its vaults, and its destroy stops where pulumi destroy does",
          conformance: ["pulumi-protect-blocks-destroy"],
        },
        ...blockers,
      ];
  return {
    pulumiDestroy,
    labDestroy: { succeeds: lab.length === 0, blockers: lab },
    waves: waveNumbers.size,
    steps,
    protected: custom.filter((r) => r.protect).map(label),
    leftovers,
    remains,
  };
}
