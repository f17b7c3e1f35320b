// Unit tests of the plan (seeded, deterministic, a baseline in every block, placements, quick-mode budget), of
// the not-measurable section and the renderer, on synthetic topologies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultMeasureOptions, estimateRunTimeMs, FULL_PATHS, notMeasurableOn, parseProbeOutput, planMeasurement, QUICK_PATHS, renderMeasurement,
  type MeasurementReport,
} from '../../src/analysis/measure/index.js';
import { dualSocketSmt, twoCpuVm } from './host-facts.js';

const quick = defaultMeasureOptions(true);

describe('measurement plan', () => {
  it('is seeded: same seed, same plan; another seed reorders paths or blocks', () => {
    const a = planMeasurement(twoCpuVm(), quick);
    assert.deepEqual(a, planMeasurement(twoCpuVm(), quick));
    const b = planMeasurement(twoCpuVm(), { ...quick, seed: 2 });
    assert.notDeepEqual(a.map((p) => [p.name, p.blocks]), b.map((p) => [p.name, p.blocks]));
    assert.deepEqual(a.map((p) => p.name).sort(), [...QUICK_PATHS].sort());
    assert.notDeepEqual(a.map((p) => p.name), QUICK_PATHS, 'path order should be shuffled (seed 1)');
  });

  it('has one block per rep, each with an idle baseline and a loaded run, in both orders across the plan', () => {
    const plan = planMeasurement(twoCpuVm(), { ...quick, reps: 7 });
    const orders = new Set<string>();
    for (const p of plan) {
      assert.equal(p.blocks.length, 7);
      for (const b of p.blocks) {
        assert.deepEqual([...b].sort(), ['baseline', 'loaded']);
        orders.add(b.join(','));
      }
    }
    assert.equal(orders.size, 2);
  });

  it('maps placements onto cpusets: last CPU, first CPU, unpinned, exclusive', () => {
    const byName = new Map(planMeasurement(dualSocketSmt(), { ...quick, quick: false }).map((p) => [p.name, p]));
    assert.deepEqual([byName.get('cpu/same-cpu')!.victim.placement, byName.get('cpu/same-cpu')!.load.placement], [{ cpusetCpus: '15' }, { cpusetCpus: '15' }]);
    assert.deepEqual([byName.get('cpu/different-cpu')!.victim.placement, byName.get('cpu/different-cpu')!.load.placement], [{ cpusetCpus: '15' }, { cpusetCpus: '0' }]);
    assert.deepEqual([byName.get('cpu/shared-pool')!.victim.placement, byName.get('cpu/shared-pool')!.load.placement], [{}, {}]);
    assert.deepEqual([byName.get('cpu/exclusive')!.victim.placement, byName.get('cpu/exclusive')!.load.placement], [{ exclusiveCpus: 1 }, {}]);
    assert.deepEqual(byName.get('cpu/same-cpu')!.victim.argv, ['victim', 'work', '--duration-ms', '700']);
    const disk = byName.get('disk/different-cpu')!;
    assert.ok(disk.victim.scratch && disk.load.scratch);
    assert.deepEqual(disk.victim.argv.slice(-2), ['--dir', '/scratch']);
    // Chase sizes from the caches: half an L2 (2 MiB) and twice the LLC (16 MiB).
    assert.ok(byName.get('cache-l2/different-cpu')!.victim.argv.join(' ').includes(`--size ${1 << 20}`));
    assert.ok(byName.get('cache-llc/different-cpu')!.victim.argv.join(' ').includes(`--size ${32 << 20}`));
    assert.equal(byName.size, FULL_PATHS.length);
  });

  it('quick mode fits well under 2 minutes on 2 CPUs including ~0.3 s per container start/stop', () => {
    const plan = planMeasurement(twoCpuVm(), quick);
    const ms = estimateRunTimeMs(plan, quick, 300);
    assert.ok(ms < 100_000, `quick estimate ${ms} ms`);
    assert.ok(plan.every((p) => p.blocks.length >= 5));
    const full = defaultMeasureOptions(false);
    const fullMs = estimateRunTimeMs(planMeasurement(twoCpuVm(), full), full, 300);
    assert.ok(fullMs < 15 * 60_000, `full estimate ${fullMs} ms`);
  });

  it('rejects bad options with one-line messages', () => {
    assert.throws(() => planMeasurement(twoCpuVm(), { ...quick, reps: 3 }), /reps must be an integer ≥ 5/);
    assert.throws(() => planMeasurement(twoCpuVm(), { ...quick, intensity: 0 }), /intensity must be/);
    assert.throws(() => planMeasurement(twoCpuVm(), { ...quick, paths: ['cpu/next-door'] }), /unknown path "cpu\/next-door"/);
  });

  it('drops impossible placements on one CPU and says why', () => {
    const one = { ...twoCpuVm(), cpus: [{ id: 0, core: 0, socket: 0, numa: 0 }] };
    assert.deepEqual(planMeasurement(one, quick).map((p) => p.name).sort(), ['cpu/same-cpu', 'cpu/shared-pool']);
    const nm = notMeasurableOn({ topology: one, virtualization: { kind: 'none' }, rdt: false }, QUICK_PATHS);
    assert.ok(nm.some((n) => n.what === 'path cpu/exclusive' && /one CPU/.test(n.reason)));
  });
});

