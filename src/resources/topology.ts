// Reads the host's CPU and memory topology from sysfs and procfs. Everything is taken relative to a root so
// tests can point it at a fake tree; only online CPUs are described, and every list is sorted ascending.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { parseCpuList, sortedUnique } from './cpu-list.js';
import type { CacheInfo, CpuInfo, NumaNode, Topology } from './types.js';

const CPU_DIR = 'sys/devices/system/cpu';
const NODE_DIR = 'sys/devices/system/node';

/** The file's trimmed text, or undefined when it does not exist (optional sysfs attributes vary by kernel). */
function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw wrap(err, `read ${path}`);
  }
}

function readRequired(path: string): string {
  const text = readOptional(path);
  if (text === undefined) throw new InvalidArgumentError(`read topology: ${path} does not exist`);
  return text;
}

function listDir(path: string, pattern: RegExp): string[] {
  try {
    return readdirSync(path).filter((n) => pattern.test(n));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw wrap(err, `list ${path}`);
  }
}

function intOr(text: string | undefined, fallback: number): number {
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) ? n : fallback;
}

/** "32768K" → bytes; the kernel prints cache sizes with a K (sometimes M) suffix. */
function parseCacheSize(text: string | undefined): number {
  const m = /^(\d+)\s*([KMG]?)/i.exec(text ?? '');
  if (!m) return 0;
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

/** "MemTotal:  24684092 kB" (procfs) or "Node 0 MemTotal: 6252756 kB" (per node) → bytes, 0 when absent. */
function parseMemTotal(text: string | undefined): number {
  const m = /MemTotal:\s*(\d+)\s*kB/.exec(text ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Groups online CPUs into physical cores. The sibling lists are the kernel's own answer; a union keeps the
 * grouping consistent even if one list is stale. Without them, (package, core_id) identifies the core.
 */
function coreKeys(root: string, online: number[], socketOf: Map<number, number>): Map<number, number> {
  const parent = new Map(online.map((c) => [c, c]));
  const find = (c: number): number => {
    while (parent.get(c) !== c) c = parent.get(c)!;
    return c;
  };
  const union = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  const byCoreId = new Map<string, number>();
  for (const cpu of online) {
    const dir = join(root, CPU_DIR, `cpu${cpu}`, 'topology');
    const siblings = readOptional(join(dir, 'core_cpus_list')) ?? readOptional(join(dir, 'thread_siblings_list'));
    if (siblings !== undefined) {
      for (const s of parseCpuList(siblings)) if (parent.has(s)) union(cpu, s);
      continue;
    }
    const coreId = readOptional(join(dir, 'core_id'));
    if (coreId === undefined) continue;
    const key = `${socketOf.get(cpu)}:${coreId}`;
    const first = byCoreId.get(key);
    if (first === undefined) byCoreId.set(key, cpu);
    else union(cpu, first);
  }
  // The root of each set is its lowest CPU (union keeps the smaller id), a host-wide unique core key.
  return new Map(online.map((c) => [c, find(c)]));
}

function readCaches(root: string, online: number[]): CacheInfo[] {
  const onlineSet = new Set(online);
  const seen = new Map<string, CacheInfo>();
  for (const cpu of online) {
    const dir = join(root, CPU_DIR, `cpu${cpu}`, 'cache');
    for (const index of listDir(dir, /^index\d+$/).sort()) {
      const at = (f: string): string | undefined => readOptional(join(dir, index, f));
      const type = at('type');
      if (type !== 'Data' && type !== 'Instruction' && type !== 'Unified') continue;
      const level = intOr(at('level'), 0);
      // Offline sharers are dropped: the topology describes online CPUs only.
      const shared = sortedUnique([cpu, ...parseCpuList(at('shared_cpu_list') ?? '').filter((c) => onlineSet.has(c))]);
      const key = `${level}:${type}:${shared.join(',')}`;
      if (seen.has(key)) continue;
      seen.set(key, { level, type, id: intOr(at('id'), shared[0]!), sizeBytes: parseCacheSize(at('size')), cpus: shared });
    }
  }
  return [...seen.values()].sort((a, b) => a.level - b.level || a.type.localeCompare(b.type) || a.cpus[0]! - b.cpus[0]!);
}

function readNumaNodes(root: string, online: number[], memTotal: number): NumaNode[] {
  const dir = join(root, NODE_DIR);
  const onlineSet = new Set(online);
  const nodes: NumaNode[] = listDir(dir, /^node\d+$/)
    .map((name) => ({
      id: Number(name.slice(4)),
      cpus: parseCpuList(readOptional(join(dir, name, 'cpulist')) ?? '').filter((c) => onlineSet.has(c)),
      memTotal: parseMemTotal(readOptional(join(dir, name, 'meminfo'))),
    }))
    .sort((a, b) => a.id - b.id);
  // No NUMA information (CONFIG_NUMA off, some containers): the whole host is one node.
  if (nodes.length === 0) return [{ id: 0, cpus: [...online], memTotal }];
  const placed = new Set(nodes.flatMap((n) => n.cpus));
  const stray = online.filter((c) => !placed.has(c));
  if (stray.length > 0) nodes[0]!.cpus = sortedUnique([...nodes[0]!.cpus, ...stray]);
  return nodes;
}

/** The host's topology under root (default '/'): online CPUs, cores, sockets, caches, NUMA nodes, memory. */
export function readTopology(root = '/'): Topology {
  try {
    const online = parseCpuList(readRequired(join(root, CPU_DIR, 'online')));
    if (online.length === 0) throw new InvalidArgumentError('no online CPUs');
    const memTotal = parseMemTotal(readRequired(join(root, 'proc/meminfo')));
    const socketOf = new Map(online.map((c) => {
      const pkg = intOr(readOptional(join(root, CPU_DIR, `cpu${c}`, 'topology/physical_package_id')), 0);
      return [c, pkg < 0 ? 0 : pkg]; // some platforms report -1 when the package is unknown
    }));
    const cores = coreKeys(root, online, socketOf);
    const numaNodes = readNumaNodes(root, online, memTotal);
    const numaOf = new Map<number, number>();
    for (const n of numaNodes) for (const c of n.cpus) if (!numaOf.has(c)) numaOf.set(c, n.id);
    const cpus: CpuInfo[] = online.map((id) => ({ id, core: cores.get(id)!, socket: socketOf.get(id)!, numa: numaOf.get(id) ?? 0 }));
    const perCore = new Map<number, number>();
    for (const c of cpus) perCore.set(c.core, (perCore.get(c.core) ?? 0) + 1);
    const smtWidth = Math.max(...perCore.values());
    return { cpus, caches: readCaches(root, online), numaNodes, smtWidth, memTotal };
  } catch (err) {
    throw wrap(err, `read host topology under ${root}`);
  }
}
