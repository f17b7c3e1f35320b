// `bulkhead alloc`: the allocation map — every CPU with its place in the topology, its pool and the running
// containers on it, and memory: what each running container is guaranteed and limited to, and what is free.
import type { ContainerRecord } from '../../core/index.js';
import type { EngineContext } from '../context.js';

export interface CpuRow {
  cpu: number;
  core: number;
  socket: number;
  numa: number;
  pool: 'reserved' | 'shared' | 'exclusive';
  containers: string[];     // names of the running containers that may run on it
}

export interface MemoryRow { container: string; guaranteed: number; limit: number | null }

export interface AllocationMap {
  cpus: CpuRow[];
  pools: { reserved: number[]; shared: number[]; exclusive: Array<{ container: string; cpus: number[] }> };
  memory: { total: number; reserve: number; allocatable: number; guaranteed: number; free: number; containers: MemoryRow[] };
}

export function allocationMap(ctx: EngineContext): AllocationMap {
  const snap = ctx.alloc.pools.snapshot();
  const running = ctx.state.listContainers().filter((c) => c.state.status === 'running' || c.state.status === 'paused');
  const byId = new Map(running.map((c) => [c.config.id, c]));
  const name = (id: string) => byId.get(id)?.name ?? id.slice(0, 12);
  const { members, pinned } = ctx.alloc.placements();
  const owners = new Map<number, string>();
  for (const a of snap.exclusive) for (const cpu of a.cpus) owners.set(cpu, name(a.containerId));
  const cpus: CpuRow[] = ctx.alloc.topology.cpus.map((c) => {
    const on: string[] = [];
    const owner = owners.get(c.id);
    if (owner) on.push(owner);
    else {
      for (const id of members) on.push(name(id));
      for (const [id, list] of pinned) if (list.includes(c.id)) on.push(name(id));
    }
    const pool = owner ? 'exclusive' : snap.reservedCpus.includes(c.id) ? 'reserved' : 'shared';
    return { cpu: c.id, core: c.core, socket: c.socket, numa: c.numa, pool, containers: [...new Set(on)].sort() };
  });
  const guaranteeOf = new Map(ctx.alloc.pools.list().map((a) => [a.containerId, a.memoryGuaranteed]));
  return {
    cpus,
    pools: { reserved: snap.reservedCpus, shared: snap.sharedCpus,
      exclusive: snap.exclusive.map((a) => ({ container: name(a.containerId), cpus: a.cpus })) },
    memory: { ...snap.memory, containers: running.map((c) => memoryRow(c, guaranteeOf.get(c.config.id) ?? 0)) },
  };
}

function memoryRow(c: ContainerRecord, guaranteed: number): MemoryRow {
  return { container: c.name, guaranteed, limit: c.config.resources.memory ?? null };
}
