// Hostile symlinks in a container rootfs and its mounts: resolution and cp in both directions must stay inside
// what the container sees.
import { readTar } from '../archive/tar-fixtures.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import tarStream from 'tar-stream';
import { errorKind } from '../../src/core/index.js';
import { buildView, copyFromContainer, copyToContainer, resolveInRoot } from '../../src/storage/index.js';

const base = mkdtempSync(join(tmpdir(), 'bh-test-securepath-'));
const hostDir = join(base, 'host');          // stands for host files a container must never reach
const rootfs = join(base, 'rootfs');
const view = { rootfs, mounts: [] };
after(() => rmSync(base, { recursive: true, force: true }));

mkdirSync(hostDir);
writeFileSync(join(hostDir, 'secret'), 'host secret');
for (const d of ['etc', 'a/b', 'tmp', 'dest']) mkdirSync(join(rootfs, d), { recursive: true });
writeFileSync(join(rootfs, 'etc/passwd'), 'container passwd');
symlinkSync('/etc', join(rootfs, 'abs'));                          // absolute → rootfs/etc
symlinkSync('../../../../../../etc', join(rootfs, 'a/b/up'));      // climbs above / → rootfs/etc
symlinkSync('/', join(rootfs, 'toroot'));
symlinkSync(hostDir, join(rootfs, 'hostdir'));                    // absolute host path → rootfs/<hostDir>
symlinkSync('loop2', join(rootfs, 'loop1'));
symlinkSync('loop1', join(rootfs, 'loop2'));
symlinkSync('b/../../abs/passwd', join(rootfs, 'a/chain'));

test('resolveInRoot follows symlinks inside the rootfs only', async () => {
  assert.equal(await resolveInRoot(rootfs, '/abs/passwd'), join(rootfs, 'etc/passwd'));
  assert.equal(await resolveInRoot(rootfs, '/a/b/up/passwd'), join(rootfs, 'etc/passwd'));
  assert.equal(await resolveInRoot(rootfs, '/../../../etc/passwd'), join(rootfs, 'etc/passwd'));
  assert.equal(await resolveInRoot(rootfs, 'toroot/../..'), rootfs);
  assert.equal(await resolveInRoot(rootfs, '/hostdir/secret'), join(rootfs, hostDir, 'secret'));
  assert.equal(await resolveInRoot(rootfs, '/a/chain'), join(rootfs, 'etc/passwd'));
  assert.equal(await resolveInRoot(rootfs, '/missing/x/../y'), join(rootfs, 'missing/y'));
  await assert.rejects(resolveInRoot(rootfs, '/loop1/x'), (e) => errorKind(e) === 'InvalidArgument' && /too many levels of symbolic links/.test(String(e)));
});

