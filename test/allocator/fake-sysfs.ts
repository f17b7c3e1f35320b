// Fake sysfs/procfs trees for the allocator tests: synthetic hosts laid out as the kernel lays them out
// (per-socket core_id, sibling lists, cache/indexN, node/nodeN), plus the ground truth each CPU was given, so
// tests can check readTopology against it and compute brute-force optima from it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatCpuList } from '../../src/resources/index.js';

export type Level = 'socket' | 'numa' | 'llc';

export interface HostSpec {
  name: string;
  sockets: number;
  nodesPerSocket: number;
  llcsPerSocket: number;
  coresPerSocket: number;
  smt: number;
  /** intel: siblings are k and k+cores (0,8); adjacent: siblings are 2k and 2k+1. */
  numbering: 'intel' | 'adjacent';
  offline?: number[];
  /** Leave out sys/devices/system/node (kernels without NUMA) and cache/indexN/id (older kernels). */
  noNumaDir?: boolean;
  noCacheId?: boolean;
  memPerNode: number;
  /** The true nesting, biggest domains first, as the optimum is defined for this host. */
  hierarchy: Level[];
}

export interface TrueCpu { id: number; socket: number; numa: number; llc: number; core: number }

export interface FakeHost { spec: HostSpec; root: string; online: number[]; truth: TrueCpu[]; memTotal: number; cleanup(): void }

const GiB = 1024 ** 3;

export const HOSTS: HostSpec[] = [
  { name: '2 CPUs', sockets: 1, nodesPerSocket: 1, llcsPerSocket: 1, coresPerSocket: 2, smt: 1, numbering: 'intel',
    noNumaDir: true, noCacheId: true, memPerNode: 8 * GiB, hierarchy: ['socket', 'numa', 'llc'] },
  { name: 'dual socket SMT2', sockets: 2, nodesPerSocket: 1, llcsPerSocket: 1, coresPerSocket: 4, smt: 2, numbering: 'intel',
    memPerNode: 16 * GiB, hierarchy: ['socket', 'numa', 'llc'] },
  // Sub-NUMA clustering: each socket's one L3 spans two NUMA nodes, so the LLC level sits above NUMA.
  { name: '4 NUMA nodes', sockets: 2, nodesPerSocket: 2, llcsPerSocket: 1, coresPerSocket: 4, smt: 2, numbering: 'adjacent',
    memPerNode: 8 * GiB, hierarchy: ['socket', 'llc', 'numa'] },
  // Two L3 complexes in one socket, with one hardware thread offline.
  { name: 'split L3', sockets: 1, nodesPerSocket: 1, llcsPerSocket: 2, coresPerSocket: 6, smt: 2, numbering: 'intel',
    offline: [11], memPerNode: 32 * GiB, hierarchy: ['socket', 'numa', 'llc'] },
  { name: '64 CPUs', sockets: 2, nodesPerSocket: 2, llcsPerSocket: 4, coresPerSocket: 16, smt: 2, numbering: 'intel',
    memPerNode: 64 * GiB, hierarchy: ['socket', 'numa', 'llc'] },
];

function put(root: string, path: string, text: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, `${text}\n`);
}

export function writeFakeHost(spec: HostSpec): FakeHost {
  const root = mkdtempSync(join(tmpdir(), 'bh-test-alloc-'));
  const totalCores = spec.sockets * spec.coresPerSocket;
  const cpuOf = (k: number, t: number): number => (spec.numbering === 'intel' ? k + t * totalCores : k * spec.smt + t);
  const all: TrueCpu[] = [];
  const local = new Map<number, number>();
  for (let s = 0; s < spec.sockets; s++) {
    for (let i = 0; i < spec.coresPerSocket; i++) {
      const k = s * spec.coresPerSocket + i;
      const numa = s * spec.nodesPerSocket + Math.floor(i / (spec.coresPerSocket / spec.nodesPerSocket));
      const llc = s * spec.llcsPerSocket + Math.floor(i / (spec.coresPerSocket / spec.llcsPerSocket));
      for (let t = 0; t < spec.smt; t++) {
        all.push({ id: cpuOf(k, t), socket: s, numa, llc, core: cpuOf(k, 0) });
        local.set(cpuOf(k, t), i);
      }
    }
  }
  all.sort((a, b) => a.id - b.id);
  const offline = new Set(spec.offline ?? []);
  const truth = all.filter((c) => !offline.has(c.id));
  const online = truth.map((c) => c.id);
  const cpuDir = 'sys/devices/system/cpu';
  put(root, `${cpuDir}/online`, formatCpuList(online));
  put(root, `${cpuDir}/possible`, formatCpuList(all.map((c) => c.id)));
  const ids = (pred: (c: TrueCpu) => boolean): string => formatCpuList(all.filter(pred).map((c) => c.id));
  for (const c of all) {
    const dir = `${cpuDir}/cpu${c.id}`;
    put(root, `${dir}/online`, offline.has(c.id) ? '0' : '1');
    if (offline.has(c.id)) continue; // the kernel removes topology/ and cache/ of an offline CPU
    put(root, `${dir}/topology/core_id`, `${local.get(c.id)}`);
    put(root, `${dir}/topology/physical_package_id`, `${c.socket}`);
    put(root, `${dir}/topology/core_cpus_list`, ids((o) => o.core === c.core));
    put(root, `${dir}/topology/thread_siblings_list`, ids((o) => o.core === c.core));
    put(root, `${dir}/topology/package_cpus_list`, ids((o) => o.socket === c.socket));
    const caches: [number, string, string, number, string][] = [
      [1, 'Data', '48K', c.core, ids((o) => o.core === c.core)],
      [1, 'Instruction', '32K', c.core, ids((o) => o.core === c.core)],
      [2, 'Unified', '1024K', c.core, ids((o) => o.core === c.core)],
      [3, 'Unified', '32768K', c.llc, ids((o) => o.llc === c.llc)],
    ];
    caches.forEach(([level, type, size, id, shared], n) => {
      const idx = `${dir}/cache/index${n}`;
      put(root, `${idx}/level`, `${level}`);
      put(root, `${idx}/type`, type);
      put(root, `${idx}/size`, size);
      put(root, `${idx}/shared_cpu_list`, shared);
      if (!spec.noCacheId) put(root, `${idx}/id`, `${id}`);
    });
  }
  const nodes = spec.sockets * spec.nodesPerSocket;
  if (!spec.noNumaDir) {
    for (let n = 0; n < nodes; n++) {
      put(root, `sys/devices/system/node/node${n}/cpulist`, formatCpuList(truth.filter((c) => c.numa === n).map((c) => c.id)));
      const kb = spec.memPerNode / 1024;
      put(root, `sys/devices/system/node/node${n}/meminfo`, `Node ${n} MemTotal:       ${kb} kB\nNode ${n} MemFree:        ${kb / 2} kB`);
    }
  }
  const memTotal = nodes * spec.memPerNode;
  put(root, 'proc/meminfo', `MemTotal:       ${memTotal / 1024} kB\nMemFree:        ${memTotal / 2048} kB\nMemAvailable:   ${memTotal / 2048} kB`);
  return { spec, root, online, truth, memTotal, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
