// The nesting of CPU domains the allocator packs into: sockets, NUMA nodes and last-level caches ordered from
// the biggest to the smallest, then physical cores, then threads. Ordering by size rather than by a fixed list
// handles both common layouts: several NUMA nodes per socket (sub-NUMA clustering) and, rarely, the reverse.
import type { Topology } from './types.js';

export type DomainKind = 'socket' | 'numa' | 'llc' | 'core';

export interface DomainLevel {
  kind: DomainKind;
  /** CPU id → the id of its domain at this level. */
  keyOf: Map<number, number>;
}

/** A domain holding some available CPUs; cores are the leaves and carry their available threads. */
export interface Domain {
  free: number;
  children: Domain[];
  /** Available CPUs, sorted (only filled at the core level). */
  cpus: number[];
  /** Online threads of the core (core level only): a core is whole when free === size. */
  size: number;
}

/**
 * Each CPU's last-level cache: the highest-level data or unified cache that holds it. A CPU the kernel lists
 * no cache for falls back to its socket, as kubelet's uncore-cache grouping does.
 */
export function llcKeys(topo: Topology): Map<number, number> {
  const best = new Map<number, { level: number; key: number }>();
  topo.caches.forEach((cache, index) => {
    if (cache.type === 'Instruction') return;
    for (const cpu of cache.cpus) {
      const cur = best.get(cpu);
      if (!cur || cache.level > cur.level) best.set(cpu, { level: cache.level, key: index });
    }
  });
  // Socket fallbacks are numbered past every cache index, so they never collide with a cache key.
  return new Map(topo.cpus.map((c) => [c.id, best.get(c.id)?.key ?? topo.caches.length + c.socket]));
}

/** The levels above the core, biggest domains first (fewest distinct groups), then the core level. */
export function domainLevels(topo: Topology): DomainLevel[] {
  const above: DomainLevel[] = [
    { kind: 'socket', keyOf: new Map(topo.cpus.map((c) => [c.id, c.socket])) },
    { kind: 'numa', keyOf: new Map(topo.cpus.map((c) => [c.id, c.numa])) },
    { kind: 'llc', keyOf: llcKeys(topo) },
  ];
  const groups = (l: DomainLevel): number => new Set(l.keyOf.values()).size;
  // Array.prototype.sort is stable, so equal sizes keep the socket, numa, llc order: deterministic.
  above.sort((a, b) => groups(a) - groups(b));
  return [...above, { kind: 'core', keyOf: new Map(topo.cpus.map((c) => [c.id, c.core])) }];
}

/**
 * The tree of domains holding the available CPUs. Children are keyed by the whole path from the top, so the
 * tree stays a tree even if a level were not nested in the one above it. Children are ordered by their lowest
 * CPU, which makes every later choice deterministic.
 */
export function buildDomainTree(topo: Topology, levels: DomainLevel[], available: readonly number[]): Domain {
  const coreSize = new Map<number, number>();
  for (const c of topo.cpus) coreSize.set(c.core, (coreSize.get(c.core) ?? 0) + 1);
  const coreOf = new Map(topo.cpus.map((c) => [c.id, c.core]));
  const build = (cpus: number[], depth: number): Domain => {
    if (depth === levels.length) return { free: cpus.length, children: [], cpus, size: cpus.length };
    const groups = new Map<number, number[]>();
    for (const cpu of cpus) {
      const key = levels[depth]!.keyOf.get(cpu)!;
      const g = groups.get(key);
      if (g) g.push(cpu);
      else groups.set(key, [cpu]);
    }
    const children = [...groups.values()].map((g) => {
      const child = build(g, depth + 1);
      if (depth === levels.length - 1) child.size = coreSize.get(coreOf.get(g[0]!)!)!;
      return child;
    });
    return { free: cpus.length, children, cpus: [], size: 0 };
  };
  return build([...available].sort((a, b) => a - b), 0);
}
