// extractTar/packPath on real files: metadata round trips, overlay whiteouts under a real overlay mount, and
// hostile archives that must never write outside the destination.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { extractTar, packPath } from '../../src/archive/index.js';
import { errorKind } from '../../src/core/index.js';
import { buildTar, tempDir, type FixtureEntry } from './tar-fixtures.js';

let base: string;
let cleanup: () => Promise<void>;
let n = 0;

before(async () => ({ dir: base, cleanup } = await tempDir('archive')));
after(async () => cleanup());

async function freshDest(): Promise<string> {
  const d = join(base, `dest-${n++}`);
  await mkdir(d);
  return d;
}

async function extractEntries(entries: FixtureEntry[], whiteouts: 'overlay' | 'literal' = 'overlay', gzip = false) {
  const dest = await freshDest();
  const data = await buildTar(entries, { gzip });
  return { dest, result: await extractTar(Readable.from([data]), dest, { whiteouts }) };
}

async function expectRejected(entries: FixtureEntry[] | Buffer, kind = 'InvalidArgument'): Promise<string> {
  const dest = await freshDest();
  const data = Buffer.isBuffer(entries) ? entries : await buildTar(entries);
  await assert.rejects(extractTar(Readable.from([data]), dest, { whiteouts: 'overlay' }), (err) => {
    assert.equal(errorKind(err), kind, String(err));
    return true;
  });
  return dest;
}

