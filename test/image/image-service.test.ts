// ImageService against a real store on disk: bootstrap, import, tag/rmi/prune, save/load round trips in both
// formats (multi-layer, with whiteouts), and hostile or broken archives that must leave nothing behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { errorKind, type ImageRecord } from '../../src/core/index.js';
import { ImageService, familiarName, normalizeReference } from '../../src/image/index.js';
import { buildTar, tempDir } from '../archive/tar-fixtures.js';
import { FakeImageMetadata } from './fake-metadata.js';

let base: string;
let cleanup: () => Promise<void>;
let n = 0;

before(async () => ({ dir: base, cleanup } = await tempDir('image')));
after(async () => cleanup());

async function freshService(): Promise<{ svc: ImageService; root: string; store: FakeImageMetadata }> {
  const root = join(base, `root-${n++}`);
  const store = new FakeImageMetadata();
  const svc = new ImageService({ root, store });
  await svc.init();
  return { svc, root, store };
}

async function collect(fn: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await fn(out);
  return Buffer.concat(chunks);
}

/** Blob, layer and tmp entries of a store, to check that a failure left nothing. */
async function storeContents(root: string): Promise<string[]> {
  const list = async (d: string) => (existsSync(d) ? (await readdir(d)).map((f) => `${d.slice(root.length)}/${f}`) : []);
  return [...await list(join(root, 'content/blobs/sha256')), ...await list(join(root, 'layers')), ...await list(join(root, 'tmp'))];
}

async function expectKind(p: Promise<unknown>, kind: string): Promise<void> {
  await assert.rejects(p, (err) => { assert.equal(errorKind(err), kind, String(err)); return true; });
}

const inUseNever = () => false;

/** A two-layer image: layer 2 deletes d/gone and makes o opaque. */
async function twoLayerImage(svc: ImageService): Promise<ImageRecord> {
  const l1 = await buildTar([
    { name: 'd', type: 'directory', mode: 0o755 }, { name: 'd/keep', body: 'k' }, { name: 'd/gone', body: 'g' },
    { name: 'o', type: 'directory', mode: 0o755 }, { name: 'o/lower-only', body: 'l' },
  ]);
  const l2 = await buildTar([
    { name: 'd/.wh.gone', body: '' }, { name: 'o', type: 'directory', mode: 0o755 },
    { name: 'o/.wh..wh..opq', body: '' }, { name: 'o/upper', body: 'u' },
  ], { gzip: true });
  const parent = await svc.importTarball(Readable.from([l1]), { reference: 'bh-test/base:1' });
  return svc.commit({ parent, layerTar: Readable.from([l2]), config: { Cmd: ['sh'] }, reference: 'bh-test/two:layers', comment: 'c' });
}

