import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorKind } from '../../src/core/index.js';
import { VolumeService } from '../../src/storage/index.js';
import { FakeVolumeStore } from './fake-volume-store.js';

const base = mkdtempSync(join(tmpdir(), 'bh-test-volumes-'));
after(() => rmSync(base, { recursive: true, force: true }));

function service(): { svc: VolumeService; store: FakeVolumeStore; root: string } {
  const root = mkdtempSync(join(base, 'root-'));
  const store = new FakeVolumeStore();
  return { svc: new VolumeService({ root, store }), store, root };
}

test('create names, lists, returns an existing volume and rejects bad names', async () => {
  const { svc, root } = service();
  const v = await svc.create('data', { team: 'a' });
  assert.equal(v.mountpoint, join(root, 'volumes', 'data', '_data'));
  assert.ok(statSync(v.mountpoint).isDirectory());
  assert.deepEqual(v.labels, { team: 'a' });
  const again = await svc.create('data', { other: 'b' });
  assert.deepEqual(again, v);
  const anon = await svc.create();
  assert.match(anon.name, /^[0-9a-f]{64}$/);
  assert.deepEqual(svc.list().map((x) => x.name).sort(), [anon.name, 'data'].sort());
  await assert.rejects(svc.create('../evil'), (e) => errorKind(e) === 'InvalidArgument');
  await assert.rejects(svc.create('a b'), (e) => errorKind(e) === 'InvalidArgument');
  // nothing half-made left behind
  assert.deepEqual(readdirSync(join(root, 'volumes')).sort(), [anon.name, 'data'].sort());
});

test('remove: in use is a Conflict (even forced), missing is NotFound unless forced', async () => {
  const { svc, root } = service();
  await svc.create('busy');
  await assert.rejects(svc.remove('busy', (n) => n === 'busy', false), (e) => errorKind(e) === 'Conflict');
  await assert.rejects(svc.remove('busy', (n) => n === 'busy', true), (e) => errorKind(e) === 'Conflict');
  assert.ok(svc.get('busy'));
  await svc.remove('busy', () => false);
  assert.equal(svc.get('busy'), undefined);
  assert.ok(!existsSync(join(root, 'volumes', 'busy')));
  await assert.rejects(svc.remove('busy', () => false), (e) => errorKind(e) === 'NotFound');
  await svc.remove('busy', () => false, true);
  assert.deepEqual(readdirSync(join(root, 'volumes')), []);
});

test('prune removes only unused volumes and reports the bytes reclaimed', async () => {
  const { svc } = service();
  const a = await svc.create('a');
  const b = await svc.create('b');
  await svc.create('used');
  writeFileSync(join(a.mountpoint, 'f'), Buffer.alloc(1000));
  mkdirSync(join(b.mountpoint, 'd'));
  writeFileSync(join(b.mountpoint, 'd', 'g'), Buffer.alloc(234));
  const res = await svc.prune((n) => n === 'used');
  assert.deepEqual(res.deleted.sort(), ['a', 'b']);
  assert.equal(res.reclaimed, 1234);
  assert.deepEqual(svc.list().map((v) => v.name), ['used']);
});

test('populateFromImage copies image content, owner and mode into a new empty volume only', async () => {
  const { svc } = service();
  const rootfs = mkdtempSync(join(base, 'rootfs-'));
  const src = join(rootfs, 'srv/data');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'file'), 'hello');
  symlinkSync('/etc/passwd', join(src, 'link'));
  chownSync(join(src, 'sub', 'file'), 1234, 5678);
  chownSync(src, 1000, 1000);
  chmodSync(src, 0o750);
  const v = await svc.create('copied');
  const bytes = await svc.populateFromImage('copied', { rootfs, path: '/srv/data' });
  assert.equal(bytes, 5);
  assert.equal(readFileSync(join(v.mountpoint, 'sub', 'file'), 'utf8'), 'hello');
  const st = statSync(join(v.mountpoint, 'sub', 'file'));
  assert.deepEqual([st.uid, st.gid], [1234, 5678]);
  const rootSt = statSync(v.mountpoint);
  assert.deepEqual([rootSt.uid, rootSt.gid, rootSt.mode & 0o777], [1000, 1000, 0o750]);
  // the link is copied as a link, not followed
  assert.equal((await import('node:fs')).readlinkSync(join(v.mountpoint, 'link')), '/etc/passwd');
  // not empty any more: a second copy-up does nothing
  writeFileSync(join(src, 'later'), 'x');
  assert.equal(await svc.populateFromImage('copied', { rootfs, path: '/srv/data' }), 0);
  assert.ok(!existsSync(join(v.mountpoint, 'later')));
  // a path that escapes through a symlink is resolved inside the rootfs (here: missing → nothing copied)
  symlinkSync('/../../../etc', join(rootfs, 'escape'));
  const w = await svc.create('escape');
  assert.equal(await svc.populateFromImage('escape', { rootfs, path: '/escape' }), 0);
  assert.deepEqual(readdirSync(w.mountpoint), []);
  await assert.rejects(svc.populateFromImage('nope', rootfs), (e) => errorKind(e) === 'NotFound');
});
