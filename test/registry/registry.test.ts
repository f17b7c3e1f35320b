// Registry pull/push/login against the real docker-registry server: push then pull into a fresh engine, re-pull
// without downloads, pull by digest, a two-platform index, a corrupted blob, login/logout over TLS with
// htpasswd, and interoperability with skopeo in both directions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';
import { TestRegistry, haveRegistry } from './registry-server.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveRegistry ? 'docker-registry is not installed (apt-get install docker-registry)' : false;
const haveSkopeo = spawnSync('skopeo', ['--version']).status === 0;
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
const hostArch = ARCH[process.arch] ?? process.arch;

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const imageId = (e: TestEngine, ref: string) => (JSON.parse(e.ok(['image', 'inspect', ref])) as Array<{ Id: string }>)[0]!.Id;

/** Uploads a blob to the registry over plain HTTP the way a client does (POST, then PUT with the digest). */
async function putBlob(reg: TestRegistry, repo: string, data: Buffer): Promise<string> {
  const start = await fetch(`http://${reg.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const url = new URL(start.headers.get('location')!, `http://${reg.host}`);
  url.searchParams.set('digest', sha(data));
  const put = await fetch(url, { method: 'PUT', body: new Uint8Array(data), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 201, await put.text());
  return sha(data);
}

describe('registry', { skip }, () => {
  let open: TestRegistry;
  let secure: TestRegistry;
  let a: TestEngine;   // has busybox, pushes
  let b: TestEngine;   // starts empty, pulls
  const tmp = mkdtempSync(join(tmpdir(), 'bh-test-regfiles-'));

  before(async () => {
    open = await TestRegistry.start();
    secure = await TestRegistry.start({ tls: true, auth: { user: 'alice', password: 's3cret' } });
    a = await new TestEngine().setup();
    b = new TestEngine();
    await b.startDaemon();
  });

  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await open?.stop();
    await secure?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  let pushedDigest = '';

  it('pushes an image and pulls it into a fresh engine with the same id, and it runs', () => {
    const ref = `${open.host}/bh/busybox:1`;
    a.ok(['tag', 'busybox', ref]);
    const out = a.ok(['push', ref]);
    pushedDigest = out.split('\n').pop()!;
    assert.match(pushedDigest, /^sha256:[a-f0-9]{64}$/);
    const pulled = b.ok(['pull', ref]);
    assert.match(pulled, /Pull complete/);
    assert.equal(imageId(b, ref), imageId(a, 'busybox'));
    assert.equal(b.ok(['run', '--rm', ref, 'echo', 'hello from the registry']), 'hello from the registry');
  });

  it('re-pulls without downloading any blob', () => {
    const before = open.blobGets();
    assert.ok(before > 0, 'the first pull downloaded blobs');
    const out = b.ok(['pull', `${open.host}/bh/busybox:1`]);
    assert.match(out, /Already exists/);
    assert.equal(open.blobGets(), before, 'no blob (layer or config) is downloaded again');
  });

  it('pulls by digest', () => {
    const ref = `${open.host}/bh/busybox@${pushedDigest}`;
    b.ok(['pull', ref]);
    assert.equal(imageId(b, ref), imageId(a, 'busybox'));
  });

  it("picks the host's platform from a two-platform index, and another with --platform", async () => {
    const repo = 'bh/multi';
    const mres = await fetch(`http://${open.host}/v2/bh/busybox/manifests/1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const hostManifest = Buffer.from(await mres.arrayBuffer());
    const m = JSON.parse(hostManifest.toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number; mediaType: string }> };
    const hostConfig = Buffer.from(await (await fetch(`http://${open.host}/v2/bh/busybox/blobs/${m.config.digest}`)).arrayBuffer());
    // the same layer under an image claiming another architecture
    const other = 'riscv64' === hostArch ? 's390x' : 'riscv64';
    const otherConfig = Buffer.from(JSON.stringify({ ...JSON.parse(hostConfig.toString()), architecture: other }));
    for (const blob of [hostConfig, otherConfig]) await putBlob(open, repo, blob);
    for (const l of m.layers) {
      const data = Buffer.from(await (await fetch(`http://${open.host}/v2/bh/busybox/blobs/${l.digest}`)).arrayBuffer());
      await putBlob(open, repo, data);
    }
    const manifests: Array<{ body: Buffer; arch: string }> = [];
    for (const [cfg, arch] of [[otherConfig, other], [hostConfig, hostArch]] as const) {
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length }, layers: m.layers }));
      const put = await fetch(`http://${open.host}/v2/${repo}/manifests/${sha(body)}`, { method: 'PUT', body: new Uint8Array(body), headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(put.status, 201, await put.text());
      manifests.push({ body, arch });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: manifests.map((x) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(x.body), size: x.body.length, platform: { os: 'linux', architecture: x.arch } })) }));
    const put = await fetch(`http://${open.host}/v2/${repo}/manifests/2`, { method: 'PUT', body: new Uint8Array(index), headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(put.status, 201, await put.text());

    b.ok(['pull', `${open.host}/${repo}:2`]);
    assert.equal(imageId(b, `${open.host}/${repo}:2`), sha(hostConfig));
    b.ok(['rmi', `${open.host}/${repo}:2`]);
    b.ok(['pull', '--platform', `linux/${other}`, `${open.host}/${repo}:2`]);
    assert.equal(imageId(b, `${open.host}/${repo}:2`), sha(otherConfig));
    const missing = b.run(['pull', '--platform', 'linux/mips64le', `${open.host}/${repo}:2`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no image for linux\/mips64le/);
  });

  it('detects a corrupted blob and stores nothing', () => {
    const src = join(tmp, 'rootfs');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'data.txt'), 'A'.repeat(100_000));
    const tarFile = join(tmp, 'layer.tar');
    assert.equal(spawnSync('tar', ['-C', src, '-cf', tarFile, '.']).status, 0);
    const ref = `${open.host}/bh/corrupt:1`;
    a.ok(['import', tarFile, ref]);
    a.ok(['push', ref]);
    const digest = sha(readFileSync(tarFile)); // an uncompressed import is stored and pushed as given
    const file = open.blobFile(digest);
    const bytes = readFileSync(file);
    bytes[bytes.length - 2048 - 10] ^= 0xff; // inside the tar, same size
    writeFileSync(file, bytes);
    const layersBefore = readdirSync(join(b.root, 'layers')).length;
    const blobsBefore = readdirSync(join(b.root, 'content', 'blobs', 'sha256')).length;
    const r = b.run(['pull', ref]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /digest mismatch/);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one-line error, got: ${r.stderr}`);
    assert.equal(readdirSync(join(b.root, 'layers')).length, layersBefore);
    assert.equal(readdirSync(join(b.root, 'content', 'blobs', 'sha256')).length, blobsBefore);
    assert.deepEqual(readdirSync(join(b.root, 'tmp')), []);
    assert.notEqual(b.run(['image', 'inspect', ref]).code, 0);
  });

  it('pulls a gzip-compressed layer, unpacked as it streams', () => {
    const src = join(tmp, 'gzroot');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc', 'gz.txt'), 'compressed\n');
    const tgz = join(tmp, 'layer.tar.gz');
    assert.equal(spawnSync('tar', ['-C', src, '-czf', tgz, '.']).status, 0);
    const ref = `${open.host}/bh/gz:1`;
    a.ok(['import', tgz, ref]);
    a.ok(['push', ref]);
    b.ok(['pull', ref]);
    const id = imageId(b, ref);
    assert.equal(id, imageId(a, ref));
    const config = JSON.parse(readFileSync(join(b.root, 'content', 'blobs', 'sha256', id.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] } };
    const diff = join(b.root, 'layers', config.rootfs.diff_ids[0]!.slice(7), 'diff');
    assert.equal(readFileSync(join(diff, 'etc', 'gz.txt'), 'utf8'), 'compressed\n');
  });

  it('logs in over TLS with htpasswd (0600 file), refuses a wrong password in one line, logs out', () => {
    const certs = join(b.root, 'certs.d', secure.host);
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'ca.crt'), secure.cert());
    const ref = `${secure.host}/bh/private:1`;

    const wrong = b.run(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 'nope\n' });
    assert.notEqual(wrong.code, 0);
    assert.equal(wrong.stderr.trim().split('\n').length, 1, wrong.stderr);
    assert.match(wrong.stderr, /unauthorized/);
    const anonymous = b.run(['pull', ref]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /login/);

    assert.match(b.ok(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 's3cret\n' }), /Login Succeeded/);
    const authFile = join(b.root, 'auth.json');
    assert.equal(statSync(authFile).mode & 0o777, 0o600);
    assert.ok(JSON.parse(readFileSync(authFile, 'utf8')).auths[secure.host]);

    b.ok(['tag', `${open.host}/bh/busybox:1`, ref]);
    b.ok(['push', ref]);
    b.ok(['rmi', ref]);
    b.ok(['pull', ref]);
    assert.equal(imageId(b, ref), imageId(a, 'busybox'));

    b.ok(['logout', secure.host]);
    assert.equal(JSON.parse(readFileSync(authFile, 'utf8')).auths[secure.host], undefined);
    assert.notEqual(b.run(['logout', secure.host]).code, 0);
  });

  it('an image pushed by Bulkhead is copied intact by skopeo, and one pushed by skopeo runs in Bulkhead', { skip: !haveSkopeo && 'skopeo is not installed' }, () => {
    const layout = join(tmp, 'oci');
    const copy = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${open.host}/bh/busybox:1`, `oci:${layout}:x`], { stdio: 'pipe' });
    assert.equal(copy.status, 0, copy.stderr?.toString());
    assert.ok(existsSync(join(layout, 'index.json')));
    const back = spawnSync('skopeo', ['copy', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${layout}:x`, `docker://${open.host}/bh/fromskopeo:1`], { stdio: 'pipe' });
    assert.equal(back.status, 0, back.stderr?.toString());
    // not present in b: `run` pulls it first
    const r = b.run(['run', '--rm', `${open.host}/bh/fromskopeo:1`, 'echo', 'skopeo ok']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'skopeo ok');
    assert.match(r.stderr, /Unable to find image/);
  });
});
