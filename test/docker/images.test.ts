// Docker image endpoints through the real docker CLI and dockerode: images (filters, -a), inspect and history,
// tag and rmi with names that contain "/" and ":", import with --change, save/load round trips, prune, search,
// and Docker's error statuses. Registry pull/push are in images-registry.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Router } from '../../src/api/router.js';
import { buildTar } from '../archive/tar-fixtures.js';
import { DockerTestEngine, haveDockerCli } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveDockerCli() ? 'the docker CLI is not installed' : false;

interface Summary { Id: string; RepoTags: string[]; Labels: Record<string, string>; Created: number; Size: number; ParentId: string }

describe('router :name+ segments', () => {
  const router = new Router();
  const hit = (method: string, path: string) => {
    const m = router.match(method, path);
    return m ? `${(m.handler as unknown as { tag: string }).tag} ${JSON.stringify(m.params)}` : 'none';
  };
  const h = (tag: string) => Object.assign(async () => undefined, { tag });
  router.add('GET', '/images/json', h('list')).add('GET', '/images/:name+/json', h('inspect')).add('DELETE', '/images/:name+', h('rm'))
    .add('GET', '/containers/:id/json', h('container'));

  it('takes one or more segments for the name, and fixed routes still win when added first', () => {
    assert.equal(hit('GET', '/images/json'), 'list {}');
    assert.equal(hit('GET', '/images/busybox/json'), 'inspect {"name":"busybox"}');
    assert.equal(hit('GET', '/images/localhost:5000/a/b:1/json'), 'inspect {"name":"localhost:5000/a/b:1"}');
    assert.equal(hit('GET', '/images/json/json'), 'inspect {"name":"json"}');
    assert.equal(hit('GET', '/images/a%2Fb/json'), 'inspect {"name":"a/b"}');
    assert.equal(hit('DELETE', '/images/docker.io/library/busybox:latest'), 'rm {"name":"docker.io/library/busybox:latest"}');
    assert.equal(hit('GET', '/images/a/b/history'), 'none');
    assert.equal(hit('GET', '/containers/x/json'), 'container {"id":"x"}');
    assert.equal(hit('GET', '/containers/x/y/json'), 'none');
    assert.throws(() => router.add('GET', '/a/:x+/:y+', h('bad')), /at most one/);
  });
});

