// The statistics of the measurement protocol: percentiles, medians, a seeded generator for the randomised order
// and the bootstrap, the bootstrap CI of a median, and the verdict rule. Seeded so that a report is reproducible
// from its options alone.

import type { Verdict } from './types.js';

/** mulberry32: a tiny, well-distributed 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Nearest-rank percentile (q in [0, 1]), the same rule the probe uses: the smallest value with ≥ q of the data at or below it. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9)));
  return sorted[rank - 1]!;
}

/** The middle value, averaging the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Percentile-bootstrap 95% confidence interval of the median: resample the reps with replacement, take each
 * resample's median, and return the 2.5th and 97.5th percentiles of those medians.
 */
export function bootstrapMedianCI(values: readonly number[], seed: number, resamples = 2000): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  const random = seededRandom(seed);
  const medians = new Array<number>(resamples);
  const draw = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) draw[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = median(draw);
  }
  return [percentile(medians, 0.025), percentile(medians, 0.975)];
}

/** Smallest slowdown worth calling interference, however tight the interval. */
export const SIGNIFICANT_RATIO = 1.2;

/** significant: the CI excludes 1 from above and the effect is ≥ 1.2×; improved: the whole CI is below 1. */
export function verdictFor(ratio: number, ci: [number, number]): Verdict {
  if (ci[0] > 1 && ratio >= SIGNIFICANT_RATIO) return 'significant';
  if (ci[1] < 1) return 'improved';
  return 'not significant';
}

/** loaded / baseline, with the baseline floored at 1 ns so an empty or zero baseline cannot divide by zero. */
export function slowdown(loaded: number, baseline: number): number {
  return loaded / Math.max(baseline, 0.001);
}
