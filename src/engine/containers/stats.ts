// `stats`: what a running container consumes, from the kernel's counters (sys/cgroup-stats.ts). CPU % is a
// rate, so every figure comes from two readings: the previous one and now. 100% is one full CPU, as in docker.
import { totalmem } from 'node:os';
import { ConflictError, isNotFound, type ContainerRecord } from '../../core/index.js';
import { onlineCpus } from '../../sys/cgroup-host.js';
import { processCgroupDirs } from '../../sys/cgroup-paths.js';
import { readCgroupUsage, type CgroupUsage } from '../../sys/cgroup-stats.js';
import { readNetCounters, type NetCounters } from '../../network/index.js';
import type { EngineContext } from '../context.js';

export interface ContainerStats {
  id: string;
  name: string;
  read: string;            // ISO time of the reading
  cpuPercent: number;      // of one CPU over the interval since the previous reading
  cpuUsageNs: number;      // cumulative
  onlineCpus: number;
  memoryUsage: number;     // bytes, reclaimable cache excluded
  memoryLimit: number;     // bytes; the host's memory when the container has no limit
  memoryPercent: number;
  pids: number;
  pidsLimit: number;       // 0 when unlimited
  blockRead: number;
  blockWrite: number;
  netRx: number;           // bytes received on the container's interfaces (loopback excluded)
  netTx: number;
  netRxPackets: number;
  netTxPackets: number;
}

interface Reading { atNs: bigint; usage: CgroupUsage; net: NetCounters }

export const STATS_INTERVAL_MS = 1000;

async function read(rec: ContainerRecord): Promise<Reading> {
  const atNs = process.hrtime.bigint();
  const usage = await readCgroupUsage(processCgroupDirs(rec.state.pid));
  // Host-network containers see the host's interfaces: those counters are not theirs (docker shows none either).
  const net = rec.config.network === 'host' ? { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 } : await readNetCounters(rec.state.pid);
  return { atNs, usage, net };
}

function compute(rec: ContainerRecord, prev: Reading, now: Reading): ContainerStats {
  const wallNs = Number(now.atNs - prev.atNs);
  const cpuNs = now.usage.cpuUsageNs - prev.usage.cpuUsageNs;
  const limit = now.usage.memoryLimit || totalmem();
  return {
    id: rec.config.id, name: rec.name, read: new Date().toISOString(),
    cpuPercent: wallNs > 0 ? Math.max(0, (cpuNs / wallNs) * 100) : 0,
    cpuUsageNs: now.usage.cpuUsageNs, onlineCpus: onlineCpus().size,
    memoryUsage: now.usage.memoryUsage, memoryLimit: limit, memoryPercent: (now.usage.memoryUsage / limit) * 100,
    pids: now.usage.pids, pidsLimit: now.usage.pidsLimit,
    blockRead: now.usage.blockRead, blockWrite: now.usage.blockWrite, netRx: now.net.rxBytes, netTx: now.net.txBytes,
    netRxPackets: now.net.rxPackets, netTxPackets: now.net.txPackets,
  };
}

function running(ctx: EngineContext, ref: string): ContainerRecord {
  const rec = ctx.state.lookupContainer(ref);
  if ((rec.state.status !== 'running' && rec.state.status !== 'paused') || rec.state.pid <= 0) {
    throw new ConflictError(`container "${rec.name}" is not running`);
  }
  return rec;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/** One sample, from two readings intervalMs apart. */
export async function containerStats(ctx: EngineContext, ref: string, intervalMs = STATS_INTERVAL_MS): Promise<ContainerStats> {
  const rec = running(ctx, ref);
  try {
    const first = await read(rec);
    await sleep(intervalMs);
    return compute(rec, first, await read(rec));
  } catch (err) {
    if (isNotFound(err)) throw new ConflictError(`container "${rec.name}" is not running`, { cause: err });
    throw err;
  }
}

/** A sample every intervalMs until the container stops or the signal aborts. */
export async function* streamStats(ctx: EngineContext, ref: string, opts: { signal?: AbortSignal; intervalMs?: number } = {}): AsyncGenerator<ContainerStats> {
  const rec = running(ctx, ref);
  const interval = opts.intervalMs ?? STATS_INTERVAL_MS;
  let prev: Reading;
  try {
    prev = await read(rec);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  while (!opts.signal?.aborted) {
    await sleep(interval, opts.signal);
    if (opts.signal?.aborted) return;
    let now: Reading;
    try {
      now = await read(rec);
    } catch (err) {
      if (isNotFound(err)) return;   // the container stopped: the stream ends
      throw err;
    }
    yield compute(rec, prev, now);
    prev = now;
  }
}

/** One sample of every running container, read side by side so the whole takes one interval. */
export async function allStats(ctx: EngineContext, intervalMs = STATS_INTERVAL_MS): Promise<ContainerStats[]> {
  const recs = ctx.state.listContainers().filter((c) => (c.state.status === 'running' || c.state.status === 'paused') && c.state.pid > 0);
  const results = await Promise.all(recs.map((c) => containerStats(ctx, c.config.id, intervalMs).catch(() => undefined)));
  return results.filter((s): s is ContainerStats => s !== undefined);
}
