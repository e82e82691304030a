// Small graph helpers over the recorded resources, shared by the write-serialization check and the teardown model.
import type { RecordedResource } from "./harness";

/** Edges of one node: the URNs it waits for. */
export type EdgesOf = (r: RecordedResource) => readonly string[];

/** What `pulumi up` orders by: a resource is registered only once the resources it depends on exist. */
export const upEdges: EdgesOf = (r) => r.dependencies;

/**
 * Every URN reachable from `start` over `edges` (not `start` itself). Iterative: chains may be thousands long. With
 * `floor`, nodes lower than `floor.min` (by `heights`) are not walked: nothing below them can be that high.
 */
export function reachableFrom(
  start: string,
  byUrn: ReadonlyMap<string, RecordedResource>,
  edges: EdgesOf,
  floor?: { readonly height: ReadonlyMap<string, number>; readonly min: number },
): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const r = byUrn.get(stack.pop()!);
    if (!r) continue;
    for (const next of edges(r)) {
      if (!seen.has(next)) {
        seen.add(next);
        if (!floor || (floor.height.get(next) ?? 0) > floor.min) stack.push(next);
      }
    }
  }
  seen.delete(start);
  return seen;
}

/**
 * Each node's height: 0 with no edges to known nodes, else one more than the highest it points to. Iterative. Throws
 * on a cycle, which Pulumi refuses too.
 */
export function heights(resources: readonly RecordedResource[], edges: EdgesOf): Map<string, number> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const height = new Map<string, number>();
  const onStack = new Set<string>();
  for (const root of resources) {
    if (height.has(root.urn)) continue;
    const stack: { urn: string; next: number; deps: readonly string[] }[] = [
      { urn: root.urn, next: 0, deps: edges(root).filter((d) => byUrn.has(d)) },
    ];
    onStack.add(root.urn);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++];
        if (height.has(dep)) continue;
        if (onStack.has(dep)) throw new Error(`dependency cycle through ${dep}`);
        onStack.add(dep);
        stack.push({ urn: dep, next: 0, deps: edges(byUrn.get(dep)!).filter((d) => byUrn.has(d)) });
        continue;
      }
      stack.pop();
      onStack.delete(top.urn);
      height.set(top.urn, top.deps.length ? 1 + Math.max(...top.deps.map((d) => height.get(d)!)) : 0);
    }
  }
  return height;
}

/** `<type without azure-native:> <name>`: how reports name a resource. */
export function label(r: Pick<RecordedResource, "type" | "name">): string {
  return `${r.type.replace(/^azure-native:/, "")} ${r.name}`;
}
