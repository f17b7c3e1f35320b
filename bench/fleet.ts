// Many idle containers at once: `bulkhead run -d busybox sleep 3600` started as N concurrent CLI calls or one
// after another, the total wall time and the CPU it took, then what the containers cost in host memory while
// they idle, then `rm -f`. Two control runs split the concurrent figure into its parts: the same N containers
// started over the HTTP API with no CLI process (the daemon's share), and N concurrent `bulkhead version`
// (the CLI's share: start-up plus one API round trip).
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../src/core/index.js';
import { ok as apiOk } from './api-phases.js';
import { measureCpu } from './cpu.js';
import type { IsolatedEngine } from './isolated-engine.js';
import { fleetMemory, processMemory, type ContainerPids, type FleetMemory, type ProcMemory } from './memory.js';
import { errorLine, sleep, summarize, type Summary, type Timed } from './stats.js';

export type FleetMode = 'concurrent' | 'sequential' | 'api-concurrent';

export interface FleetResult {
  mode: FleetMode;
  containers: number;
  totalMs: number;
  perCall: Summary;
  cliCpuS: number;
  daemonCpuS: number;
  memory: FleetMemory;
  /** What each running container's files in the engine's run root (a tmpfs: memory too) take, in KiB. */
  runFilesKb: number;
  daemon: ProcMemory;
  removeMs: number;
  /** The total wall time of every round, when the figure is the median of several (medianRound). */
  roundsMs?: number[];
}

// No network, as in the target's definition (issue 2 predates networking): a bridge adds a CNI ADD per container.
const RUN_ARGS = ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'];

/** Starts one container the way the mode says; returns its id ('' on failure, with the reason). */
async function startOne(engine: IsolatedEngine, mode: FleetMode): Promise<{ id: string; ms: number; error?: string; stderr?: string }> {
  if (mode !== 'api-concurrent') {
    const r: Timed = await engine.time(RUN_ARGS);
    return r.code === 0 ? { id: r.stdout.trim(), ms: r.ms } : { id: '', ms: r.ms, error: errorLine(r.stderr, r.code), stderr: r.stderr };
  }
  const t0 = process.hrtime.bigint();
  try {
    const { id } = JSON.parse((await apiOk(engine.socket, 'POST', '/bulkhead/containers', { image: 'busybox', cmd: ['sleep', '3600'], network: 'none' })).body) as { id: string };
    try {
      await apiOk(engine.socket, 'POST', `/bulkhead/containers/${id}/start`);
    } catch (err) {
      return { id, ms: 0, error: err instanceof Error ? err.message : String(err) };
    }
    return { id, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  } catch (err) {
    return { id: '', ms: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

/** KiB in use on the filesystem of the engine's run root. */
function runRootUsedKb(engine: IsolatedEngine): number {
  const s = statfsSync(join(engine.root, 'run'));
  return ((s.blocks - s.bfree) * s.bsize) / 1024;
}

export async function runFleet(engine: IsolatedEngine, mode: FleetMode, count: number): Promise<FleetResult> {
  const usedBeforeKb = runRootUsedKb(engine);
  const t0 = process.hrtime.bigint();
  const { result: started, cliCpuS, daemonCpuS } = await measureCpu(engine.daemonPid, async () => {
    if (mode !== 'sequential') return Promise.all(Array.from({ length: count }, () => startOne(engine, mode)));
    const out = [];
    for (let i = 0; i < count; i++) out.push(await startOne(engine, mode));
    return out;
  });
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // Every id that was created is removed below, even when some failed to start.
  const ids = started.map((s) => s.id).filter(Boolean);
  try {
    const failed = started.filter((s) => s.error);
    // The whole stderr of the first failure goes to the log: a crash's stack is the evidence for a bug report.
    if (failed[0]?.stderr) process.stderr.write(`bench: stderr of the first failed call:\n${failed[0].stderr}`);
    if (failed.length) throw new EngineError('Internal', `${failed.length} of ${count} containers failed to start (${mode}): ${failed[0]!.error}`);
    await sleep(1_000); // let each conmon and sleep settle into their idle footprint
    const pids = await containerPids(engine, ids);
    const notRunning = pids.filter((p) => p.pid <= 0 || p.conmonPid <= 0).length;
    if (notRunning) throw new EngineError('StateInvalid', `${notRunning} of ${count} containers are not running after being started (${mode})`);
    const memory = fleetMemory(pids);
    const runFilesKb = (runRootUsedKb(engine) - usedBeforeKb) / count;
    const daemon = processMemory(engine.daemonPid);
    const removeMs = (await engine.ok(['rm', '-f', ...ids])).ms;
    ids.length = 0;
    return { mode, containers: count, totalMs, perCall: summarize(started.map((s) => s.ms)), cliCpuS, daemonCpuS, memory, runFilesKb, daemon, removeMs };
  } finally {
    if (ids.length) await engine.time(['rm', '-f', ...ids]);
  }
}

async function containerPids(engine: IsolatedEngine, ids: readonly string[]): Promise<ContainerPids[]> {
  const out = (await engine.ok(['inspect', '--type', 'container', ...ids])).stdout;
  const views = JSON.parse(out) as Array<{ State: { pid: number; conmonPid: number } }>;
  return views.map((v) => ({ pid: v.State.pid, conmonPid: v.State.conmonPid }));
}

/** The round with the median total time (the lower middle one of an even count), with every round's total. */
export function medianRound(results: readonly FleetResult[]): FleetResult {
  const sorted = [...results].sort((a, b) => a.totalMs - b.totalMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return results.length > 1 ? { ...median, roundsMs: results.map((r) => r.totalMs) } : median;
}

export interface CliConcurrency { calls: number; totalMs: number; cliCpuS: number; daemonCpuS: number }

/** N concurrent `bulkhead version`: what N CLI processes cost on this machine before any container work. */
export async function measureCliConcurrency(engine: IsolatedEngine, count: number): Promise<CliConcurrency> {
  const t0 = process.hrtime.bigint();
  const { cliCpuS, daemonCpuS } = await measureCpu(engine.daemonPid, () => Promise.all(Array.from({ length: count }, () => engine.ok(['version']))));
  return { calls: count, totalMs: Number(process.hrtime.bigint() - t0) / 1e6, cliCpuS, daemonCpuS };
}
