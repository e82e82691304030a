// The deployment's critical path: the longest chain of resource creations that must run one after another, derived
// from the dependencies the plan recorded. Only real Azure resources count; components, random strings and other
// local bookkeeping take no deployment time.
import type { RecordedResource } from "./harness";
import { label } from "./graph";
import { writerGroups, writeTargetOf, WriteTargetKind } from "./serialization";
import { AZURE_NATIVE_PREFIX, TYPE } from "../lib/azure";

export interface GraphNode {
  readonly id: string;
  /** 1 for a resource Azure must create, 0 for anything local. */
  readonly weight: number;
  readonly dependsOn: readonly string[];
}

export interface CriticalPath {
  /** How many weighted creations run one after another. */
  readonly length: number;
  /** The chain, first creation first. */
  readonly chain: readonly string[];
}

/** Longest weighted path in a DAG. Throws on a cycle, which Pulumi would refuse too. */
export function criticalPath(nodes: readonly GraphNode[]): CriticalPath {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const best = new Map<string, CriticalPath>();
  const visiting = new Set<string>();
  const solve = (id: string): CriticalPath => {
    const known = best.get(id);
    if (known) return known;
    if (visiting.has(id)) throw new Error(`dependency cycle through ${id}`);
    visiting.add(id);
    const node = byId.get(id);
    let longest: CriticalPath = { length: 0, chain: [] };
    for (const dep of node?.dependsOn ?? []) {
      const p = solve(dep);
      if (p.length > longest.length) longest = p;
    }
    visiting.delete(id);
    const result = node && node.weight > 0 ? { length: longest.length + node.weight, chain: [...longest.chain, id] } : longest;
    best.set(id, result);
    return result;
  };
  return nodes.map((n) => solve(n.id)).reduce((a, b) => (b.length > a.length ? b : a), { length: 0, chain: [] });
}

/** Azure resources count; components, providers and random values do not. */
export function isAzureCreation(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith(AZURE_NATIVE_PREFIX);
}

export function deploymentGraph(resources: readonly RecordedResource[]): GraphNode[] {
  return resources.map((r) => ({ id: r.urn, weight: isAzureCreation(r) ? 1 : 0, dependsOn: r.dependencies }));
}

/** What one creation on the path typically takes in Azure, and how we know. */
export interface StepTime {
  /** Typical wall time, seconds. */
  readonly seconds: number;
  /** `documented`: Microsoft says so; `measured`: a public deployment log; `estimate`: ours, no source found. */
  readonly basis: "documented" | "measured" | "estimate";
  readonly source: string;
}

// Creation times by type. Honest about the basis: Azure documents few of them, and where only an estimate exists the
// figure says so. docs/benchmarks.md carries the same table.
export const STEP_TIMES: Readonly<Record<string, StepTime>> = {
  [TYPE.resourceGroup]: {
    seconds: 2,
    basis: "estimate",
    source: "synchronous PUT (ARM Resource Groups - Create Or Update answers 200/201, no long-running operation)",
  },
  [TYPE.publicIp]: {
    seconds: 4,
    basis: "measured",
    source:
      "public Terraform log: azurerm_public_ip 'Creation complete after 4s' (PaloAltoNetworks/terraform-azurerm-vmseries-modules PR #92)",
  },
  [TYPE.nat]: {
    seconds: 15,
    basis: "estimate",
    source: "no published figure; an asynchronous Microsoft.Network PUT like the public IP's, taken as a few times longer",
  },
  [TYPE.nsg]: { seconds: 5, basis: "estimate", source: "no published figure" },
  [TYPE.vnet]: { seconds: 5, basis: "estimate", source: "no published figure" },
  [TYPE.subnet]: {
    seconds: 20,
    basis: "measured",
    source:
      "public Terraform log: a subnet update 'Creation complete after 20s' (PaloAltoNetworks/terraform-azurerm-vmseries-modules PR #92)",
  },
  [TYPE.nic]: { seconds: 3, basis: "estimate", source: "no published figure" },
  [TYPE.vm]: {
    seconds: 150,
    basis: "documented",
    source:
      "Microsoft Learn, Linux VM quickstart (Azure CLI): 'It takes a few minutes to create the VM and supporting resources'; 150 s is our reading of 'a few'",
  },
  [TYPE.vault]: { seconds: 20, basis: "estimate", source: "no published figure" },
  [TYPE.accessPolicy]: {
    seconds: 5,
    basis: "estimate",
    source: "a PATCH of the vault's policies; propagation to the data plane is covered by the probe's retries (up to 600 s)",
  },
  [TYPE.secret]: { seconds: 2, basis: "estimate", source: "no published figure" },
  [TYPE.roleAssignment]: {
    seconds: 5,
    basis: "estimate",
    source:
      "synchronous PUT; Microsoft Learn (Azure RBAC troubleshooting) documents up to 10 minutes until it takes effect, which the probe's retries absorb",
  },
  [TYPE.roleDefinition]: { seconds: 5, basis: "estimate", source: "synchronous PUT" },
  [TYPE.storage]: { seconds: 25, basis: "estimate", source: "no published figure" },
  [TYPE.runCommandByVm]: {
    seconds: 60,
    basis: "estimate",
    source: "run command handler start plus the probe (seconds once grants have propagated, up to its 600 s deadline before)",
  },
  [TYPE.extension]: {
    seconds: 60,
    basis: "estimate",
    source: "no published figure; a VM agent round trip like the run command's handler start",
  },
};

