// Interference through the CLI, as a user sees it: the static graph of the running containers follows their
// allocation (an exclusive container has no CPU path, a shared volume is a path), focuses on named containers and
// renders as DOT; a quick measurement runs its probes as containers, shows the same-CPU slowdown, says what this
// host cannot measure, and leaves nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TestEngine } from '../helpers/engine-harness.js';

interface Report {
  containers: Array<{ id: string; name: string; guaranteed: boolean }>;
  resources: Array<{ id: string; shared: boolean }>;
  paths: Array<{ aggressor: string; resource: string; victim: string; reason: string }>;
  subset: { paths: Array<{ victim: string }>; omitted: number };
}

describe('interference through the CLI', () => {
  const e = new TestEngine('bh-test-interference-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('draws the paths of the running containers from their allocation, limits and volumes', () => {
    e.ok(['run', '-d', '--name', 'web', '--network', 'none', '-v', 'shared-data:/data', 'busybox', 'sleep', '600']);
    e.ok(['run', '-d', '--name', 'batch', '--network', 'none', '--cpus', '0.5', '-m', '256m', '-v', 'shared-data:/data', 'busybox', 'sleep', '600']);
    e.ok(['run', '-d', '--name', 'rt', '--network', 'none', '--cpus-exclusive', '1', '--memory-guaranteed', '64m', 'busybox', 'sleep', '600']);
    const report = JSON.parse(e.ok(['interference', '--format', 'json'])) as Report;
    const name = new Map(report.containers.map((c) => [c.id, c.name]));
    const paths = report.paths.map((p) => ({ ...p, aggressor: name.get(p.aggressor), victim: name.get(p.victim) }));
    const cpu = paths.filter((p) => p.resource.startsWith('cpu:'));
    assert.ok(cpu.some((p) => p.aggressor === 'web' && p.victim === 'batch' && /shared CPU pool/.test(p.reason)), JSON.stringify(cpu));
    assert.ok(!cpu.some((p) => p.victim === 'rt' || p.aggressor === 'rt'), 'the exclusive container shares no CPU');
    assert.ok(paths.some((p) => p.resource === 'vol:shared-data' && p.aggressor === 'batch' && p.victim === 'web'));
    assert.ok(paths.some((p) => p.resource === 'hypervisor' || p.resource === 'kernel'));
    assert.equal(report.containers.find((c) => c.name === 'rt')?.guaranteed, true);
    assert.ok(report.subset.paths.some((p) => name.get(p.victim) === 'rt'), 'a guaranteed container is always a victim in the subset');

    const focused = JSON.parse(e.ok(['interference', 'rt', '--format', 'json'])) as Report;
    const rtId = report.containers.find((c) => c.name === 'rt')!.id;
    assert.ok(focused.paths.length > 0 && focused.paths.every((p) => p.victim === rtId || p.aggressor === rtId));

    const dot = e.ok(['interference', '--format', 'dot']);
    assert.match(dot, /^digraph interference \{/);
    if (spawnSync('dot', ['-V']).status === 0) {
      const svg = spawnSync('dot', ['-Tsvg'], { input: dot });
      assert.equal(svg.status, 0, svg.stderr.toString());
      assert.match(svg.stdout.toString(), /<svg/);
    }
    assert.match(e.ok(['interference']), /RATING\s+SCORE\s+AGGRESSOR/);
  });

  it('refuses bad input with one line', () => {
    for (const [args, message] of [
      [['interference', '--format', 'svg'], /unknown format "svg"/],
      [['interference', 'no-such'], /no such container/],
      [['interference', 'measure', '--reps', '3'], /reps must be an integer ≥ 5/],
      [['interference', 'measure', '--path', 'cpu/nowhere'], /unknown path "cpu\/nowhere"/],
    ] as const) {
      const r = e.run([...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    }
    e.ok(['rm', '-f', 'web', 'batch', 'rt']);
  });

  // Two of the quick paths, the contrast that matters: the driver runs all six in the taskset-backed test
  // (test/interference/measure.test.ts), and the quick mode's run time is a figure in docs/interference.md.
  it('measures through probe containers (same and different CPU), then removes them all', () => {
    const r = e.run(['interference', 'measure', '--quick', '--path', 'cpu/same-cpu', '--path', 'cpu/different-cpu',
      '--format', 'json'], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      paths: Array<{ name: string; ratio: number; verdict: string; reps: unknown[] }>;
      notMeasurable: Array<{ what: string; reason: string }>;
    };
    assert.deepEqual(report.paths.map((p) => p.name).sort(), ['cpu/different-cpu', 'cpu/same-cpu']);
    assert.ok(report.paths.every((p) => p.reps.length === 5), 'five repetitions each');
    const same = report.paths.find((p) => p.name === 'cpu/same-cpu')!;
    assert.equal(same.verdict, 'significant', `same-cpu ratio ${same.ratio}`);
    assert.ok(report.notMeasurable.some((n) => /RDT/.test(n.reason)));
    assert.equal(e.ok(['ps', '-aq']), '', 'no probe container is left');
    const tmp = join(e.root, 'tmp');
    assert.deepEqual(readdirSync(tmp).filter((d) => d.startsWith('interference-')), []);
  });
});