describe('docker images (CLI and dockerode)', { skip }, () => {
  const e = new DockerTestEngine('bh-test-dimages-');
  before(() => e.setup());
  after(() => e.cleanup());

  const busyboxId = () => e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'busybox']);
  const summaries = (args: string[] = []) =>
    e.dockerOk(['images', '--no-trunc', '--format', '{{json .}}', ...args]).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);

  it('lists, inspects and shows history in Docker\'s shapes', async () => {
    const rows = summaries();
    assert.deepEqual(rows.map((r) => `${r.Repository}:${r.Tag}`), ['busybox:latest']);
    const inspect = JSON.parse(e.dockerOk(['image', 'inspect', 'busybox']))[0];
    assert.match(inspect.Id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(rows[0]!.ID, inspect.Id);
    assert.deepEqual(inspect.RepoTags, ['busybox:latest']);
    assert.equal(inspect.RootFS.Type, 'layers');
    assert.equal(inspect.RootFS.Layers.length, 1);
    assert.deepEqual(inspect.Config.Cmd, ['sh']);
    assert.equal(inspect.Os, 'linux');
    assert.ok(inspect.Size > 100_000);
    assert.ok(!Number.isNaN(Date.parse(inspect.Created)));
    assert.equal(e.dockerOk(['inspect', '--type', 'image', '--format', '{{.Architecture}}', 'busybox']), process.arch === 'x64' ? 'amd64' : process.arch);
    const history = e.dockerOk(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}', 'busybox']).split('\n');
    assert.deepEqual(history, [`${inspect.Id}|bulkhead bootstrap from /usr/bin/busybox`]);

    const docker = e.dockerode();
    const listed = await docker.listImages() as unknown as Summary[];
    assert.equal(listed.length, 1);
    assert.equal(typeof listed[0]!.Created, 'number');
    assert.equal((await docker.getImage('busybox:latest').inspect()).Id, inspect.Id);
    const h = await docker.getImage('busybox').history() as Array<{ Id: string; Tags: string[] }>;
    assert.deepEqual(h.map((x) => [x.Id, x.Tags]), [[inspect.Id, ['busybox:latest']]]);
  });

  it('tags and removes names with registry hosts and paths, answering [{Untagged},{Deleted}]', async () => {
    const name = 'localhost:5000/team/app:v1';
    e.dockerOk(['tag', 'busybox', name]);
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{index .RepoTags 1}}', name]), name);
    assert.match(e.ok(['images']), /localhost:5000\/team\/app\s+v1/, 'the tag shows in bulkhead images too');
    assert.equal(e.dockerOk(['rmi', name]), `Untagged: ${name}`);
    assert.equal(e.docker(['image', 'inspect', name]).code, 1);

    const docker = e.dockerode();
    await docker.getImage('busybox').tag({ repo: 'bh/extra', tag: 'two' });
    const removed = await docker.getImage('bh/extra:two').remove();
    assert.deepEqual(removed, [{ Untagged: 'bh/extra:two' }]);
    const missing = await e.http('DELETE', '/v1.50/images/bh/nothing:here');
    assert.equal(missing.status, 404);
    assert.match(JSON.parse(missing.body).message, /no such image: bh\/nothing:here/i);
    const inUse = e.dockerOk(['create', 'busybox', 'true']);
    const conflict = e.docker(['rmi', 'busybox']);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /being used by a container|must force/);
    e.dockerOk(['rm', inUse]);
  });

  it('filters by dangling, reference and label; untagged build steps under a tagged image are not dangling', async () => {
    const ctx = join(e.dir, 'ctx-filters');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nLABEL tier=web\nRUN echo hi > /hi\n');
    e.dockerOk(['build', '-q', '-t', 'bh/web:1', ctx]);
    const firstBuild = summaries(['-a']).map((r) => r.ID).filter((id) => id !== busyboxId());
    e.dockerOk(['import', '-', 'bh/plain:1'], { input: await emptyTar() });
    const names = (args: string[]) => summaries(args).map((r) => `${r.Repository}:${r.Tag}`).sort();
    assert.deepEqual(names([]), ['bh/plain:1', 'bh/web:1', 'busybox:latest']);
    assert.ok(summaries(['-a']).filter((r) => r.Tag === '<none>').length >= 1, 'the build step images show with -a');
    assert.deepEqual(names(['--filter', 'dangling=true']), []);
    assert.deepEqual(names(['--filter', 'reference=bh/*']), ['bh/plain:1', 'bh/web:1']);
    assert.deepEqual(names(['--filter', 'reference=busybox']), ['busybox:latest']);
    assert.deepEqual(names(['--filter', 'label=tier=web']), ['bh/web:1']);
    assert.deepEqual(names(['--filter', 'label=tier']), ['bh/web:1']);
    assert.deepEqual(names(['bh/plain']), ['bh/plain:1']);
    const bad = e.docker(['images', '--filter', 'colour=red']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid filter "colour"/);

    // Building the tag again moves it: the first image is dangling now. A dangling prune removes it and the step
    // images only it was built on, and nothing else.
    const webId = e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'bh/web:1']);
    e.dockerOk(['build', '-q', '--no-cache', '-t', 'bh/web:1', ctx]);
    assert.deepEqual(summaries(['--filter', 'dangling=true']).map((r) => r.ID), [webId]);
    const before = summaries(['-a']).map((r) => r.ID);
    const pruned = e.dockerOk(['image', 'prune', '-f']);
    assert.match(pruned, new RegExp(`deleted: ${webId}`, 'i'));
    assert.match(pruned, /Total reclaimed space/);
    assert.deepEqual(summaries(['-a']).map((r) => r.ID).sort(), before.filter((id) => !firstBuild.includes(id)).sort());
    // prune -a takes every unused image, tagged or not, but keeps those a container uses.
    const keeper = e.dockerOk(['create', 'busybox', 'true']);
    e.dockerOk(['image', 'prune', '-a', '-f']);
    assert.deepEqual(names(['-a']), ['busybox:latest']);
    e.dockerOk(['rm', keeper]);
  });

  it('imports a tarball with --change and --message, from stdin and through dockerode', async () => {
    const id = e.dockerOk(['import', '--change', 'CMD ["/bin/app", "run"]', '--change', 'ENV MODE=prod', '-c', 'WORKDIR /srv',
      '-m', 'from a test', '-', 'bh/imported:v2'], { input: await fileTar('bin/app', '#!/bin/sh\n') });
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const cfg = JSON.parse(e.dockerOk(['image', 'inspect', '--format', '{{json .Config}}', 'bh/imported:v2']));
    assert.deepEqual(cfg.Cmd, ['/bin/app', 'run']);
    assert.deepEqual(cfg.Env, ['MODE=prod']);
    assert.equal(cfg.WorkingDir, '/srv');
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{.Comment}}', 'bh/imported:v2']), 'from a test');
    const bad = e.docker(['import', '--change', 'RUN rm -rf /', '-'], { input: await emptyTar() });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /RUN cannot be used with --change/);

    const docker = e.dockerode();
    const stream = await docker.importImage(Readable.from([await fileTar('etc/x', 'y')]) as unknown as NodeJS.ReadableStream, { repo: 'bh/dimport', tag: '3' });
    const lines = await readAll(stream);
    assert.match(lines, /"status":"sha256:[0-9a-f]{64}"/);
    assert.deepEqual((await docker.getImage('bh/dimport:3').inspect()).RepoTags, ['bh/dimport:3']);
    e.dockerOk(['rmi', 'bh/imported:v2', 'bh/dimport:3']);
  });

  it('saves several images and loads them back with the same ids (CLI and dockerode)', async () => {
    e.dockerOk(['tag', 'busybox', 'bh/saved:1']);
    const file = join(e.dir, 'saved.tar');
    e.dockerOk(['save', '-o', file, 'busybox', 'bh/saved:1']);
    const id = e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'busybox']);
    const listing = spawnSync('tar', ['-tf', file]).stdout.toString();
    assert.match(listing, /^manifest\.json$/m);
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json']).stdout.toString()) as Array<{ RepoTags: string[] }>;
    assert.deepEqual(manifest.flatMap((m) => m.RepoTags).sort(), ['bh/saved:1', 'busybox:latest']);

    e.dockerOk(['rmi', 'bh/saved:1']);
    const loaded = e.dockerOk(['load', '-i', file]);
    assert.match(loaded, /^Loaded image: bh\/saved:1$/m);
    assert.match(loaded, /^Loaded image: busybox:latest$/m);
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'bh/saved:1']), id);
    assert.match(e.dockerOk(['load', '-q'], { input: readFileSync(file) }), /Loaded image: busybox:latest/);
    const broken = e.docker(['load'], { input: Buffer.from('this is not a tar archive at all') });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /Error response from daemon/);

    const docker = e.dockerode();
    const tar = await readAllBytes(await docker.getImage('bh/saved:1').get());
    e.dockerOk(['rmi', 'bh/saved:1']);
    await readAll(await docker.loadImage(Readable.from([tar]) as unknown as NodeJS.ReadableStream));
    assert.equal((await docker.getImage('bh/saved:1').inspect()).Id, id);
    e.dockerOk(['rmi', 'bh/saved:1']);
    rmSync(file);
  });

  it('answers search, unknown images and bad references with Docker\'s statuses and one clear message', async () => {
    const search = e.docker(['search', 'busybox']);
    assert.equal(search.code, 1);
    assert.match(search.stderr, /search is not supported/);
    const notFound = await e.http('GET', '/v1.50/images/bh/none:1/json');
    assert.equal(notFound.status, 404);
    const badTag = await e.http('POST', '/v1.50/images/busybox/tag?repo=Bad/Name&tag=1');
    assert.equal(badTag.status, 400);
    assert.match(JSON.parse(badTag.body).message, /invalid reference format/);
    const noSource = await e.http('POST', '/v1.50/images/create');
    assert.equal(noSource.status, 400);
    assert.match(JSON.parse(noSource.body).message, /fromImage .* fromSrc/);
  });
});

const fileTar = (name: string, body: string) => buildTar([{ name, body, mode: 0o755 }]);
const emptyTar = () => buildTar([]);

async function readAllBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return (await readAllBytes(stream)).toString();
}