async function tarOf(entries: Array<{ name: string; body?: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string }>): Promise<Readable> {
  const pack = tarStream.pack();
  for (const e of entries) {
    if ((e.type ?? 'file') === 'file') pack.entry({ name: e.name, type: 'file' }, e.body ?? '');
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Readable.from([Buffer.concat(chunks)]);
}

test('copyToContainer into a symlink to / lands in the rootfs, as do tar entries through links', async () => {
  const name = `bh-test-sentinel-${randomBytes(4).toString('hex')}`;
  await copyToContainer(view, '/toroot', await tarOf([{ name, body: 'in container' }]));
  assert.equal(readFileSync(join(rootfs, name), 'utf8'), 'in container');
  assert.ok(!existsSync(join('/', name)), 'never on the host root');

  // an entry through an existing container link to a host path, and a link planted by the tar itself
  await copyToContainer(view, '/dest', await tarOf([
    { name: 'esc', type: 'symlink', linkname: hostDir },
    { name: 'esc/secret', body: 'overwritten?' },
  ])).catch(() => undefined); // rejecting the archive is as good as confining it
  assert.equal(readFileSync(join(hostDir, 'secret'), 'utf8'), 'host secret');
  // the link's target is looked up inside the rootfs, where it does not exist yet
  await assert.rejects(copyToContainer(view, '/hostdir', await tarOf([{ name: 'secret', body: 'x' }])), (e) => errorKind(e) === 'NotFound');
  mkdirSync(join(rootfs, hostDir), { recursive: true });
  await copyToContainer(view, '/hostdir', await tarOf([{ name: 'secret', body: 'overwritten?' }]));
  assert.equal(readFileSync(join(hostDir, 'secret'), 'utf8'), 'host secret');
  assert.equal(readFileSync(join(rootfs, hostDir, 'secret'), 'utf8'), 'overwritten?');

  await assert.rejects(copyToContainer(view, '/nowhere', await tarOf([{ name: 'f' }])), (e) => errorKind(e) === 'NotFound');
  await assert.rejects(copyToContainer(view, '/etc/passwd', await tarOf([{ name: 'f' }])), (e) => errorKind(e) === 'InvalidArgument');
});

async function tarEntries(stream: Readable): Promise<Map<string, string>> {
  const entries = await readTar(stream);
  return new Map([...entries].map(([name, e]) => [name, e.type === 'symlink' ? `-> ${e.linkname}` : e.body]));
}

test('copyFromContainer reads through container links inside the rootfs, never host files', async () => {
  const { stream, stat } = await copyFromContainer(view, '/abs/passwd');
  assert.equal(stat.name, 'passwd');
  assert.equal(stat.size, 'container passwd'.length);
  assert.deepEqual([...(await tarEntries(stream)).values()], ['container passwd']);

  // the last component is not followed: copying a link copies the link
  const link = await copyFromContainer(view, '/hostdir');
  assert.equal(link.stat.linkTarget, hostDir);
  const entries = await tarEntries(link.stream);
  assert.deepEqual([...entries.values()], [`-> ${hostDir}`]);

  // a trailing slash follows it, inside the rootfs: rootfs/<hostDir> holds the copy made above, not the host file
  const dir = await copyFromContainer(view, '/hostdir/');
  const inDir = await tarEntries(dir.stream);
  assert.ok([...inDir.values()].includes('overwritten?'));
  assert.ok(![...inDir.values()].includes('host secret'));

  await assert.rejects(copyFromContainer(view, '/nope/file'), (e) => errorKind(e) === 'NotFound');
  await assert.rejects(copyFromContainer(view, '/loop1/x'), (e) => errorKind(e) === 'InvalidArgument');
});

test('cp resolves through the mounts, longest destination first, and links in a mount stay in the container', async () => {
  const vol = join(base, 'vol');          // a volume's host directory
  const inner = join(base, 'inner');      // a bind mounted inside the volume's mount point
  for (const d of [join(vol, 'sub'), inner, join(rootfs, 'data')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(vol, 'sub', 'f'), 'in volume');
  writeFileSync(join(inner, 'g'), 'in inner bind');
  writeFileSync(join(rootfs, 'data', 'hidden'), 'rootfs under the mount');
  symlinkSync('/', join(vol, 'esc'));                      // the container's /, not the host's
  symlinkSync('../../../../..', join(vol, 'up'));
  const mounted = { rootfs, mounts: [
    { destination: '/data', source: vol, readOnly: false },
    { destination: '/data/sub/inner', source: inner, readOnly: true },
    { destination: '/scratch', readOnly: false },
  ] };
  const read = async (p: string) => [...(await tarEntries((await copyFromContainer(mounted, p)).stream)).values()];
  assert.deepEqual(await read('/data/sub/f'), ['in volume']);
  assert.deepEqual(await read('/data/sub/inner/g'), ['in inner bind']);
  await assert.rejects(copyFromContainer(mounted, '/data/hidden'), (e) => errorKind(e) === 'NotFound');
  // a directory copied out holds the mounts below it
  assert.deepEqual((await read('/data/sub')).sort(), ['', '', 'in inner bind', 'in volume'].sort());
  assert.deepEqual(await read('/data/esc/etc/passwd'), ['container passwd']);
  assert.deepEqual(await read('/data/up/etc/passwd'), ['container passwd']);

  const name = `bh-test-sentinel-${randomBytes(4).toString('hex')}`;
  await copyToContainer(mounted, '/data/esc/', await tarOf([{ name, body: 'through the link' }]));
  assert.equal(readFileSync(join(rootfs, name), 'utf8'), 'through the link');
  assert.ok(!existsSync(join('/', name)), 'never on the host root');
  await copyToContainer(mounted, '/data', await tarOf([{ name: 'new', body: 'into the volume' }]));
  assert.equal(readFileSync(join(vol, 'new'), 'utf8'), 'into the volume');
  assert.ok(!existsSync(join(rootfs, 'data', 'new')));

  // an entry that would cross a mount point below the destination is refused, not written under the mount
  await assert.rejects(copyToContainer(mounted, '/data/sub', await tarOf([{ name: 'inner/x', body: 'under the mount?' }])),
    (e) => errorKind(e) === 'InvalidArgument' && /inner is a mount point in the container/.test(String(e)));
  await assert.rejects(copyToContainer(mounted, '/', await tarOf([{ name: 'scratch', type: 'directory' }])), /scratch is a mount point/);
  assert.ok(!existsSync(join(vol, 'sub', 'inner', 'x')) && !existsSync(join(inner, 'x')));

  let seen: { mount?: { destination: string } } | undefined;
  await copyToContainer(mounted, '/data/sub/inner', await tarOf([{ name: 'x' }]), { check: (at) => { seen = at; throw new Error('refused'); } })
    .catch(() => undefined);
  assert.equal(seen?.mount?.destination, '/data/sub/inner');
  assert.ok(!existsSync(join(inner, 'x')));
  await assert.rejects(copyFromContainer(mounted, '/scratch/f'), (e) => errorKind(e) === 'NotSupported' && /tmpfs/.test(String(e)));
});

test('a mount whose destination crosses a rootfs symlink sits where the runtime put it', async () => {
  const src = join(base, 'linked-src');
  mkdirSync(src);
  writeFileSync(join(src, 'f'), 'in the linked mount');
  mkdirSync(join(rootfs, 'real-run'));
  symlinkSync('/real-run', join(rootfs, 'var-run'));              // like an image's /var/run -> /run
  const view = await buildView(rootfs, [{ destination: '/var-run/m', source: src, readOnly: false }]);
  assert.deepEqual(view.mounts.map((m) => m.destination), ['/real-run/m']);
  for (const p of ['/var-run/m/f', '/real-run/m/f']) {
    assert.deepEqual([...(await tarEntries((await copyFromContainer(view, p)).stream)).values()], ['in the linked mount']);
  }
});