function assertWhiteoutsApplied(svc: ImageService, image: ImageRecord, mnt: string): void {
  const dirs = svc.layerDirs(image);
  assert.equal(dirs.length, 2);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${dirs.join(':')}`, mnt]);
  try {
    assert.deepEqual(execFileSync('ls', [join(mnt, 'd')]).toString().split('\n').filter(Boolean), ['keep']);
    assert.deepEqual(execFileSync('ls', [join(mnt, 'o')]).toString().split('\n').filter(Boolean), ['upper']);
  } finally {
    execFileSync('umount', [mnt]);
  }
}

describe('references', () => {
  test('normalise like docker and reject bad names in one line', () => {
    assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeReference('localhost:5000/a/b:1'), 'localhost:5000/a/b:1');
    assert.equal(normalizeReference('user/app:v2'), 'docker.io/user/app:v2');
    const d = `sha256:${'a'.repeat(64)}`;
    assert.equal(normalizeReference(`busybox@${d}`), `docker.io/library/busybox@${d}`);
    assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
    for (const bad of ['Busybox', 'a:b:c', 'busybox:', 'a//b', 'x@sha256:12', '-a', 'a:' + 't'.repeat(129)]) {
      assert.throws(() => normalizeReference(bad), (err) => errorKind(err) === 'InvalidArgument' && !String((err as Error).message).includes('\n'), bad);
    }
  });
});

describe('ImageService', () => {
  test('bootstrapBusybox makes a runnable-looking rootfs; the id is reproducible', async () => {
    const { svc } = await freshService();
    const img = await svc.bootstrapBusybox();
    assert.deepEqual(img.names, ['docker.io/library/busybox:latest']);
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    const [dir] = svc.layerDirs(img);
    assert.ok((await lstat(join(dir!, 'bin/busybox'))).isFile());
    assert.equal((await lstat(join(dir!, 'tmp'))).mode & 0o7777, 0o1777);
    assert.match(await readFile(join(dir!, 'etc/passwd'), 'utf8'), /^root:x:0:0:.*\nnobody:x:65534/);
    assert.match(await readFile(join(dir!, 'etc/group'), 'utf8'), /^root:x:0:/);
    assert.ok((await lstat(join(dir!, 'bin/sh'))).isSymbolicLink());
    const out = execFileSync('chroot', [dir!, '/bin/sh', '-c', 'echo hi; id -un']).toString();
    assert.equal(out, 'hi\nroot\n');
    const { svc: other } = await freshService();
    assert.equal((await other.bootstrapBusybox()).id, img.id);
    await svc.verifyImage(img);
  });

  test('import, resolve, tag, rmi', async () => {
    const { svc, root } = await freshService();
    const img = await svc.importTarball(Readable.from([await buildTar([{ name: 'hello', body: 'world' }], { gzip: true })]),
      { reference: 'bh-test/imp', config: { Cmd: ['/hello'] }, message: 'from test' });
    assert.equal(img.size, 5);
    assert.equal(img.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    assert.equal(svc.resolve('bh-test/imp').id, img.id);
    assert.equal(svc.resolve('bh-test/imp:latest').id, img.id);
    assert.equal(svc.resolve(img.id.slice(7, 19)).id, img.id);
    assert.equal(svc.resolve(img.id).id, img.id);
    assert.throws(() => svc.resolve('nope'), (e) => errorKind(e) === 'NotFound' && /no such image: nope/.test(String(e)));
    svc.tag('bh-test/imp', 'bh-test/other:v1');
    assert.deepEqual(svc.resolve('bh-test/other:v1').names, ['docker.io/bh-test/imp:latest', 'docker.io/bh-test/other:v1']);
    assert.throws(() => svc.tag('bh-test/imp', 'BAD'), (e) => errorKind(e) === 'InvalidArgument');
    await expectKind(svc.remove(img.id, { force: false, isInUse: inUseNever }), 'Conflict');
    assert.deepEqual(await svc.remove('bh-test/other:v1', { force: false, isInUse: inUseNever }), ['Untagged: bh-test/other:v1']);
    await expectKind(svc.remove('bh-test/imp', { force: false, isInUse: () => true }), 'Conflict');
    assert.deepEqual(await svc.remove('bh-test/imp', { force: false, isInUse: inUseNever }), ['Untagged: bh-test/imp:latest', `Deleted: ${img.id}`]);
    assert.deepEqual(svc.list(), []);
    assert.deepEqual(await storeContents(root), []);
  });

  test('forced rmi of an image in use only untags it', async () => {
    const { svc } = await freshService();
    const img = await svc.importTarball(Readable.from([await buildTar([{ name: 'f', body: 'x' }])]), { reference: 'bh-test/used' });
    assert.deepEqual(await svc.remove('bh-test/used', { force: true, isInUse: () => true }), ['Untagged: bh-test/used:latest']);
    assert.deepEqual(svc.resolve(img.id).names, []);
    assert.equal(svc.layerDirs(img).length, 1);
  });

  test('prune removes dangling images (all unused with all) and frees their layers', async () => {
    const { svc, root } = await freshService();
    const two = await twoLayerImage(svc);
    const base1 = svc.resolve('bh-test/base:1');
    svc.tag(two.id, 'bh-test/keep');
    await svc.remove('bh-test/two:layers', { force: false, isInUse: inUseNever });
    const dangling = await svc.importTarball(Readable.from([await buildTar([{ name: 'z', body: 'zz' }])]), {});
    const r1 = await svc.prune({ all: false, isInUse: inUseNever });
    assert.deepEqual(r1.deleted, [dangling.id]);
    assert.ok(r1.reclaimed > 0);
    const r2 = await svc.prune({ all: true, isInUse: (id) => id === two.id });
    assert.deepEqual(r2.deleted, [base1.id]);
    assert.equal(svc.layerDirs(two).length, 2, 'shared layer kept for the image still in use');
    const r3 = await svc.prune({ all: true, isInUse: inUseNever });
    assert.deepEqual(r3.deleted, [two.id]);
    assert.deepEqual(await storeContents(root), []);
  });

  for (const format of ['docker-archive', 'oci-archive'] as const) {
    test(`save → load (${format}) on a fresh root keeps id, names and whiteouts`, async () => {
      const { svc } = await freshService();
      const two = await twoLayerImage(svc);
      const bb = await svc.bootstrapBusybox('bh-test/bb:1');
      const tarball = await collect((out) => svc.save(['bh-test/two:layers', 'bh-test/bb:1'], format, out));
      const { svc: fresh } = await freshService();
      const loaded = await fresh.load(Readable.from([tarball]));
      assert.deepEqual(loaded.map((i) => i.id).sort(), [two.id, bb.id].sort());
      const got = fresh.resolve('bh-test/two:layers');
      assert.equal(got.id, two.id);
      assert.deepEqual(got.layers.map((l) => l.diffId), two.layers.map((l) => l.diffId));
      await fresh.verifyImage(got);
      const mnt = join(base, `mnt-${n++}`);
      await mkdir(mnt);
      assertWhiteoutsApplied(fresh, got, mnt);
      // loading again is idempotent and reuses the layers
      assert.deepEqual((await fresh.load(Readable.from([tarball]))).map((i) => i.id).sort(), [two.id, bb.id].sort());
      assert.equal(fresh.list().length, 2);
    });
  }

  test('a layer whose content does not match the manifest leaves nothing behind', async () => {
    const { svc } = await freshService();
    await twoLayerImage(svc);
    const good = await collect((out) => svc.save(['bh-test/two:layers'], 'docker-archive', out));
    // rebuild the archive with the second layer's bytes swapped for another tar
    const { extractTar } = await import('../../src/archive/index.js');
    const { dir, cleanup: done } = await tempDir('tamper');
    try {
      await extractTar(Readable.from([good]), dir, { whiteouts: 'literal' });
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
      await writeFile(join(dir, manifest[0]!.Layers[1]!), await buildTar([{ name: 'evil', body: 'x' }]));
      const { packPath } = await import('../../src/archive/index.js');
      const tampered = await collect(async (out) => { for await (const c of packPath(dir, { rebaseName: '.' })) out.write(c); });
      const { svc: fresh, root } = await freshService();
      await expectKind(fresh.load(Readable.from([tampered])), 'InvalidArgument');
      assert.deepEqual(fresh.list(), []);
      assert.deepEqual(await storeContents(root), []);
    } finally {
      await done();
    }
  });

  test('hostile or broken tarballs leave no image, layer or blob', async () => {
    const { svc, root } = await freshService();
    const cases: Buffer[] = [
      await buildTar([{ name: '../evil', body: 'x' }]),
      await buildTar([{ name: 'pw', type: 'link', linkname: '/etc/passwd' }]),
      (await buildTar([{ name: 'a', body: randomBytes(100_000) }], { gzip: true })).subarray(0, 50_000),
    ];
    for (const c of cases) await expectKind(svc.importTarball(Readable.from([c]), { reference: 'bh-test/bad' }), 'InvalidArgument');
    await expectKind(svc.load(Readable.from([await buildTar([{ name: 'junk', body: 'x' }])])), 'InvalidArgument');
    const badOci = await buildTar([
      { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', body: JSON.stringify({ manifests: [{ digest: `sha256:${'0'.repeat(64)}/../../x` }] }) },
    ]);
    await expectKind(svc.load(Readable.from([badOci])), 'InvalidArgument');
    assert.deepEqual(svc.list(), []);
    assert.deepEqual(await storeContents(root), []);
  });

  test('verifyImage notices a corrupted blob', async () => {
    const { svc, root } = await freshService();
    const img = await svc.importTarball(Readable.from([await buildTar([{ name: 'f', body: 'x' }])]), {});
    await writeFile(join(root, 'content/blobs/sha256', img.layers[0]!.digest.slice(7)), 'corrupt');
    await expectKind(svc.verifyImage(img), 'StateInvalid');
  });

  test('init removes staging left by a crash', async () => {
    const { svc, root } = await freshService();
    await writeFile(join(root, 'tmp', 'ingest-leftover'), 'x');
    await svc.init();
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  });
});
