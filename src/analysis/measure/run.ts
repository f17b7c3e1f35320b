// Runs a planned measurement through a ProbeRunner (the engine's containers): for every path and repetition one
// block of an idle baseline and a loaded run, in the plan's seeded order, then summarises each path as the median
// p99 slowdown with a bootstrap CI and a verdict. Steal ticks and cgroup throttling are recorded beside.
import { wrap } from '../../core/index.js';
import { notMeasurableOn } from './not-measurable.js';
import { cacheBytes, planMeasurement, selectedPaths, WARMUP_MS } from './plan.js';
import { parseProbeOutput } from './probe-output.js';
import { bootstrapMedianCI, median, slowdown, verdictFor } from './stats.js';
import type {
  CgroupCounters, HostFacts, MeasureOptions, MeasurementReport, PathResult, PlannedPath, ProbeRunner, ProbeStats, RepResult,
} from './types.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const addCounters = (a: CgroupCounters, b: CgroupCounters): CgroupCounters =>
  ({ nrThrottled: a.nrThrottled + b.nrThrottled, throttledUs: a.throttledUs + b.throttledUs });
const zero = (): CgroupCounters => ({ nrThrottled: 0, throttledUs: 0 });

/** A stable per-path bootstrap seed, so adding or reordering paths does not change another path's CI. */
function pathSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

interface Throttling { victim: CgroupCounters; aggressor: CgroupCounters }

async function runVictim(runner: ProbeRunner, path: PlannedPath, t: Throttling): Promise<ProbeStats> {
  const { stdout, counters } = await runner.runVictim(path.victim);
  t.victim = addCounters(t.victim, counters);
  return parseProbeOutput(stdout, path.probe);
}

/** Aggressors first, a warm-up, then the victim; the aggressors are stopped whatever happens to the victim. */
async function runLoaded(runner: ProbeRunner, path: PlannedPath, t: Throttling): Promise<ProbeStats> {
  const aggressors: Array<{ stop(): Promise<CgroupCounters> }> = [];
  let result: ProbeStats | undefined;
  let failure: unknown;
  try {
    for (let i = 0; i < path.loadCount; i++) aggressors.push(await runner.startAggressor(path.load));
    await sleep(WARMUP_MS);
    result = await runVictim(runner, path, t);
  } catch (err) {
    failure = err;
  }
  for (const a of aggressors) t.aggressor = addCounters(t.aggressor, await a.stop());
  if (failure !== undefined || !result) throw failure;
  return result;
}

function summarise(path: PlannedPath, reps: RepResult[], seed: number, stealTicks: number, t: Throttling): PathResult {
  const ratios = reps.map((r) => r.ratio);
  const ratio = median(ratios);
  const ci = bootstrapMedianCI(ratios, pathSeed(seed, path.name));
  const medianOf = (side: 'baseline' | 'loaded') => ({
    p50: median(reps.map((r) => r[side].p50)),
    p99: median(reps.map((r) => r[side].p99)),
    p999: median(reps.map((r) => r[side].p999)),
  });
  return {
    name: path.name, resource: path.resource, placement: path.placement, probe: path.probe, aggressor: path.aggressor,
    reps, baseline: medianOf('baseline'), loaded: medianOf('loaded'), ratio, ci, verdict: verdictFor(ratio, ci),
    stealTicks, throttling: t,
  };
}

/** Slowdown in the shared pool divided by slowdown on an exclusive CPU, for each resource measured both ways. */
function isolationEffect(results: PathResult[]): MeasurementReport['isolationEffect'] {
  const out: MeasurementReport['isolationEffect'] = [];
  for (const shared of results.filter((r) => r.placement === 'shared-pool')) {
    const excl = results.find((r) => r.resource === shared.resource && r.placement === 'exclusive');
    if (excl) out.push({ resource: shared.resource, sharedPool: shared.ratio, exclusive: excl.ratio, factor: shared.ratio / excl.ratio });
  }
  return out;
}

export async function runMeasurement(
  runner: ProbeRunner, host: HostFacts, opts: MeasureOptions, progress?: (line: string) => void,
): Promise<MeasurementReport> {
  const started = Date.now();
  const plan = planMeasurement(host.topology, opts);
  const results: PathResult[] = [];
  for (const path of plan) {
    const stealBefore = await host.readSteal();
    const throttling: Throttling = { victim: zero(), aggressor: zero() };
    const reps: RepResult[] = [];
    for (const [i, order] of path.blocks.entries()) {
      const got: { baseline?: ProbeStats; loaded?: ProbeStats } = {};
      for (const half of order) {
        try {
          got[half] = half === 'baseline' ? await runVictim(runner, path, throttling) : await runLoaded(runner, path, throttling);
        } catch (err) {
          throw wrap(err, `interference path ${path.name}, rep ${i + 1} (${half})`);
        }
      }
      const rep = { baseline: got.baseline!, loaded: got.loaded!, ratio: slowdown(got.loaded!.p99, got.baseline!.p99) };
      reps.push(rep);
      progress?.(`${path.name} rep ${i + 1}/${path.blocks.length}: p99 ${rep.baseline.p99.toFixed(1)} µs idle, `
        + `${rep.loaded.p99.toFixed(1)} µs loaded (×${rep.ratio.toFixed(2)})`);
    }
    const steal = Math.max(0, (await host.readSteal()) - stealBefore);
    results.push(summarise(path, reps, opts.seed, steal, throttling));
  }
  const caches = cacheBytes(host.topology);
  return {
    host: {
      cpus: host.topology.cpus.length, virtualization: host.virtualization.kind, hypervisor: host.virtualization.hypervisor,
      rdt: host.rdt, l2Bytes: caches.l2, llcBytes: caches.llc,
    },
    options: { ...opts, paths: selectedPaths(opts) },
    paths: results.sort((a, b) => a.name.localeCompare(b.name)),
    notMeasurable: notMeasurableOn(host, selectedPaths(opts)),
    isolationEffect: isolationEffect(results),
    elapsedMs: Date.now() - started,
  };
}
