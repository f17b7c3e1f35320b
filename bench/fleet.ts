// Many idle containers at once: `bulkhead run -d busybox sleep 3600` started as N concurrent CLI calls or one
// after another, the total wall time, then what they cost in host memory while they idle, then `rm -f`.
import { EngineError } from '../src/core/index.js';
import type { IsolatedEngine } from './isolated-engine.js';
import { fleetMemory, processMemory, type ContainerPids, type FleetMemory, type ProcMemory } from './memory.js';
import { sleep, summarize, type Summary, type Timed } from './stats.js';

export interface FleetResult {
  mode: 'concurrent' | 'sequential';
  containers: number;
  totalMs: number;
  perCall: Summary;
  memory: FleetMemory;
  daemon: ProcMemory;
  removeMs: number;
}

const RUN_ARGS = ['run', '-d', 'busybox', 'sleep', '3600'];

function idOf(r: Timed): string {
  if (r.code !== 0) throw new EngineError('Internal', `bulkhead ${RUN_ARGS.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return r.stdout.trim();
}

export async function runFleet(engine: IsolatedEngine, mode: FleetResult['mode'], count: number): Promise<FleetResult> {
  const started: Timed[] = [];
  const t0 = process.hrtime.bigint();
  if (mode === 'concurrent') {
    started.push(...(await Promise.all(Array.from({ length: count }, () => engine.time(RUN_ARGS)))));
  } else {
    for (let i = 0; i < count; i++) started.push(await engine.time(RUN_ARGS));
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // Record every id that did start before judging failures, so that the removal below still covers them.
  const ids = started.filter((r) => r.code === 0).map((r) => r.stdout.trim()).filter(Boolean);
  try {
    started.forEach(idOf);
    await sleep(1_000); // let each conmon and sleep settle into their idle footprint
    const pids = await containerPids(engine, ids);
    const notRunning = pids.filter((p) => p.pid <= 0 || p.conmonPid <= 0).length;
    if (notRunning) throw new EngineError('StateInvalid', `${notRunning} of ${count} containers are not running after run -d`);
    const memory = fleetMemory(pids);
    const daemon = processMemory(engine.daemonPid);
    const removeMs = (await engine.ok(['rm', '-f', ...ids])).ms;
    ids.length = 0;
    return { mode, containers: count, totalMs, perCall: summarize(started.map((r) => r.ms)), memory, daemon, removeMs };
  } finally {
    if (ids.length) await engine.time(['rm', '-f', ...ids]);
  }
}

async function containerPids(engine: IsolatedEngine, ids: readonly string[]): Promise<ContainerPids[]> {
  const out = (await engine.ok(['inspect', '--type', 'container', ...ids])).stdout;
  const views = JSON.parse(out) as Array<{ State: { pid: number; conmonPid: number } }>;
  return views.map((v) => ({ pid: v.State.pid, conmonPid: v.State.conmonPid }));
}
