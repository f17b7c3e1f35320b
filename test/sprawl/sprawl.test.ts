// Sprawl control through the CLI: prune filters (until=, label=, label!=) on containers, volumes, networks and
// images; quotas from the daemon config (containers, running containers, guaranteed memory) refused with one line
// naming the quota; --expire carried out by the engine, also for a deadline that passed while the daemon was
// down; `ps --filter stale=` for containers that neither ran nor logged; `system df -v`; the daemon's default log
// limits ("logOpts").
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { logOnDisk } from '../helpers/log-files.js';
import { assertOneLineError, containerGone, waitFor } from '../integration/cli-checks.js';

class QuotaEngine extends TestEngine {
  protected override daemonArgs(): string[] {
    const config = join(this.dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({ quotas: { maxContainers: 6, maxRunning: 3, maxGuaranteedMemory: '96m' },
      logOpts: { 'max-size': '1m', 'max-file': '2' } }));
    return ['--config', config];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sprawl control (CLI)', () => {
  const e = new QuotaEngine('bh-test-sprawl-');
  const list = (args: string[]) => (JSON.parse(e.ok(['ps', '--format', 'json', ...args])) as Array<{ Name: string }>).map((c) => c.Name.replace(/^\//, '')).sort();
  const names = () => list(['-a']);
  before(() => e.setup());
  after(() => e.cleanup());

  it('container prune picks by until= and label=/label!=, and refuses bad filters in one line', async () => {
    e.ok(['create', '--name', 'sp-old-a', '-l', 'team=a', 'busybox', 'true']);
    e.ok(['create', '--name', 'sp-old-b', '-l', 'team=b', 'busybox', 'true']);
    await sleep(2500);
    e.ok(['create', '--name', 'sp-new-a', '-l', 'team=a', 'busybox', 'true']);
    assertOneLineError(e.run(['container', 'prune', '--filter', 'until=soon']), /until=soon/);
    assertOneLineError(e.run(['container', 'prune', '--filter', 'colour=red']), /invalid filter "colour"/);
    assertOneLineError(e.run(['container', 'prune', '--filter', 'label=']), /label=KEY/);
    assert.deepEqual(names(), ['sp-new-a', 'sp-old-a', 'sp-old-b'], 'a refused prune removed something');
    // Older than 2s, and not team=b: only sp-old-a.
    const out = e.ok(['container', 'prune', '--filter', 'until=2s', '--filter', 'label!=team=b']);
    assert.match(out, /Total reclaimed space/);
    assert.deepEqual(names(), ['sp-new-a', 'sp-old-b']);
    e.ok(['container', 'prune', '--filter', 'label=team']);
    assert.deepEqual(names(), []);
  });

  it('volume and network prune take the same filters', () => {
    e.ok(['volume', 'create', '--label', 'keep=yes', 'sp-vol-keep']);
    e.ok(['volume', 'create', '--label', 'keep=no', 'sp-vol-drop']);
    e.ok(['network', 'create', '--label', 'env=test', 'sp-net-test']);
    e.ok(['network', 'create', '--label', 'env=prod', 'sp-net-prod']);
    e.ok(['volume', 'prune', '--filter', 'label=keep=no']);
    const vols = e.ok(['volume', 'ls', '-q']).split('\n');
    assert.ok(vols.includes('sp-vol-keep') && !vols.includes('sp-vol-drop'), vols.join(','));
    // A timestamp in the past: nothing is older than it.
    e.ok(['volume', 'prune', '--filter', 'until=2000-01-01T00:00:00Z']);
    assert.ok(e.ok(['volume', 'ls', '-q']).includes('sp-vol-keep'));
    e.ok(['network', 'prune', '--filter', 'label!=env=prod']);
    const nets = e.ok(['network', 'ls']);
    assert.match(nets, /sp-net-prod/);
    assert.doesNotMatch(nets, /sp-net-test/);
    e.ok(['network', 'prune', '--filter', `until=${Math.floor(Date.now() / 1000) + 5}`]);
    assert.doesNotMatch(e.ok(['network', 'ls']), /sp-net-prod/);
    e.ok(['volume', 'prune']);
    assertOneLineError(e.run(['image', 'prune', '--filter', 'until=24 hours']), /until=24 hours/);
    e.ok(['image', 'prune', '--filter', 'label=bh.none=1']);
    assert.match(e.ok(['images']), /busybox/);
  });

  it('quotas: containers, running containers and guaranteed memory, each refused naming the numbers', () => {
    for (let i = 0; i < 3; i++) e.ok(['run', '-d', '--name', `sp-run-${i}`, 'busybox', 'sleep', '300']);
    const fourth = e.run(['run', '-d', '--name', 'sp-run-3', 'busybox', 'sleep', '300']);
    assertOneLineError(fourth, /quota maxRunning reached: 3 containers are running and the limit is 3/);
    assert.equal(JSON.parse(e.ok(['inspect', 'sp-run-3']))[0].State.status, 'created', 'a refused start stays created');
    e.ok(['stop', '-t', '0', 'sp-run-2']);
    // 64m + 64m > 96m guaranteed in total.
    e.ok(['run', '-d', '--name', 'sp-mem-1', '--memory-guaranteed', '64m', 'busybox', 'sleep', '300']);
    e.ok(['stop', '-t', '0', 'sp-run-1']);
    e.ok(['create', '--name', 'sp-mem-2', '--memory-guaranteed', '64m', 'busybox', 'sleep', '300']);
    assertOneLineError(e.run(['start', 'sp-mem-2']), /quota maxGuaranteedMemory exceeded: 64MiB asked, 64MiB already guaranteed.*limit is 96MiB/);
    // Six containers exist now: the seventh is refused at create and leaves nothing behind.
    assert.equal(names().length, 6);
    assertOneLineError(e.run(['create', '--name', 'sp-seventh', 'busybox', 'true']), /quota maxContainers reached: 6 containers exist and the limit is 6/);
    assert.ok(containerGone(e, 'sp-seventh'));
    e.ok(['rm', '-f', ...names()]);
  });

  it('--expire stops and removes the container, also when the deadline passed while the daemon was down', async () => {
    assertOneLineError(e.run(['run', '-d', '--expire', 'soon', 'busybox', 'true']), /--expire/);
    assertOneLineError(e.run(['create', '--expire', '10ms', 'busybox', 'true']), /at least one second/);
    const started = Date.now();
    e.ok(['run', '-d', '--name', 'sp-exp-run', '--expire', '3s', 'busybox', 'sleep', '300']);
    e.ok(['create', '--name', 'sp-exp-down', '--expire', '4s', 'busybox', 'true']);
    e.ok(['create', '--name', 'sp-keep', 'busybox', 'true']);
    const events = e.spawn(['events', '--format', 'json', '--filter', 'event=expire']);
    let seen = '';
    events.stdout!.on('data', (d: Buffer) => { seen += d.toString(); });
    await waitFor(() => containerGone(e, 'sp-exp-run'), 'sp-exp-run to expire', 15_000);
    assert.ok(Date.now() - started >= 2500, 'expired too early');
    await waitFor(() => seen.includes('sp-exp-run'), 'an expire event', 5000);
    events.kill();
    // The daemon goes down before sp-exp-down's deadline and comes back after it: the expiry happens at open.
    // SIGTERM is `daemon stop` (a spawnSync'd `daemon stop` would wait on our own unreaped child).
    await e.killDaemon('SIGTERM');
    await sleep(Math.max(0, started + 5000 - Date.now()));
    await e.startDaemon();
    await waitFor(() => containerGone(e, 'sp-exp-down'), 'sp-exp-down to expire after the restart', 10_000);
    assert.deepEqual(names(), ['sp-keep']);
    e.ok(['rm', 'sp-keep']);
  });

  it('ps --filter stale= lists running containers that neither ran nor logged for that long', async () => {
    e.ok(['run', '-d', '--name', 'sp-idle', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'sp-chatty', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.5; done']);
    e.ok(['run', '-d', '--name', 'sp-busy', 'busybox', 'sh', '-c', 'while true; do :; done']);
    assertOneLineError(e.run(['ps', '--filter', 'stale=a while']), /stale=a while/);
    await sleep(3000);
    const stale = (d: string) => list(['--filter', `stale=${d}`]);
    assert.deepEqual(stale('2s'), ['sp-idle']);
    assert.deepEqual(stale('1h'), []);
    // A process exec'd into it is the container's too: it ran just now, so the container is not stale while it lives.
    const exec = e.spawn(['exec', 'sp-idle', 'sleep', '30']);
    await sleep(1000);
    assert.deepEqual(stale('2s'), []);
    exec.kill();
    e.ok(['rm', '-f', 'sp-idle', 'sp-chatty', 'sp-busy']);
  });

  it('the daemon\'s "logOpts" limit the logs of containers that set none, key by key', () => {
    e.ok(['create', '--name', 'sp-log-default', 'busybox', 'true']);
    const opts = (name: string) => JSON.parse(e.ok(['inspect', '-f', '{{json .Config.logOptions}}', name])) as Record<string, string>;
    assert.deepEqual(opts('sp-log-default'), { 'max-size': '1m', 'max-file': '2' });
    // The container's max-size, the daemon's max-file; the limit is the merged one.
    const id = e.ok(['run', '-d', '--name', 'sp-log-own', '--log-opt', 'max-size=3k', 'busybox', 'sh', '-c', 'seq 1 3000']);
    assert.deepEqual(opts('sp-log-own'), { 'max-size': '3k', 'max-file': '2' });
    assert.equal(e.ok(['wait', 'sp-log-own']), '0');
    const disk = logOnDisk(e.root, id);
    assert.ok(disk.bytes <= 2 * 3000 && disk.files === 2, `${disk.bytes} bytes in ${disk.names.join(', ')}`);
    assert.equal(e.ok(['logs', '--tail', '1', 'sp-log-own']), '3000');
    e.ok(['rm', 'sp-log-default', 'sp-log-own']);
  });

  it('system df -v shows images, containers, volumes and the build cache in docker\'s layout', () => {
    e.ok(['run', '-d', '--name', 'sp-df', '-v', 'sp-df-vol:/data', 'busybox', 'sh', '-c', 'echo hi > /data/f; sleep 300']);
    const out = e.ok(['system', 'df', '-v']);
    assert.match(out, /^Images space usage:$/m);
    assert.match(out, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS$/m);
    assert.match(out, /^busybox\s+latest\s+[0-9a-f]{12}\s.*\s1$/m);
    assert.match(out, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+LOCAL VOLUMES\s+SIZE\s+CREATED\s+STATUS\s+NAMES$/m);
    assert.match(out, /^[0-9a-f]{12}\s+busybox\s+"sh -c .*"\s+1\s+.*running\s+sp-df$/m);
    assert.match(out, /^sp-df-vol\s+1\s+\d/m);
    assert.match(out, /^Build cache usage: /m);
    assert.match(e.ok(['system', 'df']), /^Build Cache\s/m);
    e.ok(['rm', '-f', '-v', 'sp-df']);
    e.ok(['volume', 'rm', 'sp-df-vol']);
  });
});
