// After a restart (or a crash), the pools are rebuilt from the state database and then checked against the
// kernel: the database says who holds what, the cgroup files say where each running container really runs.
// Rows of containers that are no longer running are dropped (they exited while the engine was down). A database
// that would overcommit (a CPU twice, guarantees above the allocatable memory, say after the reserve was raised
// in the config) stops the engine with a StateInvalid error naming the containers, because admitting anything
// on top of it would break the promise. A cgroup whose cpuset differs from the map is corrected and reported.
import { errorKind, wrap } from '../../core/index.js';
import { formatCpuList, parseCpuList } from '../../resources/index.js';
import { processCgroupDirs } from '../../sys/cgroup-paths.js';
import { readCpusetCpus, writeCpusetCpus } from '../../sys/cgroup-cpu.js';
import type { EngineContext } from '../context.js';
import type { Placement } from './runtime.js';

/** Restores the allocator; returns one line per cgroup it had to correct. */
export function restoreAllocations(ctx: EngineContext): string[] {
  const running = ctx.state.listContainers().filter((c) => c.state.status === 'running' || c.state.status === 'paused');
  const runningIds = new Set(running.map((c) => c.config.id));
  const rows = ctx.state.listAllocations();
  for (const row of rows) if (!runningIds.has(row.containerId)) ctx.state.removeAllocation(row.containerId);
  const kept = rows.filter((r) => runningIds.has(r.containerId));
  try {
    ctx.alloc.pools.restore(kept);
  } catch (err) {
    throw wrap(err, 'restore the CPU and memory allocation of running containers');
  }
  const corrected: string[] = [];
  for (const c of running) {
    const id = c.config.id;
    const held = kept.find((a) => a.containerId === id);
    const user = c.config.resources.cpusetCpus;
    const placement: Placement = held?.cpus.length ? { kind: 'exclusive', cpus: held.cpus }
      : user ? { kind: 'pinned', cpus: parseCpuList(user) } : { kind: 'shared' };
    ctx.alloc.realtime.adopt(id, c.config.resources);
    try {
      ctx.alloc.adopt(id, placement, c.state.pid);
      const want = placement.kind === 'shared' ? ctx.alloc.pools.sharedCpus() : placement.cpus;
      const dirs = processCgroupDirs(c.state.pid);
      const actual = readCpusetCpus(dirs);
      if (actual === undefined || formatCpuList(parseCpuList(actual)) === formatCpuList(want)) continue;
      writeCpusetCpus(dirs, formatCpuList(want));
      corrected.push(`container ${c.name} ran on cpu ${actual}, the allocation says ${formatCpuList(want)}: moved`);
    } catch (err) {
      if (errorKind(err) === 'NotFound') continue; // it exited just now; its exit event releases it
      throw wrap(err, `restore the allocation of container ${c.name}`);
    }
  }
  return corrected;
}
