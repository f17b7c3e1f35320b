// Docker API system endpoints through the docker CLI and raw HTTP: version negotiation (/_ping headers, /vX.Y
// prefixes in and out of range, unprefixed paths), /version, /info, /events with filters and since/until,
// /system/df, and Docker's error shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine } from './helpers.js';

describe('Docker API: system', () => {
  const e = new DockerTestEngine('bh-test-docker-sys-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('/_ping answers GET and HEAD with the negotiation headers', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await e.http(method, '/_ping');
      assert.equal(r.status, 200);
      assert.equal(r.headers['api-version'], '1.50');
      assert.equal(r.headers['ostype'], 'linux');
      assert.equal(r.headers['docker-experimental'], 'false');
      assert.equal(r.body, method === 'GET' ? 'OK' : '');
    }
  });

  it('serves /vX.Y paths from 1.41 to 1.50 and unprefixed ones; other versions are a 400 in Docker\'s shape', async () => {
    for (const path of ['/v1.41/version', '/v1.50/version', '/version']) assert.equal((await e.http('GET', path)).status, 200, path);
    const old = await e.http('GET', '/v1.40/containers/json');
    assert.equal(old.status, 400);
    assert.match(JSON.parse(old.body).message, /too old.*1\.41/);
    const tooNew = await e.http('GET', '/v1.51/version');
    assert.equal(tooNew.status, 400);
    assert.match(JSON.parse(tooNew.body).message, /too new.*1\.50/);
    const missing = await e.http('GET', '/v1.45/containers/bh-nope/json');
    assert.equal(missing.status, 404);
    assert.match(JSON.parse(missing.body).message, /no such container: bh-nope/);
    assert.equal((await e.http('GET', '/v1.45/no/such/endpoint')).status, 404);
    // Bulkhead's own API stays where it was.
    assert.equal(JSON.parse((await e.http('GET', '/bulkhead/version')).body).version, '0.1.0');
  });

  it('docker version and docker info show the server', () => {
    assert.equal(e.dockerOk(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}']), '1.50 1.41 linux');
    const info = e.dockerOk(['info', '--format', '{{.CgroupDriver}}|{{.CgroupVersion}}|{{.NCPU}}|{{.OSType}}|{{.DefaultRuntime}}|{{json .SecurityOptions}}|{{.Images}}|{{.MemTotal}}']);
    const [driver, version, ncpu, os, runtime, secopts, images, mem] = info.split('|');
    assert.equal(driver, 'cgroupfs');
    assert.match(version!, /^[12]$/);
    assert.ok(Number(ncpu) >= 1);
    assert.equal(os, 'linux');
    assert.equal(runtime, 'runc');
    assert.match(secopts!, /name=seccomp,profile=builtin/);
    assert.equal(images, '1');
    assert.ok(Number(mem) > 0);
    assert.match(e.dockerOk(['info']), /Kernel Version: \S+/);
  });

  it('docker events replays with --since/--until and filters by type, event and container', () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    e.dockerOk(['run', '--name', 'bh-ev-a', '-l', 'bh.ev=yes', 'busybox', 'true']);
    e.dockerOk(['run', '--name', 'bh-ev-b', 'busybox', 'true']);
    e.dockerOk(['rm', 'bh-ev-b']);
    const events = (filters: string[]) => e.dockerOk(['events', '--since', String(t0), '--until', String(Math.floor(Date.now() / 1000) + 1),
      '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}', ...filters.flatMap((f) => ['--filter', f])]).split('\n');
    const all = events(['type=container']);
    for (const line of ['container create bh-ev-a', 'container start bh-ev-a', 'container die bh-ev-a', 'container destroy bh-ev-b']) {
      assert.ok(all.includes(line), `missing "${line}" in ${all.join(', ')}`);
    }
    assert.deepEqual(events(['container=bh-ev-a', 'event=start']), ['container start bh-ev-a']);
    assert.deepEqual(events(['label=bh.ev=yes', 'event=die']), ['container die bh-ev-a']);
    e.dockerOk(['rm', 'bh-ev-a']);
    const bad = e.docker(['events', '--since', String(t0), '--until', String(t0 + 1), '--filter', 'colour=red']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid filter "colour"/);
  });

  it('docker events streams live events', async () => {
    const child = e.dockerSpawn(['events', '--filter', 'container=bh-ev-live', '--format', '{{.Action}}']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      e.dockerOk(['run', '--rm', '--name', 'bh-ev-live', 'busybox', 'true']);
      for (let i = 0; i < 50 && !out.includes('destroy'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(out.trim().split('\n').filter((a) => ['create', 'start', 'die', 'destroy'].includes(a)), ['create', 'start', 'die', 'destroy']);
    } finally {
      child.kill();
    }
  });

  it('docker system df lists images, containers and volumes', () => {
    e.dockerOk(['create', '--name', 'bh-df', '-v', 'bh-df-vol:/data', 'busybox', 'true']);
    try {
      const df = e.dockerOk(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']).split('\n');
      assert.ok(df.includes('Images 1 1'), df.join(', '));
      assert.ok(df.includes('Containers 1 0'), df.join(', '));
      assert.ok(df.some((l) => /^Local Volumes 1 1$/.test(l)), df.join(', '));
    } finally {
      e.dockerOk(['rm', 'bh-df']);
      e.ok(['volume', 'rm', 'bh-df-vol']);
    }
  });
});