describe('not measurable here', () => {
  it('lists RDT, SMT, NUMA, absolute bounds and physical LLC placement on a 2-vCPU VM', () => {
    const nm = notMeasurableOn({ topology: twoCpuVm(), virtualization: { kind: 'vm', hypervisor: 'kvm' }, rdt: false }, QUICK_PATHS);
    const whats = nm.map((n) => n.what).join('\n');
    for (const w of [/CAT\/MBA/, /SMT/, /NUMA/, /absolute latency/, /physical cache placement/, /cross-LLC/]) assert.match(whats, w);
    assert.match(nm.find((n) => n.what === 'physical cache placement')!.reason, /32 MiB L3 shared by CPUs 0-1/);
  });

  it('lists none of them on bare-metal SMT, multi-node hardware with RDT', () => {
    assert.deepEqual(notMeasurableOn({ topology: dualSocketSmt(), virtualization: { kind: 'none' }, rdt: true }, FULL_PATHS), []);
  });
});

describe('probe output and rendering', () => {
  it('parses a probe line and refuses anything else', () => {
    const s = parseProbeOutput('{"probe":"work","samples":10,"p50_us":150,"p99_us":200,"p999_us":210,"max_us":300,"mean_us":160}\n', 'work');
    assert.deepEqual(s, { samples: 10, p50: 150, p99: 200, p999: 210, max: 300, mean: 160 });
    assert.deepEqual(parseProbeOutput('{"probe":"work","samples":1,"p50_us":1,"p99_us":1,"p999_us":1,"max_us":1,"mean_us":1,"vol_ctxsw":2,"invol_ctxsw":5}', 'work').ctxSwitches, { voluntary: 2, involuntary: 5 });
    assert.throws(() => parseProbeOutput('', 'work'), /printed no JSON/);
    assert.throws(() => parseProbeOutput('{"probe":"wake","samples":1}', 'work'), /expected "work"/);
    assert.throws(() => parseProbeOutput('{"probe":"work","samples":0,"p50_us":0,"p99_us":0,"p999_us":0,"max_us":0,"mean_us":0}', 'work'), /no samples/);
  });

  it('renders numbers for measured paths and sentences for the rest', () => {
    const p = { p50: 150, p99: 4170, p999: 4300 };
    const report: MeasurementReport = {
      host: { cpus: 2, virtualization: 'vm', hypervisor: 'kvm', rdt: false, l2Bytes: 1 << 20, llcBytes: 32 << 20 },
      options: quick, elapsedMs: 1234, isolationEffect: [{ resource: 'cpu', sharedPool: 20, exclusive: 1, factor: 20 }],
      paths: [{ name: 'cpu/same-cpu', resource: 'cpu', placement: 'same-cpu', probe: 'work', aggressor: 'spin', reps: [], baseline: { p50: 150, p99: 190, p999: 300 }, loaded: p, ratio: 21.9, ci: [18, 23], verdict: 'significant', stealTicks: 3, throttling: { victim: { nrThrottled: 0, throttledUs: 0 }, aggressor: { nrThrottled: 2, throttledUs: 5000 } } }],
      notMeasurable: [{ what: 'SMT-sibling placement', reason: 'no SMT' }],
    };
    const text = renderMeasurement(report);
    assert.match(text, /^cpu\/same-cpu\s+work<-spin\s+150\/190\/300\s+150\/4170\/4300\s+21\.90x\s+\[18\.00x, 23\.00x\]\s+significant\s+3\s+2 \(5000\)$/m);
    assert.match(text, /SMT-sibling placement: not measurable here: no SMT/);
    assert.match(text, /isolation effect on cpu: .*20\.0x smaller/);
  });
});
