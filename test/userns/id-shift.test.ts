// The shifted layer copy and the range allocator, without containers: owners moved by the range start, hard
// links kept, whiteouts, fifos and opaque dirs recreated, setuid bits and times kept; allocation is first-fit,
// disjoint, and refuses with one line when the pool is empty or too small.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shiftedLowerDirs, removeShifted } from '../../src/storage/id-shift.js';
import { applyFsOps, listOpaqueDirs } from '../../src/sys/fsutil.js';
import { allocateIdMap, readSubIds } from '../../src/security/userns/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bh-test-idshift-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a shifted layer copy moves every owner by the range start and keeps links, specials and modes', async () => {
  const hex = 'a'.repeat(64);
  const diff = join(dir, 'layers', hex, 'diff');
  mkdirSync(join(diff, 'bin'), { recursive: true });
  mkdirSync(join(diff, 'opaque'));
  writeFileSync(join(diff, 'bin', 'tool'), 'x');
  chmodSync(join(diff, 'bin', 'tool'), 0o4755);
  linkSync(join(diff, 'bin', 'tool'), join(diff, 'bin', 'tool-link'));
  writeFileSync(join(diff, 'owned'), 'y');
  chownSync(join(diff, 'owned'), 1000, 2000);
  writeFileSync(join(diff, 'outside'), 'z');
  chownSync(join(diff, 'outside'), 100000, 100000);
  symlinkSync('bin/tool', join(diff, 'sym'));
  utimesSync(join(diff, 'bin'), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
  await applyFsOps(diff, [{ op: 'whiteout', path: 'gone' }, { op: 'opaque', path: 'opaque' },
    { op: 'fifo', path: 'pipe', mode: 0o640, uid: 5, gid: 6, mtime: new Date() }]);

  const map = { hostUid: 1_000_000, hostGid: 2_000_000, size: 65536 };
  const [shifted] = await shiftedLowerDirs(dir, [diff], map);
  assert.equal(shifted, join(dir, 'layers-shifted', '1000000', hex));
  const st = (p: string) => lstatSync(join(shifted!, p));
  assert.deepEqual([st('.').uid, st('.').gid], [1_000_000, 2_000_000]);
  assert.deepEqual([st('owned').uid, st('owned').gid], [1_001_000, 2_002_000]);
  assert.deepEqual([st('outside').uid, st('outside').gid], [1_065_534, 2_065_534], 'unmapped ids become the range\'s overflow id');
  assert.equal(st('bin/tool').mode & 0o7777, 0o4755, 'setuid survives the chown');
  assert.equal(st('bin/tool').ino, st('bin/tool-link').ino, 'hard link kept');
  assert.ok(st('sym').isSymbolicLink());
  assert.equal(st('sym').uid, 1_000_000);
  assert.ok(st('gone').isCharacterDevice() && st('gone').rdev === 0, 'whiteout recreated');
  assert.ok(st('pipe').isFIFO());
  assert.deepEqual([st('pipe').uid, st('pipe').gid], [1_000_005, 2_000_006]);
  assert.equal(st('bin').mtimeMs, 1_000_000_000_000, 'directory times kept');
  assert.deepEqual(await listOpaqueDirs(shifted!), ['opaque']);
  assert.equal(execFileSync('cat', [join(shifted!, 'bin', 'tool')]).toString(), 'x');

  // A second call reuses the cache; removal takes the whole range.
  writeFileSync(join(shifted!, 'marker'), '');
  await shiftedLowerDirs(dir, [diff], map);
  assert.ok(existsSync(join(shifted!, 'marker')));
  await removeShifted(dir, map.hostUid);
  assert.equal(existsSync(join(dir, 'layers-shifted', '1000000')), false);
});

test('allocation is first-fit over the entries, disjoint from ranges in use, and refuses clearly', async () => {
  const uidFile = join(dir, 'subuid');
  const gidFile = join(dir, 'subgid');
  writeFileSync(uidFile, '# comment\nother:1:99999\nbulkhead:100000:65536\nbulkhead:500000:131072\n');
  writeFileSync(gidFile, 'bulkhead:200000:196608\n');
  const uids = { file: uidFile, ranges: await readSubIds(uidFile, 'uid') };
  const gids = { file: gidFile, ranges: await readSubIds(gidFile, 'gid') };
  assert.deepEqual(uids.ranges, [{ start: 100000, count: 65536 }, { start: 500000, count: 131072 }]);
  const a = allocateIdMap(uids, gids, []);
  assert.deepEqual(a, { hostUid: 100000, hostGid: 200000, size: 65536 });
  const b = allocateIdMap(uids, gids, [a]);
  assert.deepEqual(b, { hostUid: 500000, hostGid: 265536, size: 65536 });
  const c = allocateIdMap(uids, gids, [a, b]);
  assert.deepEqual(c, { hostUid: 565536, hostGid: 331072, size: 65536 });
  assert.throws(() => allocateIdMap(uids, gids, [a, b, c]), /all 3 id ranges of 65536 in .*subuid and .*subgid are in use/);
  assert.deepEqual(allocateIdMap(uids, gids, [b, c]), a, 'a freed range is given again');

  writeFileSync(uidFile, 'other:1:99999\n');
  await assert.rejects(readSubIds(uidFile, 'uid'), /no subuid entries for user "bulkhead" in .*subuid: add a line such as "bulkhead:1000000:65536000"/);
  writeFileSync(uidFile, 'bulkhead:x:1\n');
  await assert.rejects(readSubIds(uidFile, 'uid'), /malformed entry "bulkhead:x:1"/);
  await assert.rejects(readSubIds(join(dir, 'nope'), 'gid'), /nope does not exist/);
});
