// The run root becomes a tmpfs (real mounts, root) only when nothing in it is still needed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { isMountPoint, prepareRunRoot } from '../../src/storage/index.js';
import { runCommand } from '../../src/sys/run-command.js';

const TMPFS_MAGIC = 0x01021994;
const base = mkdtempSync(join(tmpdir(), 'bh-test-runroot-'));
after(async () => {
  for (const name of readdirSync(base)) {
    if (isMountPoint(join(base, name))) await runCommand('umount', ['-l', join(base, name)], { allowFailure: true });
  }
  rmSync(base, { recursive: true, force: true });
});

function dir(name: string): string {
  const d = join(base, name);
  mkdirSync(d);
  return d;
}

test('an empty run root on disk becomes a tmpfs, mode 0711, and stays one at the next start', async () => {
  const d = dir('empty');
  assert.notEqual(statfsSync(d).type, TMPFS_MAGIC);
  assert.equal(await prepareRunRoot(d), 'mounted-tmpfs');
  assert.equal(statfsSync(d).type, TMPFS_MAGIC);
  const { stdout } = await runCommand('stat', ['-c', '%a', d]);
  assert.equal(stdout.trim(), '711');
  assert.equal(await prepareRunRoot(d), 'tmpfs', 'a second start mounts nothing over it');
});

test('empty directories, a stale pid file and stale sockets of an earlier daemon are not in the way', async () => {
  const d = dir('stale');
  mkdirSync(join(d, 'runc'));
  mkdirSync(join(d, 'netns'));
  writeFileSync(join(d, 'daemon.pid'), '123\n');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(d, 'old.sock'), resolve));
  server.close(); // the socket file stays, as after a daemon that was killed
  assert.equal(await prepareRunRoot(d), 'mounted-tmpfs');
  assert.deepEqual(readdirSync(d), [], 'the tmpfs starts empty');
});

test('a run root holding a running container\'s files or a mount stays on disk, unless they predate the boot', async () => {
  const withFile = dir('inuse');
  mkdirSync(join(withFile, 'runc', 'abc'), { recursive: true });
  writeFileSync(join(withFile, 'runc', 'abc', 'state.json'), '{}');
  const notices: string[] = [];
  assert.equal(await prepareRunRoot(withFile, (m) => notices.push(m)), 'disk');
  assert.match(notices[0] ?? '', /stays on disk: .*runc\/abc\/state\.json is still in use/);
  assert.notEqual(statfsSync(withFile).type, TMPFS_MAGIC);

  // The same files from before the host's last boot are no one's: a reboot ended whatever used them.
  const stale = dir('stale-boot');
  mkdirSync(join(stale, 'runc', 'abc'), { recursive: true });
  writeFileSync(join(stale, 'runc', 'abc', 'state.json'), '{}');
  const beforeBoot = new Date(Date.now() - (uptime() + 60) * 1000);
  utimesSync(join(stale, 'runc', 'abc', 'state.json'), beforeBoot, beforeBoot);
  assert.equal(await prepareRunRoot(stale), 'mounted-tmpfs');
  assert.deepEqual(readdirSync(stale), []);

  const withMount = dir('mounted');
  const pin = join(withMount, 'netns');
  mkdirSync(pin);
  await runCommand('mount', ['-t', 'tmpfs', 'bh-test-pin', pin]);
  assert.equal(await prepareRunRoot(withMount, (m) => notices.push(m)), 'disk');
  assert.match(notices[1] ?? '', /netns is still in use/);
  await runCommand('umount', [pin]);
});
