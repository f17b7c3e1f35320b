// Resource nodes for the CPU side of the host: logical CPUs, SMT cores, L2/L3 caches and NUMA nodes, each with
// the containers whose cpusets reach it. L1 caches are per core and counted with the core.
import type { CacheInfo, CpuInfo, NumaNode, Topology } from '../../resources/types.js';
import { formatBytes, formatList, groupUnits, pairKey, type ResourceDraft } from './draft.js';
import { EXPOSURE, quotaFactor, round } from './weights.js';
import type { ContainerFacts, Edge } from './types.js';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

function quotaNote(c: ContainerFacts): string {
  return c.cpuQuota === undefined ? '' : `, capped at ${c.cpuQuota} CPU by CFS quota over ${c.cpus.length} ${plural(c.cpus.length, 'CPU', 'CPUs')}`;
}

const qf = (c: ContainerFacts) => quotaFactor(c.cpuQuota, c.cpus.length);

const signatureOf = (edges: Edge[], extra = '') => JSON.stringify(edges.map((e) => [e.container, e.exposure, e.reason])) + extra;

function cpuResources(cpus: CpuInfo[], containers: ContainerFacts[], notes: string[]): ResourceDraft[] {
  return groupUnits(cpus, (u) => u.id, (u) => {
    const on = containers.filter((c) => c.cpus.includes(u.id));
    const edges = on.map((c): Edge => {
      if (c.exclusive && on.length === 1) return { container: c.id, resource: '', exposure: EXPOSURE.cpuExclusive, reason: 'exclusive CPU, owned by this container alone' };
      if (c.exclusive) {
        notes.push(`cpu ${u.id} is exclusive to ${c.name} but also in the cpuset of ${on.filter((o) => o !== c).map((o) => o.name).join(', ')}`);
        return { container: c.id, resource: '', exposure: round(EXPOSURE.cpuShared * qf(c)), reason: `marked exclusive, yet shared with another container${quotaNote(c)}` };
      }
      return { container: c.id, resource: '', exposure: round(EXPOSURE.cpuShared * qf(c)), reason: `in the shared CPU pool${quotaNote(c)}` };
    });
    return { edges, signature: signatureOf(edges) };
  }, (ids, first) => {
    const owners = containers.filter((c) => c.cpus.includes(first.id));
    const tag = owners.length === 1 && owners[0]!.exclusive ? ` (exclusive to ${owners[0]!.name})` : owners.every((c) => !c.exclusive) ? ' (shared pool)' : '';
    return { id: `cpu:${formatList(ids)}`, kind: 'cpu', label: `${plural(ids.length, 'CPU', 'CPUs')} ${formatList(ids)}${tag}` };
  });
}

/** SMT: a core is a resource only between containers that use different threads of it. */
function coreResources(cpus: CpuInfo[], containers: ContainerFacts[]): ResourceDraft[] {
  const cores = new Map<number, number[]>();
  for (const cpu of cpus) cores.set(cpu.core, [...(cores.get(cpu.core) ?? []), cpu.id]);
  const units = [...cores.entries()].map(([core, threads]) => ({ core, threads }));
  return groupUnits(units, (u) => u.core, (u) => {
    // Which threads of the core (by position) each container runs on: equal patterns share the CPU instead.
    const on = containers.map((c) => ({ c, pattern: u.threads.map((t, i) => (c.cpus.includes(t) ? i : -1)).filter((i) => i >= 0).join(',') }))
      .filter((x) => x.pattern !== '');
    const noPath = new Set<string>();
    const edges = on.map(({ c, pattern }): Edge => {
      for (const o of on) if (o.c !== c && o.pattern === pattern) noPath.add(pairKey(c.id, o.c.id));
      const sibling = on.some((o) => o.c !== c && o.pattern !== pattern);
      return sibling
        ? { container: c.id, resource: '', exposure: round(EXPOSURE.smtSibling * qf(c)), reason: `an SMT sibling thread serves another container${quotaNote(c)}` }
        : { container: c.id, resource: '', exposure: 0, reason: 'no other container on a sibling thread' };
    });
    const live = edges.some((e) => e.exposure > 0) ? edges : [];
    return { edges: live, signature: signatureOf(live, JSON.stringify(on.map((o) => o.pattern))), noPath };
  }, (ids) => ({ id: `core:${formatList(ids)}`, kind: 'core', label: `${plural(ids.length, 'core', 'cores')} ${formatList(ids)} (SMT threads)` }));
}

function cacheResources(caches: CacheInfo[], containers: ContainerFacts[], rdt: boolean): ResourceDraft[] {
  const shared = caches.filter((c) => c.level >= 2 && c.type !== 'Instruction');
  const levels = [...new Set(shared.map((c) => c.level))].sort((a, b) => a - b);
  return levels.flatMap((level) => groupUnits(shared.filter((c) => c.level === level), (u) => u.id, (u) => {
    const edges = containers.filter((c) => c.cpus.some((cpu) => u.cpus.includes(cpu))).map((c): Edge => ({
      container: c.id, resource: '', exposure: round(EXPOSURE.cacheOverlap * qf(c)),
      reason: `runs on CPUs under this cache${rdt ? ', no CAT class assigned' : ''}${quotaNote(c)}`,
    }));
    return { edges, signature: signatureOf(edges, `${u.sizeBytes}`) };
  }, (ids, first) => ({
    id: `L${level}:${formatList(ids)}`, kind: 'cache',
    label: ids.length === 1
      ? `L${level} cache ${ids[0]} (${formatBytes(first.sizeBytes)}, ${plural(first.cpus.length, 'CPU', 'CPUs')} ${formatList(first.cpus)})`
      : `L${level} caches ${formatList(ids)} (${formatBytes(first.sizeBytes)} each)`,
  })));
}

function numaResources(nodes: NumaNode[], containers: ContainerFacts[]): ResourceDraft[] {
  return groupUnits(nodes, (u) => u.id, (u) => {
    const edges = containers.filter((c) => c.cpus.some((cpu) => u.cpus.includes(cpu))).map((c): Edge => ({
      container: c.id, resource: '', exposure: round(EXPOSURE.numaOverlap * qf(c)), reason: `runs on CPUs of this node${quotaNote(c)}`,
    }));
    return { edges, signature: signatureOf(edges) };
  }, (ids) => ({ id: `numa:${formatList(ids)}`, kind: 'numa', label: `NUMA ${plural(ids.length, 'node', 'nodes')} ${formatList(ids)} (memory controller)` }));
}

export function cpuSideResources(topology: Topology, containers: ContainerFacts[], rdt: boolean, notes: string[]): ResourceDraft[] {
  const online = new Set(topology.cpus.map((c) => c.id));
  for (const c of containers) {
    const offline = c.cpus.filter((cpu) => !online.has(cpu));
    if (offline.length) notes.push(`${c.name}: ${plural(offline.length, 'CPU', 'CPUs')} ${formatList(offline)} not online on this host, ignored`);
  }
  const cpus = [...topology.cpus].sort((a, b) => a.id - b.id);
  return [
    ...cpuResources(cpus, containers, notes),
    ...(topology.smtWidth > 1 ? coreResources(cpus, containers) : []),
    ...cacheResources([...topology.caches].sort((a, b) => a.level - b.level || a.id - b.id), containers, rdt),
    ...numaResources([...topology.numaNodes].sort((a, b) => a.id - b.id), containers),
  ];
}
