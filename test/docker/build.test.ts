// The classic builder protocol through Bulkhead's socket: `DOCKER_BUILDKIT=0 docker build` with tags, build args,
// labels, -f, --target, the cache, -q and a failing step's exit code; refused options and BuildKit answered with
// a clear message; dockerode's buildImage with a tar stream.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildTar } from '../archive/tar-fixtures.js';
import { DockerTestEngine, haveDockerCli } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveDockerCli() ? 'the docker CLI is not installed' : false;

describe('docker build (classic builder)', { skip }, () => {
  const e = new DockerTestEngine('bh-test-dbuild-');
  let ctx = '';
  before(async () => {
    await e.setup();
    ctx = join(e.dir, 'ctx');
    mkdirSync(join(ctx, 'sub'), { recursive: true });
    writeFileSync(join(ctx, 'greeting.txt'), 'hello from the context\n');
    writeFileSync(join(ctx, 'Dockerfile'), [
      'FROM busybox AS base', 'ARG WHO=nobody', 'COPY greeting.txt /greeting.txt', 'RUN echo "built for $WHO" > /who',
      'FROM base AS final', 'LABEL stage=final', 'CMD ["cat", "/who", "/greeting.txt"]', '',
    ].join('\n'));
    writeFileSync(join(ctx, 'sub', 'Other.dockerfile'), 'FROM busybox\nRUN exit 3\n');
  });
  after(() => e.cleanup());

  it('builds with tags, build args and labels; the image runs and the cache answers a second build', () => {
    const first = e.docker(['build', '-t', 'bh/built:1', '-t', 'bh/built:latest', '--build-arg', 'WHO=tests', '--label', 'origin=ci', ctx]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Step 1\/\d+ : FROM busybox AS base$/m);
    assert.match(first.stdout, /^Successfully built [0-9a-f]{12}$/m);
    assert.match(first.stdout, /^Successfully tagged bh\/built:1$/m);
    assert.equal(e.dockerOk(['run', '--rm', 'bh/built:1']), 'built for tests\nhello from the context');
    const labels = JSON.parse(e.dockerOk(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'bh/built:latest']));
    assert.deepEqual(labels, { stage: 'final', origin: 'ci' });

    const again = e.dockerOk(['build', '-t', 'bh/built:1', '--build-arg', 'WHO=tests', '--label', 'origin=ci', ctx]);
    assert.match(again, /Using cache/);
    const fresh = e.dockerOk(['build', '--no-cache', '--build-arg', 'WHO=tests', ctx]);
    assert.doesNotMatch(fresh, /Using cache/);
  });

  it('-q prints only the image id; --target stops at a stage; -f takes a Dockerfile elsewhere in the context', () => {
    const id = e.dockerOk(['build', '-q', '--target', 'base', '-t', 'bh/base-only', ctx]);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'bh/base-only']), id);
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'bh/base-only']), 'null');

    const failed = e.docker(['build', '-f', join(ctx, 'sub', 'Other.dockerfile'), ctx]);
    assert.equal(failed.code, 3, 'a failed RUN makes docker build exit with its code');
    assert.match(failed.stderr, /returned a non-zero code: 3/);
  });

  it('refuses options it cannot honour and BuildKit with a message naming the classic builder', async () => {
    const pull = e.docker(['build', '--pull', ctx]);
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /Error response from daemon: build pull=1: .*docker pull the base image first/);
    const mem = e.docker(['build', '--memory', '64m', ctx]);
    assert.equal(mem.code, 1);
    assert.match(mem.stderr, /memory limits for build steps are not supported/);

    const v2 = await e.http('POST', '/v1.50/build?version=2');
    assert.equal(v2.status, 501);
    assert.match(JSON.parse(v2.body).message, /BuildKit is not supported.*DOCKER_BUILDKIT=0/);
    const session = await e.http('POST', '/v1.50/session', undefined, { Connection: 'Upgrade', Upgrade: 'h2c' });
    assert.equal(session.status, 501);
    assert.match(JSON.parse(session.body).message, /BuildKit is not supported/);
    const grpc = await e.http('POST', '/grpc', undefined, { Connection: 'Upgrade', Upgrade: 'h2c' });
    assert.equal(grpc.status, 501);
    // With BuildKit asked for and no buildx plugin, the CLI stops by itself, before it talks to the daemon.
    const withKit = spawnDocker(e, ['build', ctx], { DOCKER_BUILDKIT: '1' });
    assert.notEqual(withKit.code, 0);
    assert.match(withKit.stderr, /buildx|BuildKit/);
  });

  it('dockerode builds from a tar stream with buildargs and reports the image in aux', async () => {
    const docker = e.dockerode();
    const tar = await buildTar([
      { name: 'Dockerfile', body: 'FROM busybox\nARG N\nRUN echo "n=$N" > /n\nCMD ["cat", "/n"]\n' },
    ]);
    const stream = await docker.buildImage(Readable.from([tar]) as unknown as NodeJS.ReadableStream, { t: 'bh/dode-built:2', buildargs: { N: '42' } });
    const events = await new Promise<Array<{ stream?: string; aux?: { ID: string }; error?: string }>>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, out: Array<{ aux?: { ID: string } }>) => (err ? reject(err) : resolve(out))));
    assert.equal(events.find((x) => x.error), undefined, JSON.stringify(events));
    const id = events.find((x) => x.aux)?.aux?.ID;
    assert.match(String(id), /^sha256:[0-9a-f]{64}$/);
    assert.equal((await docker.getImage('bh/dode-built:2').inspect()).Id, id);
    assert.equal(e.dockerOk(['run', '--rm', 'bh/dode-built:2']), 'n=42');

    const bad = await docker.buildImage(Readable.from([await buildTar([{ name: 'Dockerfile', body: 'FROM busybox\nRUN exit 7\n' }])]) as unknown as NodeJS.ReadableStream, {});
    const badEvents = await new Promise<Array<{ error?: string; errorDetail?: { code?: number } }>>((resolve) =>
      docker.modem.followProgress(bad, (_err: Error | null, out: Array<{ error?: string }>) => resolve(out)));
    assert.match(String(badEvents.at(-1)?.error), /non-zero code: 7/);
    assert.equal(badEvents.at(-1)?.errorDetail?.code, 7);
  });
});

function spawnDocker(e: DockerTestEngine, args: string[], env: Record<string, string>) {
  const r = spawnSync('docker', args, { env: { ...e.dockerEnv, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
