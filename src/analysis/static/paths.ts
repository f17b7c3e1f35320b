// Every interference path: for each resource and each ordered pair of distinct containers both exposed to it,
// aggressor → resource → victim with score w(a,r)·w(v,r)·sev(r). The reason says in words why the pair meets.
import { pairKey, type ResourceDraft } from './draft.js';
import { KIND_ORDER, SEVERITY, rate, round } from './weights.js';
import type { ContainerFacts, Edge, Path } from './types.js';

function quotaSuffix(a: ContainerFacts, v: ContainerFacts): string {
  const capped = [a.cpuQuota !== undefined ? `aggressor capped at ${a.cpuQuota} CPU` : '', v.cpuQuota !== undefined ? `victim capped at ${v.cpuQuota} CPU` : ''];
  const s = capped.filter(Boolean).join(', ');
  return s ? ` (${s} by CFS quota)` : '';
}

function pathReason(r: ResourceDraft, a: ContainerFacts, v: ContainerFacts, ea: Edge, ev: Edge): string {
  const bare = r.id.slice(r.id.indexOf(':') + 1);
  switch (r.kind) {
    case 'cpu':
      return (a.exclusive || v.exclusive ? `same CPUs ${bare}, although one side is marked exclusive` : 'both in the shared CPU pool') + quotaSuffix(a, v);
    case 'core': return `SMT siblings: different threads of the same physical core${quotaSuffix(a, v)}`;
    case 'cache': return `same ${r.id.split(':')[0]} cache, no partitioning${quotaSuffix(a, v)}`;
    case 'numa': return `same NUMA node: memory controller and bandwidth${quotaSuffix(a, v)}`;
    case 'memory': {
      if (ea.exposure === 1 && ev.exposure === 1) return 'both without a memory limit';
      if (ea.exposure === 1) return 'aggressor has no memory limit; host reclaim reaches the victim';
      if (ev.exposure === 1) return 'victim has no memory limit; the aggressor\'s use adds to host memory pressure';
      return ea.exposure > 0.2 || ev.exposure > 0.2 ? 'memory limits together overcommit the host' : 'limits fit in host memory; only reclaim and bandwidth pressure';
    }
    case 'block': {
      const limited = [ea.exposure < 1 ? 'aggressor' : '', ev.exposure < 1 ? 'victim' : ''].filter(Boolean);
      return `same block device, ${limited.length === 0 ? 'no I/O limit' : limited.length === 2 ? 'both I/O-limited' : `only the ${limited[0]} I/O-limited`}`;
    }
    case 'network': return bare === 'host' ? 'both on the host network' : `same bridge ${bare}`;
    case 'volume': return `shared volume ${bare}, ${ea.reason.includes('write') ? 'aggressor writes' : 'aggressor reads'}, ${ev.reason.includes('write') ? 'victim writes' : 'victim reads'}`;
    case 'kernel': return 'same kernel: syscalls, locks, page cache';
    case 'hypervisor': return 'same hypervisor: steal time and VM exits reach every container';
  }
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Resource order: kind first, then the numbers in the id, so cpu:2 comes before cpu:10. */
export function compareResourceIds(kinds: Map<string, string>) {
  const num = (id: string) => Number(/\d+/.exec(id)?.[0] ?? -1);
  return (a: string, b: string): number =>
    KIND_ORDER.indexOf(kinds.get(a) as never) - KIND_ORDER.indexOf(kinds.get(b) as never)
    || (a.split(':')[0]! < b.split(':')[0]! ? -1 : a.split(':')[0]! > b.split(':')[0]! ? 1 : 0)
    || num(a) - num(b) || byString(a, b);
}

export function allPaths(drafts: ResourceDraft[], containers: Map<string, ContainerFacts>): Path[] {
  const paths: Path[] = [];
  for (const r of drafts) {
    const live = r.edges.filter((e) => e.exposure > 0);
    for (const ea of live) {
      for (const ev of live) {
        if (ea.container === ev.container || r.noPath?.has(pairKey(ea.container, ev.container))) continue;
        const score = round(ea.exposure * ev.exposure * SEVERITY[r.kind]);
        if (score <= 0) continue;
        const a = containers.get(ea.container)!;
        const v = containers.get(ev.container)!;
        paths.push({ aggressor: a.id, resource: r.id, victim: v.id, score, rating: rate(score), reason: pathReason(r, a, v, ea, ev) });
      }
    }
  }
  return paths.sort(comparePaths(compareResourceIds(new Map(drafts.map((d) => [d.id, d.kind])))));
}

/** Worst first; ties by resource, aggressor, victim, so the order never depends on input order. */
export function comparePaths(order: (a: string, b: string) => number) {
  return (p: Path, q: Path): number =>
    q.score - p.score || order(p.resource, q.resource) || byString(p.aggressor, q.aggressor) || byString(p.victim, q.victim);
}
