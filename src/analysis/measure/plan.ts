// Plans a measurement: which paths (victim probe × aggressor × placement) to run, with what arguments, and in
// what seeded-random order — path order and, inside every repetition block, whether the idle baseline or the
// loaded run goes first. Pure: the same topology and options always give the same plan.
import { InvalidArgumentError } from '../../core/index.js';
import { placementProblem, placementsFor } from './placement.js';
import { seededRandom, shuffled } from './stats.js';
import type { BlockOrder, MeasureOptions, Placement, PlannedPath, ProbeContainerSpec, Topology } from './types.js';

const MiB = 1 << 20;
export const PLACEMENTS: readonly Placement[] = ['same-cpu', 'different-cpu', 'shared-pool', 'exclusive'];

/** Each resource pairs one victim probe with the aggressor that presses on that resource. */
interface ResourceProbe { probe: string; aggressor: string; victimSize?: (t: Topology) => number; aggressorSize?: (t: Topology) => number; scratch?: boolean }

export const RESOURCES: Record<string, ResourceProbe> = {
  cpu: { probe: 'work', aggressor: 'spin' },
  wake: { probe: 'wake', aggressor: 'spin' },
  'cache-l2': { probe: 'chase', aggressor: 'cache', victimSize: (t) => cacheBytes(t).l2 / 2, aggressorSize: llcSized },
  'cache-llc': { probe: 'chase', aggressor: 'cache', victimSize: (t) => chaseBeyondLlc(t), aggressorSize: llcSized },
  memory: { probe: 'chase', aggressor: 'stream', victimSize: (t) => chaseBeyondLlc(t), aggressorSize: streamSized },
  disk: { probe: 'fsync', aggressor: 'disk', scratch: true },
  net: { probe: 'rtt', aggressor: 'net' },
};

export const QUICK_PATHS = ['cpu/same-cpu', 'cpu/different-cpu', 'cpu/shared-pool', 'cpu/exclusive', 'disk/different-cpu', 'net/different-cpu'];
export const FULL_PATHS = [...QUICK_PATHS, 'wake/same-cpu', 'cache-l2/different-cpu', 'cache-llc/different-cpu', 'memory/different-cpu'];

/** Defaults for the CLI: quick keeps 5 reps of short runs to stay well under 2 minutes on 2 CPUs. */
export function defaultMeasureOptions(quick: boolean): MeasureOptions {
  return { quick, reps: 5, durationMs: quick ? 700 : 5000, intensity: 100, seed: 1 };
}

/** L2 (per core) and last-level cache sizes from the topology; fallbacks when sysfs lists no caches. */
export function cacheBytes(t: Topology): { l2: number; llc: number } {
  const unified = t.caches.filter((c) => c.type !== 'Instruction');
  const l2 = Math.max(0, ...unified.filter((c) => c.level === 2).map((c) => c.sizeBytes));
  const top = Math.max(0, ...unified.map((c) => c.level));
  const llc = Math.max(0, ...unified.filter((c) => c.level === top).map((c) => c.sizeBytes));
  return { l2: l2 || MiB, llc: llc || 32 * MiB };
}

// Some hypervisors report huge synthetic L3s (480 MiB); cap buffers so a probe never eats a real share of memory.
function clampMem(t: Topology, bytes: number, memShare: number): number {
  return Math.floor(Math.min(bytes, 1024 * MiB, t.memTotal > 0 ? t.memTotal * memShare : bytes));
}
function llcSized(t: Topology): number { return clampMem(t, cacheBytes(t).llc, 1 / 16); }
function chaseBeyondLlc(t: Topology): number { return clampMem(t, 2 * cacheBytes(t).llc, 1 / 8); }
/** STREAM footprint well beyond the LLC but ~10% of memory at most (iBench), so it presses bandwidth, not capacity. */
function streamSized(t: Topology): number { return clampMem(t, Math.max(4 * cacheBytes(t).llc, 64 * MiB), 1 / 10); }

