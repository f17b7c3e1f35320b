// Docker volume endpoints through the docker CLI and dockerode: create (labels, generated names, refused drivers
// and options), ls with filters, inspect, rm (in use → 409, -f on a missing one), and prune (anonymous only
// unless --all, label filters), with data surviving between containers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine, haveDockerCli } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveDockerCli() ? 'the docker CLI is not installed' : false;

describe('docker volumes', { skip }, () => {
  const e = new DockerTestEngine('bh-test-dvolumes-');
  before(() => e.setup());
  after(() => e.cleanup());

  const names = (args: string[] = []) => e.dockerOk(['volume', 'ls', '-q', ...args]).split('\n').filter(Boolean).sort();

  it('creates, lists with filters, inspects and removes volumes; data outlives containers', () => {
    assert.equal(e.dockerOk(['volume', 'create', '--label', 'team=a', 'bh-data']), 'bh-data');
    e.dockerOk(['volume', 'create', '--label', 'team=b', 'bh-other']);
    const generated = e.dockerOk(['volume', 'create']);
    assert.match(generated, /^[0-9a-f]{64}$/);
    const v = JSON.parse(e.dockerOk(['volume', 'inspect', 'bh-data']))[0];
    assert.equal(v.Name, 'bh-data');
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.deepEqual(v.Labels, { team: 'a' });
    assert.match(v.Mountpoint, /bh-data\/_data$/);
    assert.ok(!Number.isNaN(Date.parse(v.CreatedAt)));

    assert.deepEqual(names(), ['bh-data', 'bh-other', generated].sort());
    assert.deepEqual(names(['--filter', 'label=team=a']), ['bh-data']);
    assert.deepEqual(names(['--filter', 'label=team']), ['bh-data', 'bh-other']);
    assert.deepEqual(names(['--filter', 'name=other']), ['bh-other']);
    assert.deepEqual(names(['--filter', 'driver=local', '--filter', 'name=bh-']), ['bh-data', 'bh-other']);
    const bad = e.docker(['volume', 'ls', '--filter', 'colour=red']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid filter "colour"/);

    e.dockerOk(['run', '--rm', '-v', 'bh-data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(e.dockerOk(['run', '--rm', '-v', 'bh-data:/data', 'busybox', 'cat', '/data/f']), 'kept');
    const user = e.dockerOk(['create', '-v', 'bh-data:/data', 'busybox', 'true']);
    assert.deepEqual(names(['--filter', 'dangling=false']), ['bh-data']);
    assert.deepEqual(names(['--filter', 'dangling=true']), ['bh-other', generated].sort());
    const busy = e.docker(['volume', 'rm', 'bh-data']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /in use/);
    e.dockerOk(['rm', user]);
    assert.equal(e.dockerOk(['volume', 'rm', 'bh-data', generated]), `bh-data\n${generated}`);
    const gone = e.docker(['volume', 'inspect', 'bh-data']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no such volume: bh-data/);
    assert.equal(e.docker(['volume', 'rm', 'bh-data']).code, 1);
    assert.equal(e.docker(['volume', 'rm', '-f', 'bh-data']).code, 0, '-f makes a missing volume no error');
  });

  it('refuses other drivers and driver options with a clear message', () => {
    const driver = e.docker(['volume', 'create', '-d', 'nfs', 'bh-nfs']);
    assert.equal(driver.code, 1);
    assert.match(driver.stderr, /volume driver "nfs" is not supported/);
    const opts = e.docker(['volume', 'create', '-o', 'type=tmpfs', 'bh-tmp']);
    assert.equal(opts.code, 1);
    assert.match(opts.stderr, /driver options are not supported \(got type\)/);
    assert.deepEqual(names(['--filter', 'name=bh-t']), []);
  });

  it('prune removes only unused anonymous volumes, or with --all every unused one matching the labels', () => {
    e.dockerOk(['volume', 'create', '--label', 'keep=yes', 'bh-keep']);
    e.dockerOk(['volume', 'create', 'bh-named']);
    const holder = e.dockerOk(['create', '-v', '/anon-used', 'busybox', 'true']);
    const loose = e.dockerOk(['create', '-v', '/anon-loose', 'busybox', 'true']);
    const anonLoose = JSON.parse(e.dockerOk(['inspect', '--format', '{{json .Mounts}}', loose]))[0].Name as string;
    const anonUsed = JSON.parse(e.dockerOk(['inspect', '--format', '{{json .Mounts}}', holder]))[0].Name as string;
    e.dockerOk(['rm', loose]); // without -v its anonymous volume stays, unused
    const pruned = e.dockerOk(['volume', 'prune', '-f']);
    assert.match(pruned, new RegExp(anonLoose));
    assert.deepEqual(names(), ['bh-keep', 'bh-named', 'bh-other', anonUsed].sort());
    e.dockerOk(['volume', 'prune', '-f', '--all', '--filter', 'label!=keep=yes']);
    assert.deepEqual(names(), ['bh-keep', anonUsed].sort());
    e.dockerOk(['rm', '-v', holder]);
    e.dockerOk(['volume', 'rm', 'bh-keep']);
  });

  it('dockerode: create, inspect, list with filters, remove and prune', async () => {
    const docker = e.dockerode();
    const created = await docker.createVolume({ Name: 'bh-dode', Labels: { via: 'dockerode' } });
    assert.equal(created.name, 'bh-dode');
    const info = await docker.getVolume('bh-dode').inspect();
    assert.deepEqual(info.Labels, { via: 'dockerode' });
    const listed = await docker.listVolumes({ filters: JSON.stringify({ label: ['via=dockerode'] }) });
    assert.deepEqual(listed.Volumes.map((v) => v.Name), ['bh-dode']);
    assert.deepEqual(listed.Warnings, []);
    const pruned = await docker.pruneVolumes({ filters: JSON.stringify({ all: ['true'], label: ['via'] }) });
    assert.deepEqual(pruned.VolumesDeleted, ['bh-dode']);
    await assert.rejects(docker.getVolume('bh-dode').inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    const status = await e.http('POST', '/v1.50/volumes/create', { Name: 'bh-x', ClusterVolumeSpec: { Group: 'g' } });
    assert.equal(status.status, 501);
  });
});
