// Health checks through the CLI, on real containers: healthy then unhealthy with the streak and log in inspect, the
// status in ps and its filter, health_status events; the timeout; the start period; --health-on-failure's actions;
// an image's HEALTHCHECK and --no-healthcheck; one-line errors for bad flags.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError, waitFor } from '../integration/cli-checks.js';
import { eventsOf, nowSeconds, record, sleep } from './helpers.js';

describe('health checks (CLI)', () => {
  const e = new TestEngine('bh-test-health-');
  before(() => e.setup());
  after(() => e.cleanup());
  const health = (ref: string) => record(e, ref).State.health;

  it('becomes healthy, then unhealthy after retries failures: inspect, ps, its filter and events', async () => {
    const since = nowSeconds();
    e.ok(['run', '-d', '--name', 'hc-file', '--health-cmd', 'cat /tmp/ok', '--health-interval', '1s', '--health-retries', '2',
      'busybox', 'sh', '-c', 'echo fine > /tmp/ok; exec sleep 300']);
    assert.equal(health('hc-file')?.status, 'starting');
    assert.match(e.ok(['ps']), /Up .*\(health: starting\)\s+hc-file/);
    await waitFor(() => health('hc-file')?.status === 'healthy', 'healthy', 8000);
    assert.match(e.ok(['ps']), /Up .*\(healthy\)\s+hc-file/);
    const ok = health('hc-file')!;
    assert.deepEqual([ok.failingStreak, ok.log.at(-1)!.exitCode, ok.log.at(-1)!.output], [0, 0, 'fine\n']);
    e.ok(['exec', 'hc-file', 'rm', '/tmp/ok']);
    await waitFor(() => health('hc-file')?.status === 'unhealthy', 'unhealthy', 8000);
    const bad = health('hc-file')!;
    assert.ok(bad.failingStreak >= 2, `streak ${bad.failingStreak}`);
    assert.equal(bad.log.at(-1)!.exitCode, 1);
    assert.match(bad.log.at(-1)!.output, /No such file/);
    assert.ok(bad.log.length <= 5);
    assert.equal(record(e, 'hc-file').State.status, 'running', 'no --health-on-failure: it keeps running');
    assert.match(e.ok(['ps', '--filter', 'health=unhealthy']), /hc-file/);
    assert.doesNotMatch(e.ok(['ps', '--filter', 'health=healthy']), /hc-file/);
    const actions = eventsOf(e, 'hc-file', since).map((x) => x.action).filter((a) => a.startsWith('health_status'));
    assert.deepEqual(actions, ['health_status: healthy', 'health_status: unhealthy']);
  });

  it('a probe past its timeout fails with exit code -1 and its process is killed', async () => {
    e.ok(['run', '-d', '--name', 'hc-slow', '--health-cmd', 'sleep 67', '--health-timeout', '500ms', '--health-interval', '1s',
      '--health-retries', '1', 'busybox', 'sleep', '300']);
    await waitFor(() => health('hc-slow')?.status === 'unhealthy', 'unhealthy', 8000);
    const last = health('hc-slow')!.log.at(-1)!;
    assert.equal(last.exitCode, -1);
    assert.match(last.output, /Health check exceeded timeout \(500ms\)/);
    // The timed-out probe is gone; a new one may have started since, but never more than one at a time.
    const probes = e.ok(['top', 'hc-slow']).split('\n').filter((l) => /sleep 67/.test(l));
    assert.ok(probes.length <= 1, `probes still running:\n${probes.join('\n')}`);
  });

  it('failures inside the start period do not count while starting', async () => {
    e.ok(['run', '-d', '--name', 'hc-start', '--health-cmd', 'false', '--health-interval', '1s', '--health-start-period', '4s',
      '--health-start-interval', '1s', '--health-retries', '1', 'busybox', 'sleep', '300']);
    await waitFor(() => (health('hc-start')?.log.length ?? 0) >= 2, 'two probes', 8000);
    const early = health('hc-start')!;
    assert.deepEqual([early.status, early.failingStreak], ['starting', 0]);
    await waitFor(() => health('hc-start')?.status === 'unhealthy', 'unhealthy after the start period', 10_000);
  });

  it('--health-on-failure: stop stops it (policy suspended), kill lets the restart policy act, restart restarts it', async () => {
    const failing = ['--health-cmd', 'false', '--health-interval', '1s', '--health-retries', '1'];
    e.ok(['run', '-d', '--name', 'hc-stop', ...failing, '--health-on-failure', 'stop', '--restart', 'always', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'hc-kill', ...failing, '--health-on-failure', 'kill', '--restart', 'always', 'busybox', 'sleep', '300']);
    const since = nowSeconds();
    e.ok(['run', '-d', '--name', 'hc-restart', ...failing, '--health-on-failure', 'restart', 'busybox', 'sleep', '300']);
    await waitFor(() => record(e, 'hc-stop').State.status === 'exited', 'hc-stop stopped', 15_000);
    await sleep(500);
    const stopped = record(e, 'hc-stop').State;
    assert.deepEqual([stopped.status, stopped.manuallyStopped, stopped.restartCount], ['exited', true, 0]);
    await waitFor(() => record(e, 'hc-kill').State.restartCount >= 1, 'hc-kill restarted by its policy', 15_000);
    await waitFor(() => eventsOf(e, 'hc-restart', since).filter((x) => x.action === 'start').length >= 2, 'hc-restart restarted', 15_000);
    assert.equal(record(e, 'hc-restart').State.status, 'running');
    assertOneLineError(e.run(['create', ...failing, '--health-on-failure', 'restart', '--restart', 'always', 'busybox', 'true']),
      /--health-on-failure=restart cannot be used with a --restart policy/, 125);
    e.ok(['rm', '-f', 'hc-stop', 'hc-kill', 'hc-restart']);
  });

  it("honours the image's HEALTHCHECK, which --no-healthcheck disables; bad flags fail in one line", async () => {
    const ctx = join(e.dir, 'hc-image');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Containerfile'), 'FROM busybox\nHEALTHCHECK --interval=1s --retries=1 CMD test -d /proc\nCMD ["sleep", "300"]\n');
    e.ok(['build', '-q', '-t', 'bh-hc-image', ctx]);
    e.ok(['run', '-d', '--name', 'hc-img', 'bh-hc-image']);
    const cfg = record(e, 'hc-img').Config.healthcheck!;
    assert.deepEqual([cfg.test, cfg.intervalMs, cfg.retries], [['CMD-SHELL', 'test -d /proc'], 1000, 1]);
    await waitFor(() => health('hc-img')?.status === 'healthy', 'healthy from the image check', 8000);
    e.ok(['run', '-d', '--name', 'hc-off', '--no-healthcheck', 'bh-hc-image']);
    const off = record(e, 'hc-off');
    assert.equal(off.Config.healthcheck, undefined);
    assert.equal(off.State.health, undefined);
    assert.doesNotMatch(off.Status, /health/);
    assertOneLineError(e.run(['create', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'true']), /--no-healthcheck conflicts/, 125);
    assertOneLineError(e.run(['create', '--health-cmd', 'true', '--health-on-failure', 'explode', 'busybox', 'true']), /invalid --health-on-failure "explode"/, 125);
    assertOneLineError(e.run(['create', '--health-cmd', 'true', '--health-interval', 'soon', 'busybox', 'true']), /--health-interval/, 125);
    assertOneLineError(e.run(['create', '--health-cmd', 'true', '--health-retries', '-1', 'busybox', 'true']), /--health-retries/, 125);
    e.ok(['rm', '-f', 'hc-img', 'hc-off']);
  });
});