function validate(opts: MeasureOptions, names: string[]): void {
  if (!Number.isInteger(opts.reps) || opts.reps < 5) throw new InvalidArgumentError(`reps must be an integer ≥ 5, got ${opts.reps}`);
  if (!(opts.durationMs >= 50)) throw new InvalidArgumentError(`duration must be at least 50 ms, got ${opts.durationMs}`);
  if (!Number.isInteger(opts.intensity) || opts.intensity < 1 || opts.intensity > 100) {
    throw new InvalidArgumentError(`intensity must be an integer 1-100, got ${opts.intensity}`);
  }
  for (const name of names) {
    const [resource, placement] = name.split('/');
    if (!resource || !RESOURCES[resource] || !PLACEMENTS.includes(placement as Placement)) {
      throw new InvalidArgumentError(`unknown path "${name}": use <${Object.keys(RESOURCES).join('|')}>/<${PLACEMENTS.join('|')}>`);
    }
  }
}

/** The path names to run: opts.paths, or the quick/full default. */
export function selectedPaths(opts: MeasureOptions): string[] {
  return opts.paths?.length ? opts.paths : opts.quick ? QUICK_PATHS : FULL_PATHS;
}

export function planMeasurement(topo: Topology, opts: MeasureOptions): PlannedPath[] {
  const names = selectedPaths(opts);
  validate(opts, names);
  const random = seededRandom(opts.seed);
  const planned: PlannedPath[] = [];
  for (const name of shuffled([...new Set(names)], random)) {
    const [resource, placementName] = name.split('/') as [string, Placement];
    if (placementProblem(topo, placementName)) continue;   // reported under notMeasurable instead
    const r = RESOURCES[resource]!;
    const where = placementsFor(topo, placementName);
    const scratch = r.scratch ?? false;
    const dir = scratch ? ['--dir', '/scratch'] : [];
    const victimSize = r.victimSize ? ['--size', String(Math.floor(r.victimSize(topo)))] : [];
    const aggressorSize = r.aggressorSize ? ['--size', String(Math.floor(r.aggressorSize(topo)))] : [];
    const victim: ProbeContainerSpec = {
      role: 'victim', placement: where.victim, scratch,
      argv: ['victim', r.probe, '--duration-ms', String(opts.durationMs), ...victimSize, ...dir],
    };
    // The aggressor also carries a generous deadline, so it ends by itself if the driver dies before stopping it.
    const safetyMs = opts.reps * (2 * opts.durationMs + 5000) + 60_000;
    const pooled = placementName === 'shared-pool' || placementName === 'exclusive';
    const load: ProbeContainerSpec = {
      role: 'aggressor', placement: where.aggressor, scratch,
      argv: ['aggressor', r.aggressor, '--intensity', String(opts.intensity), '--duration-ms', String(safetyMs), ...aggressorSize, ...dir,
        ...(pooled && !scratch ? ['--threads', '1'] : [])],
    };
    const loadCount = pooled && !scratch ? topo.cpus.length : 1;
    const blocks = Array.from({ length: opts.reps }, (): BlockOrder =>
      random() < 0.5 ? ['baseline', 'loaded'] : ['loaded', 'baseline']);
    planned.push({ name, resource, placement: placementName, probe: r.probe, aggressor: r.aggressor, victim, load, loadCount, blocks });
  }
  return planned;
}

/** Warm-up between starting the aggressor and starting the victim, so the victim sees steady pressure. */
export const WARMUP_MS = 200;

/**
 * Expected wall time of a plan: per block two victim runs plus one aggressor start/stop and its warm-up, each
 * container start/stop costing overheadMs (≈0.3 s through the engine).
 */
export function estimateRunTimeMs(plan: PlannedPath[], opts: MeasureOptions, overheadMs = 300): number {
  const perBlock = (p: PlannedPath) => 2 * (opts.durationMs + overheadMs) + 2 * p.loadCount * overheadMs + WARMUP_MS;
  return plan.reduce((sum, p) => sum + p.blocks.length * perBlock(p), 0);
}
