// analysis/measure: the dynamic half of interference analysis. It plans and runs victim/aggressor probe pairs
// (native/probe.c) in chosen placements through a ProbeRunner that the engine implements with real containers,
// with an idle baseline in every repetition block and seeded-random order, and reports per path the p50/p99/p99.9
// under load and idle, the median p99 slowdown with a 95% bootstrap CI and a verdict, steal and cgroup throttling
// beside, and — as sentences, never numbers — what this host cannot isolate or measure. It starts no process
// itself and imports nothing above the domain layer.
export * from './types.js';
export { planMeasurement, estimateRunTimeMs, defaultMeasureOptions, cacheBytes, QUICK_PATHS, FULL_PATHS, PLACEMENTS, RESOURCES, WARMUP_MS } from './plan.js';
export { placementsFor, placementProblem } from './placement.js';
export { notMeasurableOn, isVirtualMachine } from './not-measurable.js';
export { parseProbeOutput } from './probe-output.js';
export { runMeasurement } from './run.js';
export { renderMeasurement } from './render.js';
export { percentile, median, bootstrapMedianCI, verdictFor, seededRandom, shuffled, SIGNIFICANT_RATIO } from './stats.js';
