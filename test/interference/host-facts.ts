// Test-side stand-ins for what the engine will supply to runMeasurement: this host's topology read from sysfs
// (only the parts the measurement uses), synthetic topologies, and steal ticks from /proc/stat.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheInfo, Topology } from '../../src/resources/types.js';

const CPU_SYS = '/sys/devices/system/cpu';

export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(i);
  }
  return out;
}

function sizeBytes(text: string): number {
  const m = /^(\d+)([KMG]?)/.exec(text.trim());
  return m ? Number(m[1]) * ({ '': 1, K: 1024, M: 1 << 20, G: 1 << 30 }[m[2]!] ?? 1) : 0;
}

export function hostTopology(): Topology {
  const cpus = parseCpuList(readFileSync(join(CPU_SYS, 'online'), 'utf8'));
  const caches = new Map<string, CacheInfo>();
  for (const id of cpus) {
    const dir = join(CPU_SYS, `cpu${id}`, 'cache');
    if (!existsSync(dir)) continue;
    for (const idx of readdirSync(dir).filter((d) => d.startsWith('index'))) {
      const read = (f: string) => readFileSync(join(dir, idx, f), 'utf8').trim();
      const shared = parseCpuList(read('shared_cpu_list'));
      const c: CacheInfo = { level: Number(read('level')), type: read('type') as CacheInfo['type'], id: shared[0]!, sizeBytes: sizeBytes(read('size')), cpus: shared };
      caches.set(`${c.level}/${c.type}/${c.id}`, c);
    }
  }
  const mem = /MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return {
    cpus: cpus.map((id) => ({ id, core: id, socket: 0, numa: 0 })),
    caches: [...caches.values()],
    numaNodes: [{ id: 0, cpus, memTotal: 0 }],
    smtWidth: 1,
    memTotal: mem ? Number(mem[1]) * 1024 : 0,
  };
}

/** A host like the project's VMs: 2 vCPUs, private 1 MiB L2s, one 32 MiB L3 shared by both, no SMT, one node. */
export function twoCpuVm(): Topology {
  return {
    cpus: [0, 1].map((id) => ({ id, core: id, socket: 0, numa: 0 })),
    caches: [
      { level: 2, type: 'Unified', id: 0, sizeBytes: 1 << 20, cpus: [0] },
      { level: 2, type: 'Unified', id: 1, sizeBytes: 1 << 20, cpus: [1] },
      { level: 3, type: 'Unified', id: 0, sizeBytes: 32 << 20, cpus: [0, 1] },
    ],
    numaNodes: [{ id: 0, cpus: [0, 1], memTotal: 0 }],
    smtWidth: 1,
    memTotal: 24 << 30,
  };
}

/** Two sockets × 4 cores × SMT2, a 16 MiB L3 and a NUMA node per socket. */
export function dualSocketSmt(): Topology {
  const ids = [...Array(16).keys()];
  const socket = (id: number) => (id < 8 ? 0 : 1);
  return {
    cpus: ids.map((id) => ({ id, core: id >> 1, socket: socket(id), numa: socket(id) })),
    caches: [
      ...ids.filter((id) => id % 2 === 0).map((id) => ({ level: 2, type: 'Unified' as const, id, sizeBytes: 2 << 20, cpus: [id, id + 1] })),
      { level: 3, type: 'Unified', id: 0, sizeBytes: 16 << 20, cpus: ids.slice(0, 8) },
      { level: 3, type: 'Unified', id: 8, sizeBytes: 16 << 20, cpus: ids.slice(8) },
    ],
    numaNodes: [{ id: 0, cpus: ids.slice(0, 8), memTotal: 0 }, { id: 1, cpus: ids.slice(8), memTotal: 0 }],
    smtWidth: 2,
    memTotal: 64 << 30,
  };
}

/** Cumulative steal ticks: the 8th number of the aggregate "cpu" line of /proc/stat. */
export async function readSteal(): Promise<number> {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  return Number(cpu[8] ?? 0);
}

function busyTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };   // minus idle and iowait
}

function ownTicks(): number {
  // utime, stime, cutime, cstime of this process: its own CPU plus that of the children it has waited for.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
}

/**
 * Watches how much of the machine's CPU other processes take while a measurement runs. This test machine is
 * shared with other test runs; when they take a large share, slowdown ratios measure them, not the probes, and
 * the numeric targets cannot be judged.
 */
export function watchBackgroundLoad(): () => number {
  const b0 = busyTicks(), o0 = ownTicks();
  return () => {
    const b1 = busyTicks(), o1 = ownTicks();
    const total = b1.total - b0.total;
    return total > 0 ? Math.max(0, (b1.busy - b0.busy) - (o1 - o0)) / total : 0;
  };
}
