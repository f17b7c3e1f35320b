// Unit tests of the measurement statistics: nearest-rank percentiles, medians, the seeded bootstrap CI and the
// verdict rule at its edges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapMedianCI, median, percentile, seededRandom, shuffled, verdictFor } from '../../src/analysis/measure/index.js';

describe('measurement statistics', () => {
  it('percentile uses nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    assert.equal(percentile(v, 0.5), 50);
    assert.equal(percentile(v, 0.99), 99);
    assert.equal(percentile(v, 0.999), 100);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile([7], 0.99), 7);
    assert.ok(Number.isNaN(percentile([], 0.5)));
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    assert.equal(percentile(thousand, 0.999), 999);
  });

  it('median averages the middle pair of an even count', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('the seeded generator and shuffle are deterministic and seed-dependent', () => {
    const a = seededRandom(42), b = seededRandom(42), c = seededRandom(43);
    const xs = [a(), a(), a()];
    assert.deepEqual(xs, [b(), b(), b()]);
    assert.notDeepEqual(xs, [c(), c(), c()]);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const items = [...Array(20).keys()];
    assert.deepEqual(shuffled(items, seededRandom(7)), shuffled(items, seededRandom(7)));
    assert.deepEqual(shuffled(items, seededRandom(7)).sort((p, q) => p - q), items);
  });

  it('the bootstrap CI of the median is reproducible and brackets the median', () => {
    const ratios = [21.3, 19.8, 25.1, 1.4, 22.0];
    const ci = bootstrapMedianCI(ratios, 1);
    assert.deepEqual(ci, bootstrapMedianCI(ratios, 1));
    assert.ok(ci[0] <= median(ratios) && median(ratios) <= ci[1], `${ci}`);
    // Five reps: the 2.5% tail of resampled medians reaches the second-smallest value, not the outlier alone.
    assert.ok(ci[0] >= 1.4 && ci[0] <= 21.3, `${ci}`);
    assert.deepEqual(bootstrapMedianCI([2, 2, 2, 2, 2], 9), [2, 2]);
    // A/A-like data straddling 1 gives an interval containing 1.
    const aa = bootstrapMedianCI([0.97, 1.02, 1.05, 0.99, 1.01], 3);
    assert.ok(aa[0] <= 1 && aa[1] >= 1, `${aa}`);
  });

  it('verdict: significant only when the CI excludes 1 and the ratio is at least 1.2', () => {
    assert.equal(verdictFor(1.2, [1.01, 1.5]), 'significant');
    assert.equal(verdictFor(1.19, [1.1, 1.3]), 'not significant');   // CI excludes 1 but the effect is too small
    assert.equal(verdictFor(5, [1.0, 9]), 'not significant');        // lower bound exactly 1 does not exclude 1
    assert.equal(verdictFor(5, [0.8, 9]), 'not significant');
    assert.equal(verdictFor(0.7, [0.6, 0.9]), 'improved');
    assert.equal(verdictFor(0.95, [0.9, 1.0]), 'not significant');   // upper bound exactly 1
  });
});
