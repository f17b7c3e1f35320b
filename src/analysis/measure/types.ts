// The shapes of a dynamic interference measurement: what the driver asks the engine to run (ProbeContainerSpec,
// through a ProbeRunner the engine implements with real containers), what it plans (PlannedPath) and what it
// reports (MeasurementReport, which is also the JSON output).
import type { Topology } from '../../resources/types.js';

export type { Topology };

/** Where victim and aggressor sit relative to each other. */
export type Placement = 'same-cpu' | 'different-cpu' | 'shared-pool' | 'exclusive';

export interface ProbeContainerSpec {
  role: 'victim' | 'aggressor';
  /** cpusetCpus pins the container to a cpuset ("1", "0-1"); exclusiveCpus asks the allocator for owned CPUs. */
  placement: { cpusetCpus?: string; exclusiveCpus?: number };
  /** Arguments after the probe binary, e.g. ['victim', 'work', '--duration-ms', '800']. */
  argv: string[];
  /** Needs a writable dir on the engine's disk: the runner mounts one at /scratch (argv refers to it). */
  scratch: boolean;
}

export interface CgroupCounters { nrThrottled: number; throttledUs: number }

/** Implemented by the engine, backed by real containers; the driver never starts processes itself. */
export interface ProbeRunner {
  /** Runs a victim to completion and returns its stdout (one JSON line) and its cgroup throttling counters. */
  runVictim(spec: ProbeContainerSpec): Promise<{ stdout: string; counters: CgroupCounters }>;
  /** Starts an aggressor; stop() ends it (SIGTERM), removes the container and returns its counters. */
  startAggressor(spec: ProbeContainerSpec): Promise<{ stop(): Promise<CgroupCounters> }>;
}

export interface MeasureOptions {
  quick: boolean;
  reps: number;                  // ≥ 5
  durationMs: number;            // of each victim run
  intensity: number;             // aggressor duty cycle, 1–100
  seed: number;                  // drives the randomised order and the bootstrap
  paths?: string[];              // path names to run; default per quick/full
}

export interface HostFacts {
  topology: Topology;
  virtualization: { kind: string; hypervisor?: string };
  rdt: boolean;
  /** Cumulative steal ticks (USER_HZ) from /proc/stat. */
  readSteal(): Promise<number>;
}

/** Which half of a block runs first. */
export type BlockOrder = ['baseline', 'loaded'] | ['loaded', 'baseline'];

export interface PlannedPath {
  name: string;                  // "<resource>/<placement>", e.g. "cpu/same-cpu"
  resource: string;              // cpu, wake, cache-l2, cache-llc, memory, disk, net
  placement: Placement;
  probe: string;                 // victim probe mode
  aggressor: string;             // aggressor mode
  victim: ProbeContainerSpec;
  load: ProbeContainerSpec;      // the aggressor
  /**
   * How many aggressor containers run at once. One, except where the victim competes for a pool: there the
   * kernel gives every container (cgroup) an equal share, so one aggressor container could never take more than
   * its share; one single-threaded aggressor per host CPU keeps the pool oversubscribed, as a busy host is.
   */
  loadCount: number;
  /** One block per repetition, each with an idle baseline, in seeded-random order. */
  blocks: BlockOrder[];
}

/** One probe run's distribution as the probe prints it (microseconds). */
export interface ProbeStats {
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Context switches of the probe process, when the probe reports them (involuntary ones mean preemption). */
  ctxSwitches?: { voluntary: number; involuntary: number };
}

export interface RepResult { baseline: ProbeStats; loaded: ProbeStats; ratio: number }

export type Verdict = 'significant' | 'improved' | 'not significant';

export interface Percentiles { p50: number; p99: number; p999: number }

export interface PathResult {
  name: string;
  resource: string;
  placement: Placement;
  probe: string;
  aggressor: string;
  reps: RepResult[];
  baseline: Percentiles;         // medians over reps
  loaded: Percentiles;
  /** Median over reps of p99(loaded) / p99(baseline), with a 95% bootstrap CI of that median. */
  ratio: number;
  ci: [number, number];
  verdict: Verdict;
  stealTicks: number;            // steal accrued while the path ran
  throttling: { victim: CgroupCounters; aggressor: CgroupCounters };
}

export interface NotMeasurable { what: string; reason: string }

export interface MeasurementReport {
  host: { cpus: number; virtualization: string; hypervisor?: string; rdt: boolean; l2Bytes: number; llcBytes: number };
  options: MeasureOptions;
  paths: PathResult[];
  notMeasurable: NotMeasurable[];
  /** Per resource measured both ways: how many times smaller the slowdown is with the victim on an exclusive CPU. */
  isolationEffect: Array<{ resource: string; sharedPool: number; exclusive: number; factor: number }>;
  elapsedMs: number;
}
