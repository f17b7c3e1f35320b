// Restart policies through the CLI, on real containers: on-failure with its maximum and back-off (measured from the
// engine's events), always with a manual stop and start, kill as a manual stop, refused combinations, and what comes
// back when the engine starts again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError, waitFor } from '../integration/cli-checks.js';
import { eventsOf, nowSeconds, record, sleep } from './helpers.js';

describe('restart policies (CLI)', () => {
  const e = new TestEngine('bh-test-restart-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('on-failure:2 restarts a failing container twice, 100 ms then 200 ms apart at least, then leaves it exited', async () => {
    const since = nowSeconds();
    e.ok(['run', '-d', '--name', 'rp-fail', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
    await waitFor(() => { const c = record(e, 'rp-fail'); return c.State.restartCount === 2 && c.State.status === 'exited' && !c.State.restarting; },
      'two restarts then exited', 20_000);
    await sleep(800); // a third restart would come 400 ms later
    const c = record(e, 'rp-fail');
    assert.equal(c.State.status, 'exited');
    assert.equal(c.State.exitCode, 3);
    assert.match(c.Status, /^Exited \(3\)/);
    assert.deepEqual(c.Config.restartPolicy, { name: 'on-failure', maximumRetryCount: 2 });
    const events = eventsOf(e, 'rp-fail', since);
    const starts = events.filter((x) => x.action === 'start').map((x) => x.timeNano / 1e6);
    const dies = events.filter((x) => x.action === 'die').map((x) => x.timeNano / 1e6);
    assert.equal(starts.length, 3, `starts: ${events.map((x) => x.action).join(' ')}`);
    assert.equal(dies.length, 3);
    const gaps = [starts[1]! - dies[0]!, starts[2]! - dies[1]!];
    assert.ok(gaps[0]! >= 100 && gaps[0]! < 5000, `first back-off ${gaps[0]} ms`);
    assert.ok(gaps[1]! >= 200 && gaps[1]! < 5000, `second back-off ${gaps[1]} ms`);
  });

  it('on-failure leaves a clean exit alone', async () => {
    e.ok(['run', '-d', '--name', 'rp-clean', '--restart', 'on-failure', 'busybox', 'true']);
    await waitFor(() => record(e, 'rp-clean').State.status === 'exited', 'exit');
    await sleep(500);
    const c = record(e, 'rp-clean');
    assert.deepEqual([c.State.status, c.State.restartCount, c.State.restarting ?? false], ['exited', 0, false]);
  });

  it('update --restart changes the policy from the next exit on, and refuses it on a --rm container', async () => {
    e.ok(['create', '--name', 'rp-upd', 'busybox', 'sh', '-c', 'exit 3']);
    e.ok(['update', '--restart', 'on-failure:1', 'rp-upd']);
    assert.deepEqual(record(e, 'rp-upd').Config.restartPolicy, { name: 'on-failure', maximumRetryCount: 1 });
    e.ok(['start', 'rp-upd']);
    await waitFor(() => { const c = record(e, 'rp-upd'); return c.State.restartCount === 1 && c.State.status === 'exited' && !c.State.restarting; }, 'one restart');
    e.ok(['update', '--restart', 'no', 'rp-upd']);
    assert.equal(record(e, 'rp-upd').Config.restartPolicy, undefined);
    e.ok(['create', '--name', 'rp-rm', '--rm', 'busybox', 'true']);
    assertOneLineError(e.run(['update', '--restart', 'always', 'rp-rm']), /--restart cannot be given to a container started with --rm/);
    assertOneLineError(e.run(['update', '--restart', 'sometimes', 'rp-upd']), /invalid restart policy "sometimes"/);
    e.ok(['rm', 'rp-upd', 'rp-rm']);
  });

  it('always restarts clean exits; stop suspends it, start resumes it with the count reset', async () => {
    e.ok(['run', '-d', '--name', 'rp-always', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1']);
    await waitFor(() => record(e, 'rp-always').State.restartCount >= 2, 'two restarts', 20_000);
    assert.match(e.ok(['ps']), /rp-always/, 'ps without -a lists a container under a restart policy');
    e.ok(['stop', '-t', '1', 'rp-always']);
    const stopped = record(e, 'rp-always');
    assert.equal(stopped.State.status, 'exited');
    assert.equal(stopped.State.manuallyStopped, true);
    const since = nowSeconds();
    await sleep(1500);
    assert.equal(record(e, 'rp-always').State.status, 'exited', 'a stopped container must stay stopped');
    assert.equal(eventsOf(e, 'rp-always', since).filter((x) => x.action === 'start').length, 0);
    e.ok(['start', 'rp-always']);
    const started = record(e, 'rp-always');
    assert.deepEqual([started.State.status, started.State.restartCount, started.State.manuallyStopped], ['running', 0, false]);
    await waitFor(() => record(e, 'rp-always').State.restartCount >= 1, 'restarting again after a manual start', 10_000);
  });

  it('kill counts as a manual stop; unless-stopped is suspended the same way', async () => {
    e.ok(['run', '-d', '--name', 'rp-kill', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
    e.ok(['kill', 'rp-kill']);
    await waitFor(() => record(e, 'rp-kill').State.status === 'exited', 'exit');
    await sleep(700);
    const c = record(e, 'rp-kill');
    assert.deepEqual([c.State.status, c.State.restartCount, c.State.manuallyStopped], ['exited', 0, true]);
  });

  it('refuses --restart with --rm and malformed policies, in one line', () => {
    assertOneLineError(e.run(['run', '--rm', '--restart', 'always', 'busybox', 'true']), /--restart and --rm/, 125);
    assertOneLineError(e.run(['create', '--restart', 'sometimes', 'busybox', 'true']), /invalid restart policy "sometimes"/, 125);
    assertOneLineError(e.run(['create', '--restart', 'always:3', 'busybox', 'true']), /cannot be used with "always"/, 125);
    assertOneLineError(e.run(['create', '--restart', 'on-failure:x', 'busybox', 'true']), /invalid restart policy/, 125);
  });

  it('at engine start: always comes back after a stop, unless-stopped stays stopped, exits while down are restarted', async () => {
    e.ok(['run', '-d', '--name', 'rb-always', '--restart', 'always', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'rb-unless', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
    e.ok(['stop', '-t', '1', 'rb-always', 'rb-unless']);
    // These two exit while the daemon is down: reconcile records the exits, the policies bring them back.
    // (The first run ends after 2 s; a restarted one keeps running, so the check below cannot race its next exit.)
    const onceThenStay = (code: number) => `test -f /ran && exec sleep 300; touch /ran; sleep 2; exit ${code}`;
    e.ok(['run', '-d', '--name', 'rb-fail', '--restart', 'on-failure:5', 'busybox', 'sh', '-c', onceThenStay(4)]);
    e.ok(['run', '-d', '--name', 'rb-unless-run', '--restart', 'unless-stopped', 'busybox', 'sh', '-c', onceThenStay(0)]);
    await e.killDaemon('SIGKILL');
    await sleep(3000);
    await e.startDaemon();
    const state = (n: string) => record(e, n).State;
    assert.equal(state('rb-always').status, 'running');
    assert.equal(state('rb-unless').status, 'exited');
    assert.equal(state('rb-unless').manuallyStopped, true);
    assert.deepEqual([state('rb-fail').status, state('rb-fail').restartCount], ['running', 1]);
    assert.deepEqual([state('rb-unless-run').status, state('rb-unless-run').restartCount], ['running', 1]);
    e.ok(['rm', '-f', 'rb-always', 'rb-unless', 'rb-fail', 'rb-unless-run']);
  });
});
