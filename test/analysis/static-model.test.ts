// Properties of the static interference model that must hold on any input, checked on the fixture hosts: every
// nonzero pair is a path, the subset covers every shared resource within its bound, and nothing depends on input
// order. Plus the specific exposure rules (exclusive CPUs, SMT siblings, I/O limits, VM vs bare metal).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/index.js';
import { analyzeInterference, renderDot, renderTable, type ContainerFacts, type InterferenceReport } from '../../src/analysis/index.js';
import { DUAL_MIXED, DUAL_SMT2_TOPOLOGY, GOLDEN_CASES, VM2_EXCLUSIVE, VM2_POOL, VM2_TOPOLOGY, kvmHost, metalHost } from './fixtures.js';

const byName = (r: InterferenceReport) => new Map(r.containers.map((c) => [c.name, c.id]));
const exposure = (r: InterferenceReport, name: string, resource: string) =>
  r.edges.find((e) => e.container === byName(r).get(name) && e.resource === resource)?.exposure;
const has = (r: InterferenceReport, a: string, resource: string, v: string) =>
  r.paths.some((p) => p.aggressor === byName(r).get(a) && p.resource === resource && p.victim === byName(r).get(v));

/** A deterministic shuffle (LCG), so a failing order can be replayed. */
function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('static interference model: properties', () => {
  for (const c of GOLDEN_CASES) {
    const r = analyzeInterference(c.host, c.containers);
    it(`${c.name}: every path rests on two nonzero edges, and every nonzero pair outside SMT cores is a path`, () => {
      const edge = new Map(r.edges.map((e) => [`${e.container}\0${e.resource}`, e.exposure]));
      for (const p of r.paths) {
        assert.ok(p.score > 0 && edge.get(`${p.aggressor}\0${p.resource}`)! > 0 && edge.get(`${p.victim}\0${p.resource}`)! > 0);
        assert.notEqual(p.aggressor, p.victim);
      }
      for (const res of r.resources.filter((x) => !x.id.startsWith('core:'))) {
        const n = res.containers.length;
        assert.equal(r.paths.filter((p) => p.resource === res.id).length, n < 2 ? 0 : n * (n - 1), res.id);
      }
    });
    it(`${c.name}: the subset covers every shared resource, within its bound, and accounts for every path`, () => {
      const shared = r.resources.filter((x) => x.shared).map((x) => x.id);
      assert.deepEqual([...new Set(r.subset.paths.map((p) => p.resource))].sort(), [...shared].sort());
      const guaranteed = r.containers.filter((x) => x.guaranteed).length;
      assert.ok(r.subset.paths.length <= shared.length * r.subset.topPerResource + guaranteed);
      assert.equal(r.subset.omitted + r.subset.paths.reduce((n, p) => n + p.represents, 0), r.paths.length);
      for (const g of r.containers.filter((x) => x.guaranteed)) {
        if (r.paths.some((p) => p.victim === g.id)) assert.ok(r.subset.paths.some((p) => p.victim === g.id), `${g.name} kept as a victim`);
      }
    });
    it(`${c.name}: the same facts in any order give the same JSON, table and DOT`, () => {
      const json = JSON.stringify(r);
      for (const seed of [1, 7, 42]) {
        const shuffled = shuffle(c.containers, seed).map((x) => ({ ...x, cpus: shuffle(x.cpus, seed) }));
        const again = analyzeInterference(c.host, shuffled);
        assert.equal(JSON.stringify(again), json);
        assert.equal(renderTable(again), renderTable(r));
        assert.equal(renderDot(again), renderDot(r));
      }
    });
  }

  it('exclusive CPUs have zero exposure and no CPU path; the cache above them is still shared', () => {
    const r = analyzeInterference(kvmHost(VM2_TOPOLOGY), VM2_EXCLUSIVE);
    assert.equal(exposure(r, 'rt', 'cpu:1'), 0);
    assert.ok(!r.paths.some((p) => p.resource === 'cpu:1'));
    assert.ok(has(r, 'web', 'cpu:0', 'batch'));
    assert.ok(has(r, 'web', 'L3:0', 'rt'), 'exclusive CPUs do not isolate the LLC');
    assert.ok(!r.paths.some((p) => p.resource.startsWith('L2:1')), 'rt owns its L2 alone');
  });

  it('SMT: a half-owned core is a path to the pool; a whole exclusive core is not', () => {
    const r = analyzeInterference(metalHost(DUAL_SMT2_TOPOLOGY), DUAL_MIXED);
    assert.equal(exposure(r, 'half', 'core:1'), 0.5);
    assert.ok(has(r, 'worker1', 'core:1', 'half'));
    assert.ok(!r.resources.some((x) => x.id === 'core:0'), 'latency owns both threads of core 0');
    assert.ok(!r.paths.some((p) => p.resource.startsWith('core:') && p.aggressor !== byName(r).get('half') && p.victim !== byName(r).get('half')),
      'pool containers on the same threads meet on the CPU, not the core');
  });

  it('CFS quota, memory limits, I/O limits and read-only volumes scale exposure as documented', () => {
    const r = analyzeInterference(kvmHost(VM2_TOPOLOGY), VM2_POOL);
    assert.equal(exposure(r, 'batch', 'cpu:0-1'), 0.25);
    assert.deepEqual(['web', 'db', 'batch'].map((n) => exposure(r, n, 'mem:host')), [1, 0.2, 0.2]);
    assert.deepEqual(['web', 'db', 'batch'].map((n) => exposure(r, n, 'blk:254:0')), [1, 1, 0.5]);
    assert.deepEqual(['db', 'batch'].map((n) => exposure(r, n, 'vol:data')), [1, 0.3]);
    const p = r.paths.find((x) => x.resource === 'blk:254:0' && x.aggressor === byName(r).get('web') && x.victim === byName(r).get('db'))!;
    assert.deepEqual([p.rating, p.reason], ['high', 'same block device, no I/O limit']);
    assert.equal(r.paths.find((x) => x.resource === 'cpu:0-1' && x.victim === byName(r).get('web'))!.reason.startsWith('both in the shared CPU pool'), true);
  });

  it('memory limits that overcommit the host raise exposure', () => {
    const big = VM2_POOL.map((c) => ({ ...c, memoryLimit: 20 * 1024 ** 3 }));
    assert.equal(exposure(analyzeInterference(kvmHost(VM2_TOPOLOGY), big), 'web', 'mem:host'), 0.6);
  });

  it('the hypervisor is a resource only on a VM; the kernel always', () => {
    const vm = analyzeInterference(kvmHost(VM2_TOPOLOGY), VM2_POOL);
    const metal = analyzeInterference(metalHost(VM2_TOPOLOGY), VM2_POOL);
    assert.ok(vm.resources.some((x) => x.id === 'hypervisor') && vm.notes.some((n) => /timings have no absolute bound/.test(n)));
    assert.ok(!metal.resources.some((x) => x.id === 'hypervisor') && !metal.notes.some((n) => /hypervisor/.test(n)));
    assert.ok(metal.resources.some((x) => x.id === 'kernel'));
    assert.ok(analyzeInterference(metalHost(VM2_TOPOLOGY, true), VM2_POOL).notes.some((n) => /Intel RDT is available/.test(n)));
  });

  it('focus keeps only paths touching the named containers, and rejects unknown names', () => {
    const r = analyzeInterference(metalHost(DUAL_SMT2_TOPOLOGY), DUAL_MIXED, { focus: ['latency'], topPerResource: 1 });
    const id = byName(r).get('latency');
    assert.ok(r.paths.length > 0 && r.paths.every((p) => p.aggressor === id || p.victim === id));
    assert.ok(r.subset.paths.every((p) => p.aggressor === id || p.victim === id));
    assert.throws(() => analyzeInterference(kvmHost(VM2_TOPOLOGY), VM2_POOL, { focus: ['nope'] }),
      (e: unknown) => e instanceof InvalidArgumentError && /no container "nope"/.test(e.message));
  });

  it('bad facts give one-line errors; a conflicting "exclusive" cpuset is noted, not hidden', () => {
    const dup: ContainerFacts[] = [VM2_POOL[0]!, VM2_POOL[0]!];
    assert.throws(() => analyzeInterference(kvmHost(VM2_TOPOLOGY), dup), /listed twice/);
    assert.throws(() => analyzeInterference(kvmHost(VM2_TOPOLOGY), VM2_POOL, { topPerResource: 0 }), InvalidArgumentError);
    const clash = [{ ...VM2_EXCLUSIVE[0]!, cpus: [0] }, VM2_EXCLUSIVE[1]!];
    const r = analyzeInterference(kvmHost(VM2_TOPOLOGY), clash);
    assert.ok(r.notes.some((n) => /cpu 0 is exclusive to rt but also in the cpuset of web/.test(n)));
    assert.ok(has(r, 'web', 'cpu:0', 'rt'));
  });

  it('a single container, or none, has no paths', () => {
    const r = analyzeInterference(kvmHost(VM2_TOPOLOGY), [VM2_POOL[0]!]);
    assert.deepEqual([r.paths.length, r.subset.paths.length, r.subset.omitted], [0, 0, 0]);
    assert.match(renderTable(r), /no interference paths/);
    assert.equal(analyzeInterference(kvmHost(VM2_TOPOLOGY), []).paths.length, 0);
  });
});
