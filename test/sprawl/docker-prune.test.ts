// The Docker API's prune endpoints read the same filters as the CLI (engine/sprawl/prune-filters.ts): until= as a
// duration (which docker clients send: `docker container prune --filter until=2s`), label= and label!=, refusals as
// 400s naming the filter; and /build/prune answers for the classic builder's cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine } from '../docker/helpers.js';

const q = (filters: Record<string, string[]>) => `filters=${encodeURIComponent(JSON.stringify(filters))}`;

describe('Docker API prune filters', () => {
  const e = new DockerTestEngine('bh-test-sprawl-docker-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('containers/prune: until as a duration, label and label!; a bad value is a 400 naming it', async () => {
    e.ok(['create', '--name', 'dp-old', '-l', 'grp=x', 'busybox', 'true']);
    e.ok(['create', '--name', 'dp-old-keep', '-l', 'grp=x', '-l', 'pin=1', 'busybox', 'true']);
    await new Promise((r) => setTimeout(r, 2200));
    e.ok(['create', '--name', 'dp-new', '-l', 'grp=x', 'busybox', 'true']);
    const bad = await e.http('POST', `/v1.43/containers/prune?${q({ until: ['yesterday'] })}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /until=yesterday/);
    const res = await e.http('POST', `/v1.43/containers/prune?${q({ until: ['2s'], label: ['grp=x'], 'label!': ['pin'] })}`);
    assert.equal(res.status, 200, res.body);
    const ids = (JSON.parse(res.body) as { ContainersDeleted: string[] }).ContainersDeleted;
    assert.equal(ids.length, 1);
    const left = e.ok(['ps', '-a', '--format', 'json']);
    assert.doesNotMatch(left, /"dp-old"/);
    assert.match(left, /dp-old-keep/);
    assert.match(left, /dp-new/);
    e.ok(['rm', 'dp-old-keep', 'dp-new']);
  });

  it('volumes, networks and build cache prune with filters', async () => {
    e.ok(['volume', 'create', '--label', 'tier=cache', 'dp-vol-a']);
    e.ok(['volume', 'create', 'dp-vol-b']);
    e.ok(['network', 'create', '--label', 'tier=cache', 'dp-net-a']);
    e.ok(['network', 'create', 'dp-net-b']);
    // Named volumes need all=true (docker ≥ 23); label narrows it to one.
    const vol = await e.http('POST', `/v1.43/volumes/prune?${q({ all: ['true'], label: ['tier=cache'] })}`);
    assert.deepEqual(JSON.parse(vol.body).VolumesDeleted, ['dp-vol-a']);
    const net = await e.http('POST', `/v1.43/networks/prune?${q({ 'label!': ['tier'] })}`);
    assert.deepEqual(JSON.parse(net.body).NetworksDeleted, ['dp-net-b']);
    const badKey = await e.http('POST', `/v1.43/networks/prune?${q({ driver: ['bridge'] })}`);
    assert.equal(badKey.status, 400);
    assert.match(badKey.body, /invalid filter \\?"driver\\?" for network prune/);
    const cache = await e.http('POST', `/v1.43/build/prune?${q({ until: ['1h'] })}`);
    assert.equal(cache.status, 200, cache.body);
    assert.equal(JSON.parse(cache.body).SpaceReclaimed, 0);
    const df = JSON.parse((await e.http('GET', '/v1.43/system/df')).body) as { BuildCache: unknown[] };
    assert.ok(Array.isArray(df.BuildCache));
    e.ok(['volume', 'rm', 'dp-vol-b']);
    e.ok(['network', 'rm', 'dp-net-a']);
  });
});
