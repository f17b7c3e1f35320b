// Hostile symlinks in a container rootfs: resolution and cp in both directions must stay inside it.
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
import { copyFromContainer, copyToContainer, resolveInRoot } from '../../src/storage/index.js';

const base = mkdtempSync(join(tmpdir(), 'bh-test-securepath-'));
const hostDir = join(base, 'host');          // stands for host files a container must never reach
const rootfs = join(base, 'rootfs');
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
  await copyToContainer(rootfs, '/toroot', await tarOf([{ name, body: 'in container' }]));
  assert.equal(readFileSync(join(rootfs, name), 'utf8'), 'in container');
  assert.ok(!existsSync(join('/', name)), 'never on the host root');

  // an entry through an existing container link to a host path, and a link planted by the tar itself
  await copyToContainer(rootfs, '/dest', await tarOf([
    { name: 'esc', type: 'symlink', linkname: hostDir },
    { name: 'esc/secret', body: 'overwritten?' },
  ])).catch(() => undefined); // rejecting the archive is as good as confining it
  assert.equal(readFileSync(join(hostDir, 'secret'), 'utf8'), 'host secret');
  // the link's target is looked up inside the rootfs, where it does not exist yet
  await assert.rejects(copyToContainer(rootfs, '/hostdir', await tarOf([{ name: 'secret', body: 'x' }])), (e) => errorKind(e) === 'NotFound');
  mkdirSync(join(rootfs, hostDir), { recursive: true });
  await copyToContainer(rootfs, '/hostdir', await tarOf([{ name: 'secret', body: 'overwritten?' }]));
  assert.equal(readFileSync(join(hostDir, 'secret'), 'utf8'), 'host secret');
  assert.equal(readFileSync(join(rootfs, hostDir, 'secret'), 'utf8'), 'overwritten?');

  await assert.rejects(copyToContainer(rootfs, '/nowhere', await tarOf([{ name: 'f' }])), (e) => errorKind(e) === 'NotFound');
  await assert.rejects(copyToContainer(rootfs, '/etc/passwd', await tarOf([{ name: 'f' }])), (e) => errorKind(e) === 'InvalidArgument');
});

async function tarEntries(stream: Readable): Promise<Map<string, string>> {
  const entries = await readTar(stream);
  return new Map([...entries].map(([name, e]) => [name, e.type === 'symlink' ? `-> ${e.linkname}` : e.body]));
}

test('copyFromContainer reads through container links inside the rootfs, never host files', async () => {
  const { stream, stat } = await copyFromContainer(rootfs, '/abs/passwd');
  assert.equal(stat.name, 'passwd');
  assert.equal(stat.size, 'container passwd'.length);
  assert.deepEqual([...(await tarEntries(stream)).values()], ['container passwd']);

  // the last component is not followed: copying a link copies the link
  const link = await copyFromContainer(rootfs, '/hostdir');
  assert.equal(link.stat.linkTarget, hostDir);
  const entries = await tarEntries(link.stream);
  assert.deepEqual([...entries.values()], [`-> ${hostDir}`]);

  // a trailing slash follows it, inside the rootfs: rootfs/<hostDir> holds the copy made above, not the host file
  const dir = await copyFromContainer(rootfs, '/hostdir/');
  const inDir = await tarEntries(dir.stream);
  assert.ok([...inDir.values()].includes('overwritten?'));
  assert.ok(![...inDir.values()].includes('host secret'));

  await assert.rejects(copyFromContainer(rootfs, '/nope/file'), (e) => errorKind(e) === 'NotFound');
  await assert.rejects(copyFromContainer(rootfs, '/loop1/x'), (e) => errorKind(e) === 'InvalidArgument');
});