describe('extractTar', () => {
  test('keeps modes (setuid), owners, mtimes, links; diffId is the sha256 of the plain tar', async () => {
    const mtime = new Date(1_500_000_000_000);
    const entries: FixtureEntry[] = [
      { name: 'bin', type: 'directory', mode: 0o755, mtime },
      { name: 'bin/tool', body: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1001, mtime },
      { name: 'bin/alias', type: 'link', linkname: 'bin/tool' },
      { name: 'bin/sl', type: 'symlink', linkname: '/etc/passwd', uid: 7, gid: 8 },
      { name: 'run/pipe', type: 'fifo', mode: 0o600, uid: 5, gid: 6 },
    ];
    const data = await buildTar(entries);
    const dest = await freshDest();
    const result = await extractTar(Readable.from([data]), dest, { whiteouts: 'overlay' });
    assert.equal(result.diffId, `sha256:${createHash('sha256').update(data).digest('hex')}`);
    assert.equal(result.size, 10);
    const tool = await stat(join(dest, 'bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755);
    assert.equal(tool.uid, 1000);
    assert.equal(tool.gid, 1001);
    assert.equal(tool.mtime.getTime(), mtime.getTime());
    assert.equal(tool.nlink, 2);
    assert.equal((await stat(join(dest, 'bin'))).mtime.getTime(), mtime.getTime());
    assert.equal(await readlink(join(dest, 'bin/sl')), '/etc/passwd');
    assert.equal((await lstat(join(dest, 'bin/sl'))).uid, 7);
    const pipe = await lstat(join(dest, 'run/pipe'));
    assert.ok(pipe.isFIFO());
    assert.equal(pipe.uid, 5);
    assert.equal(pipe.mode & 0o777, 0o600);
  });

  test('gzip is detected; preserveOwner=false gives root-owned files', async () => {
    const dest = await freshDest();
    const data = await buildTar([{ name: 'f', body: 'x', uid: 1234, gid: 99 }], { gzip: true });
    await extractTar(Readable.from([data]), dest, { whiteouts: 'literal', preserveOwner: false });
    assert.equal((await stat(join(dest, 'f'))).uid, 0);
  });

  test('packPath → extractTar reproduces a tree, without following symlinks', async () => {
    const src = await freshDest();
    await mkdir(join(src, 'd/e'), { recursive: true });
    await writeFile(join(src, 'd/f'), 'hello');
    await symlink('/etc', join(src, 'd/etc-link'));
    const dest = await freshDest();
    await extractTar(packPath(src, { rebaseName: '.' }), dest, { whiteouts: 'literal' });
    assert.deepEqual((await readdir(join(dest, 'd'))).sort(), ['e', 'etc-link', 'f']);
    assert.equal(await readFile(join(dest, 'd/f'), 'utf8'), 'hello');
    assert.equal(await readlink(join(dest, 'd/etc-link')), '/etc');
    const dest2 = await freshDest();
    await extractTar(packPath(join(src, 'd')), dest2, { whiteouts: 'literal' });
    assert.ok(existsSync(join(dest2, 'd/f')));
  });

  test('literal mode writes .wh. files as ordinary files', async () => {
    const { dest } = await extractEntries([{ name: 'a/.wh.b', body: '' }, { name: 'a/.wh..wh..opq', body: '' }], 'literal');
    assert.ok((await lstat(join(dest, 'a/.wh.b'))).isFile());
    assert.ok((await lstat(join(dest, 'a/.wh..wh..opq'))).isFile());
  });

  test('overlay whiteouts hide lower content under a real overlay mount', async () => {
    const { dest: lower } = await extractEntries([
      { name: 'd', type: 'directory', mode: 0o755 }, { name: 'd/keep', body: 'k' }, { name: 'd/gone', body: 'g' },
      { name: 'o', type: 'directory', mode: 0o755 }, { name: 'o/lower-only', body: 'l' },
    ]);
    const { dest: upper } = await extractEntries([
      { name: 'd/.wh.gone', body: '' },
      { name: 'o', type: 'directory', mode: 0o755 }, { name: 'o/.wh..wh..opq', body: '' }, { name: 'o/upper', body: 'u' },
    ]);
    const wh = await lstat(join(upper, 'd/gone'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout is a char device 0:0');
    assert.ok(!existsSync(join(upper, 'd/.wh.gone')));
    const mnt = await freshDest();
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${upper}:${lower}`, mnt]);
    try {
      assert.deepEqual((await readdir(join(mnt, 'd'))).sort(), ['keep']);
      assert.deepEqual((await readdir(join(mnt, 'o'))).sort(), ['upper']);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  test('overlay upper dir packs back to OCI whiteouts', async () => {
    const { dest: upper } = await extractEntries([
      { name: 'd/.wh.gone', body: '' }, { name: 'o', type: 'directory' }, { name: 'o/.wh..wh..opq', body: '' },
    ]);
    const again = await freshDest();
    await extractTar(packPath(upper, { rebaseName: '.', whiteouts: 'overlay' }), again, { whiteouts: 'literal' });
    assert.ok((await lstat(join(again, 'd/.wh.gone'))).isFile());
    assert.ok((await lstat(join(again, 'o/.wh..wh..opq'))).isFile());
  });
});

describe('extractTar on hostile archives', () => {
  test('"../evil" is rejected and nothing lands outside', async () => {
    const tag = randomBytes(4).toString('hex');
    await expectRejected([{ name: `../evil-${tag}`, body: 'x' }]);
    await expectRejected([{ name: `ok/../../../evil-${tag}`, body: 'x' }]);
    assert.deepEqual((await readdir(base)).filter((f) => f.includes(tag)), []);
  });

  test('an absolute name is neutralised into the destination', async () => {
    const name = `bh-test-abs-${randomBytes(4).toString('hex')}`;
    const { dest } = await extractEntries([{ name: `/${name}`, body: 'x' }]);
    assert.ok(!existsSync(`/${name}`));
    assert.ok(existsSync(join(dest, name)));
  });

  test('a symlink to outside is never followed by later entries', async () => {
    const outside = join(base, `outside-${n}`);
    await mkdir(outside);
    const { dest } = await extractEntries([
      { name: 'abs', type: 'symlink', linkname: outside }, { name: 'abs/escaped', body: 'x' },
      { name: 'rel', type: 'symlink', linkname: '../../..' }, { name: 'rel/escaped2', body: 'y' },
      { name: 'hostetc', type: 'symlink', linkname: '/etc' }, { name: 'hostetc/bh-test-passwd', body: 'z' },
    ]);
    assert.deepEqual(await readdir(outside), []);
    assert.ok(!existsSync('/etc/bh-test-passwd'));
    assert.ok(existsSync(join(dest, outside, 'escaped')), 'absolute link resolved inside the destination');
    assert.ok(existsSync(join(dest, 'escaped2')), 'relative link clamped at the destination root');
    assert.ok(existsSync(join(dest, 'etc/bh-test-passwd')));
    assert.equal(await readlink(join(dest, 'abs')), outside, 'the link itself is data and kept');
    // a link to itself once confined (etc -> /etc) is a loop, refused like the kernel would
    await expectRejected([{ name: 'etc', type: 'symlink', linkname: '/etc' }, { name: 'etc/x', body: 'z' }]);
  });

  test('a hardlink to a host file is refused', async () => {
    const before = await stat('/etc/passwd');
    await expectRejected([{ name: 'pw', type: 'link', linkname: '/etc/passwd' }]);
    await expectRejected([{ name: 'pw', type: 'link', linkname: '../../../../etc/passwd' }]);
    assert.equal((await stat('/etc/passwd')).nlink, before.nlink);
  });

  test('device nodes are skipped, not created', async () => {
    const { dest } = await extractEntries([
      { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'ok', body: 'fine' },
    ]);
    assert.deepEqual(await readdir(dest), ['ok']);
  });

  test('invalid whiteouts, truncated gzip and truncated tar are rejected', async () => {
    await expectRejected([{ name: 'a/.wh.', body: '' }]);
    await expectRejected([{ name: 'a/.wh..', body: '' }]);
    const gz = await buildTar([{ name: 'big', body: randomBytes(200_000) }], { gzip: true });
    await expectRejected(gz.subarray(0, gz.length >> 1));
    const plain = await buildTar([{ name: 'big', body: randomBytes(20_000) }]);
    await expectRejected(plain.subarray(0, 10_000));
    await expectRejected(Buffer.from('definitely not a tar archive, just some bytes that go on'.repeat(20)));
  });
});
