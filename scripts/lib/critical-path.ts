// The deployment's critical path: the longest chain of resource creations that must run one after another, derived
// from the dependencies the plan recorded. Only real Azure resources count; components, random strings and other
// local bookkeeping take no deployment time.
import type { RecordedResource } from "./harness";

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
  return r.custom && r.type.startsWith("azure-native:");
}

export function deploymentGraph(resources: readonly RecordedResource[]): GraphNode[] {
  return resources.map((r) => ({ id: r.urn, weight: isAzureCreation(r) ? 1 : 0, dependsOn: r.dependencies }));
}
