// A container's resource usage as the kernel counts it: cgroup counters (v1 or v2) and the network counters of
// the container's network namespace. Raw counters only; rates (CPU %) are the caller's, from two readings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, wrap } from '../core/index.js';
import type { CgroupDirs } from './cgroup-paths.js';

export interface CgroupUsage {
  cpuUsageNs: number;     // CPU time consumed by all tasks, cumulative
  memoryUsage: number;    // bytes, without the page cache the kernel can drop at once (inactive file pages)
  memoryLimit: number;    // bytes; 0 when unlimited
  pids: number;
  pidsLimit: number;      // 0 when unlimited
  blockRead: number;      // bytes, cumulative over all devices
  blockWrite: number;
}

// v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4k pages); anything this large is none.
const UNLIMITED_FLOOR = 2 ** 62;

async function readText(dir: string | undefined, file: string): Promise<string | undefined> {
  if (!dir) return undefined;
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw wrap(err, `read cgroup file ${join(dir, file)}`);
  }
}

function num(text: string | undefined): number {
  if (text === undefined) return 0;
  const t = text.trim();
  if (t === 'max' || t === '') return 0;
  const n = Number(t);
  return Number.isFinite(n) && n < UNLIMITED_FLOOR ? n : 0;
}

/** "key value" lines (memory.stat, cpu.stat) → a record of numbers. */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** v1 blkio.throttle.io_service_bytes: "MAJ:MIN Read|Write|… N" lines, summed over devices. */
export function parseBlkioServiceBytes(text: string | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of (text ?? '').split('\n')) {
    const [dev, op, v] = line.trim().split(/\s+/);
    if (!dev || !/^\d+:\d+$/.test(dev)) continue;
    if (op === 'Read') read += Number(v);
    else if (op === 'Write') write += Number(v);
  }
  return { read, write };
}

/** v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N …" lines, summed over devices. */
export function parseIoStat(text: string | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of (text ?? '').split('\n')) {
    for (const field of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = field.split('=');
      if (k === 'rbytes') read += Number(v);
      else if (k === 'wbytes') write += Number(v);
    }
  }
  return { read, write };
}

export async function readV1Usage(dirs: Extract<CgroupDirs, { version: 1 }>['dirs']): Promise<CgroupUsage> {
  const [cpu, usage, limit, memStat, pids, pidsMax, blkioRecursive, blkio] = await Promise.all([
    readText(dirs.cpuacct, 'cpuacct.usage'),
    readText(dirs.memory, 'memory.usage_in_bytes'),
    readText(dirs.memory, 'memory.limit_in_bytes'),
    readText(dirs.memory, 'memory.stat'),
    readText(dirs.pids, 'pids.current'),
    readText(dirs.pids, 'pids.max'),
    readText(dirs.blkio, 'blkio.throttle.io_service_bytes_recursive'),
    readText(dirs.blkio, 'blkio.throttle.io_service_bytes'),
  ]);
  // As docker does since 19.03: usage minus the inactive file cache, which the kernel reclaims before any OOM.
  const inactive = parseFlatKeyed(memStat)['total_inactive_file'] ?? 0;
  const io = parseBlkioServiceBytes(blkioRecursive ?? blkio);
  return {
    cpuUsageNs: num(cpu), memoryUsage: Math.max(0, num(usage) - inactive), memoryLimit: num(limit),
    pids: num(pids), pidsLimit: num(pidsMax), blockRead: io.read, blockWrite: io.write,
  };
}

export async function readV2Usage(dir: string): Promise<CgroupUsage> {
  const [cpuStat, current, max, memStat, pids, pidsMax, ioStat] = await Promise.all(
    ['cpu.stat', 'memory.current', 'memory.max', 'memory.stat', 'pids.current', 'pids.max', 'io.stat'].map((f) => readText(dir, f)),
  );
  const inactive = parseFlatKeyed(memStat)['inactive_file'] ?? 0;
  const io = parseIoStat(ioStat);
  return {
    cpuUsageNs: (parseFlatKeyed(cpuStat)['usage_usec'] ?? 0) * 1000, memoryUsage: Math.max(0, num(current) - inactive),
    memoryLimit: num(max), pids: num(pids), pidsLimit: num(pidsMax), blockRead: io.read, blockWrite: io.write,
  };
}

export function readCgroupUsage(dirs: CgroupDirs): Promise<CgroupUsage> {
  return dirs.version === 2 ? readV2Usage(dirs.dir) : readV1Usage(dirs.dirs);
}

/** /proc/<pid>/net/dev: bytes received and sent on the namespace's interfaces, loopback excluded. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

export async function readNetUsage(pid: number, root = '/'): Promise<{ rx: number; tx: number }> {
  try {
    return parseNetDev(await readFile(join(root, 'proc', String(pid), 'net', 'dev'), 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { rx: 0, tx: 0 };
    throw wrap(err, `read network counters of process ${pid}`);
  }
}
