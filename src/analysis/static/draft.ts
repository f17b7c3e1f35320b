// A resource while the analysis builds it: the node plus its edges, and the pairs that must not form a path
// through it even though both edges are nonzero (two containers on the same SMT threads share the CPU, which the
// cpu resource already counts; the core adds nothing between them).
import type { Edge, ResourceKind } from './types.js';

export interface ResourceDraft {
  id: string;
  kind: ResourceKind;
  label: string;
  edges: Edge[];
  /** Unordered container pairs, "a\0b" with a < b, that get no path through this resource. */
  noPath?: Set<string>;
}

export const pairKey = (a: string, b: string): string => (a < b ? `${a}\0${b}` : `${b}\0${a}`);

/** Kernel cpulist notation: [0,1,2,5] → "0-2,5". */
export function formatList(ids: number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

/** A size in binary units, the way sysfs caches read ("32 MiB", "48 KiB"). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1 && n % 1024 === 0) { n /= 1024; i++; }
  return `${n} ${units[i]}`;
}

/**
 * Hardware units (CPUs, cores, caches, nodes) with the same containers at the same exposure are one resource
 * for the analysis: listing 40 identical pool CPUs as 40 nodes would multiply the paths by 40 and say nothing
 * more. `signature` must capture everything that distinguishes a unit; units with no edges are dropped.
 */
export function groupUnits<U>(
  units: U[], unitId: (u: U) => number, edgesOf: (u: U) => { edges: Edge[]; signature: string; noPath?: Set<string> },
  make: (ids: number[], first: U) => { id: string; kind: ResourceDraft['kind']; label: string },
): ResourceDraft[] {
  const groups = new Map<string, { ids: number[]; first: U; edges: Edge[]; noPath?: Set<string> }>();
  for (const u of units) {
    const e = edgesOf(u);
    if (e.edges.length === 0) continue;
    const g = groups.get(e.signature);
    if (g) g.ids.push(unitId(u));
    else groups.set(e.signature, { ids: [unitId(u)], first: u, edges: e.edges, ...(e.noPath ? { noPath: e.noPath } : {}) });
  }
  return [...groups.values()].map((g) => {
    const m = make(g.ids, g.first);
    return { ...m, edges: g.edges.map((e) => ({ ...e, resource: m.id })), ...(g.noPath?.size ? { noPath: g.noPath } : {}) };
  });
}
