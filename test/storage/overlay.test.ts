// Real overlay mounts (root): mount/unmount, where writes land, diff, and the commit layer tar.
import { readTar } from '../archive/tar-fixtures.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, linkSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerStorage, isMountPoint, readMountInfo } from '../../src/storage/index.js';
import { extractTar } from '../../src/archive/index.js';
import { runCommand } from '../../src/sys/run-command.js';

const base = mkdtempSync(join(tmpdir(), 'bh-test-overlay-'));
const mounted: string[] = [];
after(async () => {
  for (const m of mounted.reverse()) if (isMountPoint(m)) await runCommand('umount', ['-l', m], { allowFailure: true });
  rmSync(base, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

// Two image layers, topmost first: l1 over l2.
const l1 = join(base, 'layers/l1');
const l2 = join(base, 'layers/l2');
write(join(l2, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
write(join(l2, 'etc/keep'), 'v1\n');
write(join(l2, 'data/a'), 'a');
write(join(l2, 'data/b'), 'b');
write(join(l1, 'etc/from-l1'), 'l1\n');
write(join(l1, 'etc/keep'), 'v2\n');
const lowers = [l1, l2];

const storage = new ContainerStorage({ root: join(base, 'root') });
const id = 'bh-test-ctr1';

test('isMountPoint agrees with the mount table: mount roots only, a missing path is none', async () => {
  const rootfs = await storage.mount(id, lowers);
  mounted.push(rootfs);
  const table = new Set(readMountInfo().map((m) => m.mountPoint));
  for (const path of [rootfs, join(rootfs, 'etc'), join(rootfs, '..'), join(base, 'no-such-dir'), '/', '/proc', join(base, 'layers')]) {
    assert.equal(isMountPoint(path), table.has(join(path)), path);
  }
  assert.ok(isMountPoint(rootfs) && !isMountPoint(join(rootfs, 'etc')));
});

test('mount merges both lower dirs, is idempotent, and writes land in upper', async () => {
  const rootfs = await storage.mount(id, lowers);
  mounted.push(rootfs);
  assert.equal(rootfs, join(base, 'root/containers', id, 'rootfs'));
  assert.ok(storage.isMounted(id));
  assert.equal(await storage.mount(id, lowers), rootfs);
  assert.equal(readMountInfo().filter((m) => m.mountPoint === rootfs).length, 1, 'mounted once');
  assert.equal(readFileSync(join(rootfs, 'etc/keep'), 'utf8'), 'v2\n');
  assert.equal(readFileSync(join(rootfs, 'etc/passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
  assert.ok(existsSync(join(rootfs, 'etc/from-l1')));

  writeFileSync(join(rootfs, 'newfile'), 'new');
  writeFileSync(join(rootfs, 'etc/keep'), 'v3\n');
  unlinkSync(join(rootfs, 'etc/passwd'));
  rmSync(join(rootfs, 'data'), { recursive: true });
  mkdirSync(join(rootfs, 'data'));
  writeFileSync(join(rootfs, 'data/fresh'), 'f');
  writeFileSync(join(rootfs, 'hl1'), 'hard');
  linkSync(join(rootfs, 'hl1'), join(rootfs, 'hl2'));
  symlinkSync('/etc/keep', join(rootfs, 'sl'));

  const upper = join(base, 'root/containers', id, 'upper');
  assert.equal(readFileSync(join(upper, 'newfile'), 'utf8'), 'new');
  assert.equal(readFileSync(join(upper, 'etc/keep'), 'utf8'), 'v3\n');
  assert.equal(readFileSync(join(l1, 'etc/keep'), 'utf8'), 'v2\n', 'lower layers never change');
  assert.ok(statSync(join(upper, 'etc/passwd')).isCharacterDevice(), 'deletion is a whiteout in upper');
});

test('changes reports A, C and D, including an opaque directory', async () => {
  const changes = await storage.changes(id, lowers);
  assert.deepEqual(changes, [
    { kind: 'C', path: '/data' },
    { kind: 'D', path: '/data/a' },
    { kind: 'D', path: '/data/b' },
    { kind: 'A', path: '/data/fresh' },
    { kind: 'C', path: '/etc' },
    { kind: 'C', path: '/etc/keep' },
    { kind: 'D', path: '/etc/passwd' },
    { kind: 'A', path: '/hl1' },
    { kind: 'A', path: '/hl2' },
    { kind: 'A', path: '/newfile' },
    { kind: 'A', path: '/sl' },
  ]);
});


test('layerTar turns overlay markers into OCI whiteouts', async () => {
  const entries = await readTar(storage.layerTar(id));
  assert.deepEqual([...entries.keys()].sort(), [
    'data/', 'data/.wh..wh..opq', 'data/fresh', 'etc/', 'etc/.wh.passwd', 'etc/keep', 'hl1', 'hl2', 'newfile', 'sl',
  ]);
  assert.equal(entries.get('etc/keep')!.body, 'v3\n');
  assert.equal(entries.get('etc/.wh.passwd')!.type, 'file');
  assert.equal(entries.get('sl')!.type, 'symlink');
  assert.equal(entries.get('sl')!.linkname, '/etc/keep');
  assert.equal(entries.get('hl2')!.type, 'link');
  assert.equal(entries.get('hl2')!.linkname, 'hl1');
});

test('layerTar round trip: the layer applied over the image gives the container view', async () => {
  const layer = join(base, 'layers/committed');
  mkdirSync(layer);
  await extractTar(storage.layerTar(id), layer, { whiteouts: 'overlay', preserveOwner: true });
  const view = join(base, 'view');
  mkdirSync(view);
  // read-only overlay of committed + image layers, no upper
  await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layer}:${l1}:${l2}`, view]);
  mounted.push(view);
  try {
    const rootfs = storage.rootfsPath(id);
    const list = (dir: string, sub: string) => readdirSync(join(dir, sub)).sort();
    for (const sub of ['.', 'etc', 'data']) assert.deepEqual(list(view, sub), list(rootfs, sub), `contents of ${sub}`);
    assert.equal(readFileSync(join(view, 'etc/keep'), 'utf8'), 'v3\n');
    assert.ok(!existsSync(join(view, 'etc/passwd')));
    assert.deepEqual(list(view, 'data'), ['fresh']);
  } finally {
    await runCommand('umount', [view]);
  }
});

test('unmount and remove are idempotent and leave nothing behind', async () => {
  await storage.unmount(id);
  assert.ok(!storage.isMounted(id));
  await storage.unmount(id);
  // mount again after unmount: the container's writes are still there
  const rootfs = await storage.mount(id, lowers);
  assert.equal(readFileSync(join(rootfs, 'newfile'), 'utf8'), 'new');
  // export: the merged view, deletions applied, no overlay markers
  const exported = await readTar(storage.exportRootfs(id));
  const names = [...exported.keys()].map((n) => n.replace(/^\.\//, '').replace(/\/$/, ''));
  assert.equal(exported.get([...exported.keys()].find((n) => n.endsWith('etc/keep'))!)!.body, 'v3\n');
  assert.ok(names.includes('etc/from-l1') && names.includes('data/fresh'));
  assert.ok(!names.includes('etc/passwd') && !names.includes('data/a') && !names.some((n) => n.includes('.wh.')));
  await storage.remove(id);
  assert.ok(!storage.isMounted(id));
  assert.ok(!existsSync(join(base, 'root/containers', id)));
  await storage.remove(id);
  assert.equal(readFileSync(join(l2, 'data/a'), 'utf8'), 'a', 'image layers untouched');
});

test('a removal moves the directory to the trash at once and deletes it there; sweepTrash empties what is left', async () => {
  const rootfs = await storage.mount('bh-test-trash', lowers);
  mounted.push(rootfs);
  write(join(rootfs, 'scratch/big'), 'x'.repeat(1 << 20));
  await storage.remove('bh-test-trash');
  assert.ok(!existsSync(join(base, 'root/containers/bh-test-trash')), 'gone from the containers folder on return');
  const trash = join(base, 'root/trash');
  for (let i = 0; i < 100 && readdirSync(trash).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(readdirSync(trash), [], 'the background delete finished');
  // What a daemon stopped mid-delete leaves behind is emptied by the next start's sweep.
  write(join(trash, 'cut-short/upper/file'), 'left');
  await storage.sweepTrash();
  assert.ok(!existsSync(trash));
});

test('many lower layers still fit in one mount (short relative lowerdir links)', async () => {
  const many: string[] = [];
  for (let i = 0; i < 60; i++) {
    const d = join(base, 'layers', `a-rather-long-layer-directory-name-to-overflow-the-page-${'x'.repeat(20)}-${i}`);
    write(join(d, `f${i}`), String(i));
    many.push(d);
  }
  assert.ok(many.join(':').length > 4096);
  const rootfs = await storage.mount('bh-test-many', many);
  mounted.push(rootfs);
  assert.equal(readdirSync(rootfs).length, 60);
  assert.equal(readlinkSync(join(base, 'root/containers/bh-test-many/l/59')), many[59]);
  await storage.remove('bh-test-many');
  // Layers whose absolute paths fit need no links: no file is made for them.
  mounted.push(await storage.mount('bh-test-few', lowers));
  assert.equal(existsSync(join(base, 'root/containers/bh-test-few/l')), false);
  await storage.remove('bh-test-few');
  await assert.rejects(storage.mount('../escape', many), /invalid container id/);
});
