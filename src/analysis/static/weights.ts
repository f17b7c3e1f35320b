// The numbers of the static model, in one place. They start from the research anchors (§4 of
// interference-anchors.md) and are deliberately coarse: the static analysis ranks paths, it does not predict
// slowdowns; the measurement command replaces them with observed ratios.
//
// Edge exposure w(c,r) ∈ [0,1], per container and resource:
//   cpu        1 in the shared pool (× quota factor); 0 on CPUs owned exclusively
//   core       0.5 on a physical core whose other threads serve another container (SMT sibling)
//   cache, numa 1 when the cpuset overlaps the cache's / node's CPUs (× quota factor); no CAT scaling is modelled
//   memory     1 unlimited; 0.2 limited (or guaranteed) while all limits fit in host memory; 0.6 when they overcommit
//   block      1 same device with no I/O limit; 0.5 when I/O-limited (io.max / blkio throttle)
//   network    1 on the same bridge, or on the host network
//   volume     1 read-write; 0.3 read-only (it can still be a victim of a writer)
//   kernel     0.1 for everyone; hypervisor 1 for everyone when the host is a VM
// quota factor = min(1, quota / |cpuset|): a container capped at q CPUs presses (and is pressed) on its set
// only that much.
//
// Severity sev(r) scales a path by how hard the resource hurt in the pilot on a 2-vCPU KVM guest: a same-CPU
// hog slowed work ~21×, a disk writer fsync ~17–28×, a loopback flood RTT ~1.4×, LLC chases +3–7%.
// Path score = w(a,r) · w(v,r) · sev(r); rating high ≥ 0.5, medium ≥ 0.15, low otherwise (but > 0).
import type { Rating, ResourceKind } from './types.js';

export const EXPOSURE = {
  cpuShared: 1,
  cpuExclusive: 0,
  smtSibling: 0.5,
  cacheOverlap: 1,
  numaOverlap: 1,
  memUnlimited: 1,
  memLimitedFits: 0.2,
  memLimitedOvercommitted: 0.6,
  blkUnlimited: 1,
  blkLimited: 0.5,
  network: 1,
  volumeRw: 1,
  volumeRo: 0.3,
  kernel: 0.1,
  hypervisor: 1,
} as const;

export const SEVERITY: Record<ResourceKind, number> = {
  cpu: 1,
  core: 0.6,
  cache: 0.3,
  numa: 0.3,
  memory: 0.6,
  block: 1,
  network: 0.4,
  volume: 0.5,
  kernel: 1,
  hypervisor: 0.3,
};

export const RATING_THRESHOLDS = { high: 0.5, medium: 0.15 } as const;

export function rate(score: number): Rating {
  if (score >= RATING_THRESHOLDS.high) return 'high';
  return score >= RATING_THRESHOLDS.medium ? 'medium' : 'low';
}

/** Four decimals, so floating-point noise never changes a golden file or a tie-break. */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function quotaFactor(quota: number | undefined, cpuCount: number): number {
  if (quota === undefined || cpuCount === 0) return 1;
  return Math.min(1, quota / cpuCount);
}

/** Resource display/sort order: hardware from the innermost outwards, then I/O, then what everyone shares. */
export const KIND_ORDER: ResourceKind[] = ['cpu', 'core', 'cache', 'numa', 'memory', 'block', 'network', 'volume', 'kernel', 'hypervisor'];
