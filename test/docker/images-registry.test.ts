// docker pull / push / login through Bulkhead's socket against a real docker-registry on 127.0.0.1: the JSON
// progress stream the CLI renders, "up to date" on a second pull, push --all-tags, errors as the CLI shows them,
// login checked against an htpasswd registry, and the same flows through dockerode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestRegistry, haveRegistry } from '../registry/registry-server.js';
import { DockerTestEngine, haveDockerCli } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveDockerCli() ? 'the docker CLI is not installed'
  : !haveRegistry ? 'docker-registry is not installed (apt-get install docker-registry)' : false;

describe('docker pull/push/login against a local registry', { skip }, () => {
  const e = new DockerTestEngine('bh-test-dregistry-');
  let open: TestRegistry;
  let locked: TestRegistry;
  let busyboxId = '';

  before(async () => {
    open = await TestRegistry.start();
    locked = await TestRegistry.start({ auth: { user: 'alice', password: 's3cret' } });
    await e.setup();
    busyboxId = e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'busybox']);
  });
  after(async () => {
    await e.cleanup();
    await open?.stop();
    await locked?.stop();
  });

  it('pushes with a progress stream, then pulls it back: downloaded first, up to date the second time', () => {
    const ref = `${open.host}/bh/busybox:1`;
    e.dockerOk(['tag', 'busybox', ref]);
    const pushed = e.dockerOk(['push', ref]);
    assert.match(pushed, new RegExp(`The push refers to repository \\[${open.host}/bh/busybox\\]`));
    assert.match(pushed, /^[0-9a-f]{12}: Pushed$/m);
    assert.match(pushed, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/m);

    e.dockerOk(['rmi', ref]);
    const pulled = e.dockerOk(['pull', ref]);
    assert.match(pulled, /Pulling from bh\/busybox/);
    assert.match(pulled, /^[0-9a-f]{12}: Already exists$/m, 'the layer is shared with the local busybox');
    assert.match(pulled, /^Digest: sha256:[0-9a-f]{64}$/m);
    assert.match(pulled, new RegExp(`^Status: Downloaded newer image for ${open.host}/bh/busybox:1$`, 'm'));
    assert.equal(e.dockerOk(['image', 'inspect', '--format', '{{.Id}}', ref]), busyboxId);
    assert.match(e.dockerOk(['pull', ref]), /Status: Image is up to date for/);
    assert.equal(e.dockerOk(['run', '--rm', ref, 'echo', 'pulled-runs']), 'pulled-runs');
  });

  it('push --all-tags pushes every tag of the repository; a missing image or tag fails clearly', () => {
    const repo = `${open.host}/bh/multi`;
    e.dockerOk(['tag', 'busybox', `${repo}:a`]);
    e.dockerOk(['tag', 'busybox', `${repo}:b`]);
    const out = e.dockerOk(['push', '--all-tags', repo]);
    assert.match(out, /^a: digest: sha256:/m);
    assert.match(out, /^b: digest: sha256:/m);

    const noImage = e.docker(['push', `${open.host}/bh/nothing:1`]);
    assert.equal(noImage.code, 1);
    assert.match(noImage.stderr, /An image does not exist locally with the tag: .*bh\/nothing/);
    const noTag = e.docker(['pull', `${open.host}/bh/multi:zzz`]);
    assert.equal(noTag.code, 1);
    assert.match(noTag.stderr, /manifest unknown|not found/i);
    const badRef = e.docker(['pull', `${open.host}/BH/Upper:1`]);
    assert.equal(badRef.code, 1);
    assert.match(badRef.stderr, /invalid reference format/);
  });

  it('login checks the credentials with the registry, and the engine then pushes and pulls with them', () => {
    const ref = `${locked.host}/bh/private:1`;
    e.dockerOk(['tag', 'busybox', ref]);
    const denied = e.docker(['push', ref]);
    assert.equal(denied.code, 1);
    assert.match(denied.stdout + denied.stderr, /unauthorized|authentication required/i);
    const wrong = e.docker(['login', locked.host, '-u', 'alice', '--password-stdin'], { input: 'wrong\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /unauthorized/i);
    assert.match(e.dockerOk(['login', locked.host, '-u', 'alice', '--password-stdin'], { input: 's3cret\n' }), /Login Succeeded/);
    assert.match(e.dockerOk(['push', ref]), /^1: digest: sha256:/m);
    e.dockerOk(['rmi', ref]);
    assert.match(e.dockerOk(['pull', ref]), /Status: Downloaded newer image/);
  });

  it('dockerode pulls and pushes with the progress stream and the push result in aux', async () => {
    const docker = e.dockerode();
    const ref = `${open.host}/bh/dode:7`;
    await docker.getImage('busybox').tag({ repo: `${open.host}/bh/dode`, tag: '7' });
    const image = docker.getImage(ref);
    const pushEvents = await follow(docker, await image.push({ authconfig: { username: '', password: '', serveraddress: open.host } }));
    const aux = pushEvents.find((ev) => ev.aux)?.aux as { Tag: string; Digest: string; Size: number } | undefined;
    assert.ok(aux, `no aux line in ${JSON.stringify(pushEvents)}`);
    assert.equal(aux.Tag, '7');
    assert.match(aux.Digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(aux.Size > 0);
    await image.remove();
    const pullEvents = await follow(docker, await docker.pull(ref));
    assert.ok(pullEvents.some((ev) => /Downloaded newer image/.test(String(ev.status))));
    assert.equal((await docker.getImage(ref).inspect()).Id, busyboxId);
    // A failure after the stream started is its last line, {error, errorDetail}, as Docker's daemon sends it.
    const failed = await follow(docker, await docker.pull(`${open.host}/bh/dode:missing`));
    assert.match(String(failed.at(-1)?.error), /manifest unknown|not found/i);
    assert.deepEqual(Object.keys(failed.at(-1)!).sort(), ['error', 'errorDetail']);
  });
});

type Event = { status?: string; aux?: unknown; error?: string };

/** Reads a JSON progress stream to its end (dockerode hands error lines back as events, not as a rejection). */
function follow(docker: ReturnType<DockerTestEngine['dockerode']>, stream: NodeJS.ReadableStream): Promise<Event[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Event[]) => (err ? reject(err) : resolve(out)));
  });
}
