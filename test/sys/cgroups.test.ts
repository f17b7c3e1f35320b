import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { errorKind } from '../../src/core/index.js';
import { detectCgroups, parseMountinfo } from '../../src/sys/cgroups.js';
import { cgroupProcs } from '../../src/sys/cgroup-paths.js';
import { MOUNTINFO, fakeHost } from './fake-host.js';

describe('cgroup detection', () => {
  const roots: string[] = [];
  const host = async (mountinfo: string) => {
    const root = await fakeHost({ 'proc/self/mountinfo': mountinfo });
    roots.push(root);
    return root;
  };
  after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  it('classifies pure v1', async () => {
    const info = detectCgroups(await host(MOUNTINFO.v1));
    assert.equal(info.mode, 'v1');
    assert.equal(info.version, 1);
    assert.equal(info.driver, 'cgroupfs');
    assert.deepEqual(info.v1Controllers, ['cpu', 'cpuacct', 'memory', 'pids']);
    assert.equal(info.v1Mounts['cpuacct'], '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(info.unifiedMount, undefined);
  });

  it('classifies hybrid: v1 controllers plus a cgroup2 tree', async () => {
    const info = detectCgroups(await host(MOUNTINFO.hybrid));
    assert.equal(info.mode, 'hybrid');
    assert.equal(info.version, 1);
    assert.equal(info.unifiedMount, '/sys/fs/cgroup/unified');
  });

  it('classifies pure v2', async () => {
    const info = detectCgroups(await host(MOUNTINFO.v2));
    assert.equal(info.mode, 'v2');
    assert.equal(info.version, 2);
    assert.deepEqual(info.v1Controllers, []);
  });

  it('says clearly when there is no cgroup filesystem at all', async () => {
    const root = await host(MOUNTINFO.none);
    assert.throws(() => detectCgroups(root), (e: unknown) => errorKind(e) === 'NotSupported' && /no cgroup filesystem/.test(String(e)));
  });

  it('unescapes mount points with spaces', () => {
    const [m] = parseMountinfo('40 25 0:40 / /mnt/with\\040space rw - cgroup cgroup rw,blkio\n');
    assert.equal(m?.mountPoint, '/mnt/with space');
  });

  it('reads the processes of a cgroup from its pids directory, nothing once it is gone', async () => {
    const root = await host(MOUNTINFO.v1);
    const dir = join(root, 'sys/fs/cgroup/pids/a/b/c/d/abc123');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cgroup.procs'), '42\n43\n');
    assert.deepEqual(await cgroupProcs({ version: 1, dirs: { pids: dir } }), [42, 43]);
    assert.deepEqual(await cgroupProcs({ version: 1, dirs: { pids: join(root, 'sys/fs/cgroup/pids/nope') } }), []);
  });

  it('reports this host as hybrid (smoke test on the real machine)', { skip: process.platform !== 'linux' }, () => {
    const info = detectCgroups();
    assert.equal(info.mode, 'hybrid');
    for (const c of ['cpu', 'cpuset', 'memory', 'pids', 'freezer']) assert.ok(info.v1Controllers.includes(c), c);
  });
});
