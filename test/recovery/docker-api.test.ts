// Restart policies and health checks through the Docker API with the real docker CLI: HostConfig.RestartPolicy and
// Config.Healthcheck are honoured (no longer 400s), and inspect, ps and events show them in docker's shapes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine } from '../docker/helpers.js';
import { waitFor } from '../integration/cli-checks.js';

describe('Docker API: restart policies and health checks (docker CLI)', () => {
  const e = new DockerTestEngine('bh-test-docker-recovery-');
  before(() => e.setup());
  after(() => e.cleanup());
  const inspect = (ref: string) => (JSON.parse(e.dockerOk(['inspect', ref])) as Array<Record<string, any>>)[0]!;

  it('RestartPolicy on-failure:2 restarts twice; inspect shows the policy, RestartCount and the state', async () => {
    e.dockerOk(['run', '-d', '--name', 'dk-fail', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1']);
    await waitFor(() => { const c = inspect('dk-fail'); return c.RestartCount === 2 && c.State.Status === 'exited'; }, 'two restarts', 20_000);
    const c = inspect('dk-fail');
    assert.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.deepEqual([c.State.Restarting, c.State.Running, c.State.ExitCode], [false, false, 1]);
    const r = e.docker(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--restart and --rm|restart/i);
    e.dockerOk(['update', '--restart', 'always', 'dk-fail']);
    assert.deepEqual(inspect('dk-fail').HostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
    e.dockerOk(['rm', 'dk-fail']);
  });

  it('Healthcheck from docker run flags: State.Health, Config.Healthcheck, ps "(healthy)" and health_status events', async () => {
    const since = String(Math.floor(Date.now() / 1000));
    e.dockerOk(['run', '-d', '--name', 'dk-health', '--health-cmd', 'echo probed', '--health-interval', '1s', '--health-retries', '2',
      '--health-start-period', '2s', 'busybox', 'sleep', '300']);
    await waitFor(() => inspect('dk-health').State.Health?.Status === 'healthy', 'healthy', 8000);
    const c = inspect('dk-health');
    assert.equal(c.State.Health.FailingStreak, 0);
    const last = c.State.Health.Log.at(-1);
    assert.deepEqual([last.ExitCode, last.Output], [0, 'probed\n']);
    assert.ok(Date.parse(last.End) >= Date.parse(last.Start));
    assert.deepEqual(c.Config.Healthcheck, { Test: ['CMD-SHELL', 'echo probed'], Interval: 1e9, Timeout: 30e9, StartPeriod: 2e9,
      StartInterval: 5e9, Retries: 2 });
    assert.equal(e.dockerOk(['inspect', '-f', '{{.State.Health.Status}}', 'dk-health']), 'healthy');
    assert.match(e.dockerOk(['ps', '--filter', 'name=dk-health', '--format', '{{.Status}}']), /^Up .* \(healthy\)$/);
    const events = e.dockerOk(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=dk-health',
      '--format', '{{.Action}}']);
    assert.match(events, /^health_status: healthy$/m);
    // --no-healthcheck arrives as Test ["NONE"]: no Health at all.
    e.dockerOk(['run', '-d', '--name', 'dk-nohealth', '--no-healthcheck', 'busybox', 'sleep', '300']);
    assert.equal(inspect('dk-nohealth').State.Health, undefined);
    // ps --filter health= through the API: docker's values, and "none" for a container without a check.
    const named = (filter: string) => e.dockerOk(['ps', '--filter', filter, '--filter', 'name=dk-', '--format', '{{.Names}}']).split('\n').sort();
    assert.deepEqual(named('health=healthy'), ['dk-health']);
    assert.deepEqual(named('health=none'), ['dk-nohealth']);
    assert.deepEqual(named('health=unhealthy'), ['']);
    assert.deepEqual(named('stale=1h'), [''], 'nothing has been idle for an hour');
    e.dockerOk(['rm', '-f', 'dk-health', 'dk-nohealth']);
  });

  it('a malformed Healthcheck or RestartPolicy over raw HTTP is a 400 naming the problem', async () => {
    const bad = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], Healthcheck: { Test: ['BOGUS'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /invalid health check test/);
    const policy = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } } });
    assert.equal(policy.status, 400);
    assert.match(policy.body, /maximum retry count cannot be used with/);
  });
});