/** Azure's own minimum for one seat: each step needs the one before it. */
export const AZURE_MINIMUM = ["resource group", "VNet/subnet", "NIC", "VM", "grants", "in-VM check"] as const;

/** The minimum's step that a resource type stands for, if any. */
export function minimumStep(type: string): (typeof AZURE_MINIMUM)[number] | undefined {
  if (type === TYPE.resourceGroup) return "resource group";
  if (type === TYPE.vnet || type === TYPE.subnet) return "VNet/subnet";
  if (type === TYPE.nic) return "NIC";
  if (type === TYPE.vm) return "VM";
  if (type === TYPE.accessPolicy || type === TYPE.roleAssignment) return "grants";
  if (type === TYPE.runCommandByVm) return "in-VM check";
  return undefined;
}

/** Why a step that is not in Azure's minimum is on the path. */
export const EXTRA_STEP_REASONS: Readonly<Record<string, string>> = {
  [TYPE.publicIp]:
    "the NAT gateway's public IP: seats need egress to call ARM (listKeys) from inside the VM, and Azure retires default outbound access for new subnets",
  [TYPE.nat]: "the lab subnet's egress (see the public IP); the subnet must name it when it is created",
  [TYPE.vault]:
    "the vault: its firewall names the lab subnet, and with access policies inline it also waits for the seats' identities (one write for every seat's grant, since Key Vault refuses two at once)",
  [TYPE.secret]: "a secret the in-VM check reads or writes: it must exist first, and Key Vault takes one ARM write on a vault at a time",
  [TYPE.extension]: "an extension on the seat (Entra sign-in): Azure runs one extension operation per VM, so the in-VM check waits for it",
};

export interface PathStep {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The step of Azure's minimum it stands for, or null for a step the lab added. */
  readonly minimumStep: string | null;
  readonly typical: StepTime | null;
  /** For an added step: why it is there. */
  readonly reason?: string;
}

export interface PlanCriticalPath {
  /** Creations that run one after another. */
  readonly length: number;
  readonly chain: readonly PathStep[];
  /** Azure's minimum: its steps and their count. */
  readonly azureMinimum: { readonly length: number; readonly chain: readonly string[] };
  /** Steps on the path beyond the minimum, each with its reason. */
  readonly extraSteps: number;
  /** Sum of the typical times on the path, seconds (an estimate: see each step's basis). */
  readonly typicalSeconds: number;
  /** What ordering the writes Azure serializes (one vault's, one VM's) costs on the path. */
  readonly serialization: SerializationCost;
}

/** Serialized writes on the critical path, per target, and what the ordering between them costs. */
export interface SerializationCost {
  /**
   * Targets with a serialized write on the path: how many of its writes are on it and their typical time. The VM
   * itself does not count (it must exist first anyway); a vault counts when it carries access policies inline, since
   * then its own write is the seats' grants.
   */
  readonly onPath: readonly {
    readonly kind: WriteTargetKind;
    readonly name: string;
    readonly writes: number;
    readonly writesOnPath: number;
    readonly steps: readonly string[];
    readonly seconds: number;
  }[];
  /** The slowest chain by typical time, as planned. */
  readonly slowestSeconds: number;
  /**
   * Per kind of target: the slowest chain without the dependencies between two writes to one target of that kind (a
   * vault's policies or secrets, a VM's extensions; the vault or VM itself still comes first), and the difference.
   */
  readonly byKind: readonly { readonly kind: WriteTargetKind; readonly unserializedSeconds: number; readonly costSeconds: number }[];
  /** The same with both kinds' orderings dropped. */
  readonly unserializedSeconds: number;
  readonly costSeconds: number;
}

/** Typical seconds per creation: STEP_TIMES, 0 for anything without a figure or not in Azure. */
function secondsGraph(resources: readonly RecordedResource[], drop: ReadonlySet<string> = new Set()): GraphNode[] {
  return resources.map((r) => ({
    id: r.urn,
    weight: isAzureCreation(r) ? (STEP_TIMES[r.type]?.seconds ?? 0) : 0,
    dependsOn: r.dependencies.filter((d) => !drop.has(`${r.urn} ${d}`)),
  }));
}

const CONTAINERS: ReadonlySet<string> = new Set([TYPE.vault, TYPE.vm]);

/** A serialized write worth counting on the path: not the VM or vault itself, unless the vault carries policies. */
function countsOnPath(r: RecordedResource): boolean {
  if (r.type === TYPE.vault) return (r.inputs.properties?.accessPolicies ?? []).length > 0;
  return !CONTAINERS.has(r.type);
}

export function serializationCost(resources: readonly RecordedResource[], chain: readonly string[]): SerializationCost {
  // Dependencies between two writes to one target, neither of them the vault or VM itself (which must exist first).
  const drop: Record<WriteTargetKind, Set<string>> = { vault: new Set(), vm: new Set() };
  for (const g of writerGroups(resources).values()) {
    const writes = new Set(g.writers.filter((w) => !CONTAINERS.has(w.type)).map((w) => w.urn));
    for (const w of g.writers)
      if (writes.has(w.urn)) for (const d of w.dependencies) if (writes.has(d)) drop[g.target.kind].add(`${w.urn} ${d}`);
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const counts = new Map<string, number>();
  for (const r of resources) {
    const t = writeTargetOf(r);
    if (t) counts.set(`${t.kind}:${t.key}`, (counts.get(`${t.kind}:${t.key}`) ?? 0) + 1);
  }
  const onPath = new Map<
    string,
    { kind: WriteTargetKind; name: string; writes: number; writesOnPath: number; steps: string[]; seconds: number }
  >();
  for (const urn of chain) {
    const r = byUrn.get(urn)!;
    const t = writeTargetOf(r);
    if (!t || !countsOnPath(r)) continue;
    const id = `${t.kind}:${t.key}`;
    const entry = onPath.get(id) ?? { kind: t.kind, name: t.name, writes: counts.get(id)!, writesOnPath: 0, steps: [], seconds: 0 };
    entry.writesOnPath++;
    const inline = r.type === TYPE.vault ? ` (${r.inputs.properties.accessPolicies.length} access policies inline)` : "";
    entry.steps.push(`${label(r)}${inline}`);
    entry.seconds += STEP_TIMES[r.type]?.seconds ?? 0;
    onPath.set(id, entry);
  }
  const slowest = (d?: ReadonlySet<string>) => criticalPath(secondsGraph(resources, d)).length;
  const slowestSeconds = slowest();
  const byKind = (["vault", "vm"] as const).map((kind) => {
    const unserializedSeconds = drop[kind].size ? slowest(drop[kind]) : slowestSeconds;
    return { kind, unserializedSeconds, costSeconds: slowestSeconds - unserializedSeconds };
  });
  const both = new Set([...drop.vault, ...drop.vm]);
  const unserializedSeconds = both.size ? slowest(both) : slowestSeconds;
  return { onPath: [...onPath.values()], slowestSeconds, byKind, unserializedSeconds, costSeconds: slowestSeconds - unserializedSeconds };
}

/** The critical path of a recorded run, with Azure's typical time for each step. */
export function planCriticalPath(resources: readonly RecordedResource[]): PlanCriticalPath {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const path = criticalPath(deploymentGraph(resources));
  const chain = path.chain.map((urn): PathStep => {
    const r = byUrn.get(urn)!;
    const step = minimumStep(r.type) ?? null;
    return {
      urn,
      type: r.type,
      name: r.name,
      minimumStep: step,
      typical: STEP_TIMES[r.type] ?? null,
      ...(step ? {} : { reason: EXTRA_STEP_REASONS[r.type] ?? "not in Azure's minimum and no reason recorded" }),
    };
  });
  // VNet and subnet are one step of the minimum; a path through both counts one of them as extra.
  const covered = new Set(chain.map((s) => s.minimumStep).filter(Boolean));
  return {
    length: path.length,
    chain,
    azureMinimum: { length: AZURE_MINIMUM.length, chain: [...AZURE_MINIMUM] },
    extraSteps: path.length - covered.size,
    typicalSeconds: chain.reduce((sum, s) => sum + (s.typical?.seconds ?? 0), 0),
    serialization: serializationCost(resources, path.chain),
  };
}
