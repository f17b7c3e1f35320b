// The daemon can die at any moment (SIGKILL) without losing or duplicating containers: running containers keep
// running and logging under conmon (within their log limits), exits that happen while it is down are recorded when it
// comes back, and
// operations cut short are reconciled (no ghosts, no stray mounts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TestEngine } from '../helpers/engine-harness.js';
import { logOnDisk } from '../helpers/log-files.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inspect(e: TestEngine, ref: string): { Id: string; State: { status: string; pid: number; exitCode: number } } {
  return JSON.parse(e.ok(['inspect', '--type', 'container', ref]))[0];
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir));
}

describe('daemon crash and restart', () => {
  const e = new TestEngine('bh-test-crash-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('keeps containers running and logging through a SIGKILL, and records exits that happen while it is down', async () => {
    e.ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']);
    e.ok(['run', '-d', '--name', 'short', 'busybox', 'sh', '-c', 'sleep 1.5; echo bye; exit 7']);
    const ticker = inspect(e, 'ticker');
    assert.equal(ticker.State.status, 'running');
    await e.killDaemon('SIGKILL');

    const logPath = join(e.root, 'containers', ticker.Id, 'ctr.log');
    const before = readFileSync(logPath, 'utf8').length;
    await sleep(2500); // "short" exits now, with nobody but conmon watching
    assert.ok(alive(ticker.State.pid), 'the container survived the daemon');
    assert.ok(readFileSync(logPath, 'utf8').length > before, 'conmon kept logging while the daemon was down');

    await e.startDaemon();
    const short = inspect(e, 'short');
    assert.equal(short.State.status, 'exited');
    assert.equal(short.State.exitCode, 7);
    assert.match(e.ok(['logs', 'short']), /bye/);
    assert.equal(inspect(e, 'ticker').State.status, 'running');
    const ticks = e.ok(['logs', 'ticker']).split('\n').filter((l) => l.startsWith('tick'));
    assert.ok(ticks.length >= 15, `logs continue across the restart (${ticks.length} ticks)`);
    assert.deepEqual(ticks.slice(0, 3), ['tick 0', 'tick 1', 'tick 2']);

    // The adopted container is fully manageable: it stops, and its exit code arrives.
    e.ok(['stop', '-t', '1', 'ticker']);
    assert.equal(inspect(e, 'ticker').State.status, 'exited');
    assert.equal(mountsUnder(join(e.root, 'containers', ticker.Id)).length, 0, 'stopped container is unmounted');
    e.ok(['rm', 'ticker', 'short']);
  });

  it('keeps a size-limited log bounded while it is down, and completes the rotation when it comes back', async () => {
    const id = e.ok(['run', '-d', '--name', 'rot-down', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c',
      'i=0; while true; do echo "line-$i-xxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); sleep 0.01; done']);
    const dir = join(e.root, 'containers', id);
    const inode = () => statSync(join(dir, 'ctr.log')).ino;
    for (const deadline = Date.now() + 10_000; !existsSync(join(dir, 'ctr.log.1')) && Date.now() < deadline;) await sleep(50);
    await e.killDaemon('SIGKILL');
    // conmon replaces the log about every 30 lines: wait for several replacements with nobody but conmon there.
    const seen = new Set([inode()]);
    for (const deadline = Date.now() + 15_000; seen.size < 4 && Date.now() < deadline;) { await sleep(20); seen.add(inode()); }
    assert.ok(seen.size >= 4, 'conmon went on rotating while the daemon was down');
    // Down, one more file than max-file may be held: the first one conmon replaced (docs/docker-compat.md).
    assert.ok(logOnDisk(e.root, id).bytes <= 4 * 2000, `${logOnDisk(e.root, id).bytes} bytes while down`);
    await e.startDaemon();
    const disk = logOnDisk(e.root, id);
    // Settled at open: max-file files (and the one of a replacement the daemon may be completing right now).
    assert.ok(disk.bytes <= 3 * 2000 + 2000, `${disk.bytes} bytes in ${disk.names.join(', ')}`);
    assert.ok(disk.names.includes('ctr.log.2'), `the file kept while down was shifted in: ${disk.names.join(', ')}`);
    const nums = e.ok(['logs', 'rot-down']).split('\n').map((l) => {
      const m = /^line-(\d+)-x{20}$/.exec(l);
      assert.ok(m, `not a whole line: ${JSON.stringify(l)}`);
      return Number(m[1]);
    });
    nums.forEach((n, i) => assert.ok(i === 0 || n > nums[i - 1]!, `in order: ${n} after ${nums[i - 1]}`));
    const before = nums.at(-1)!;
    await sleep(500);
    assert.ok(Number(/^line-(\d+)/.exec(e.ok(['logs', '--tail', '1', 'rot-down']))![1]) > before, 'logging goes on after the restart');
    e.ok(['rm', '-f', 'rot-down']);
  });

  it('removes a container directory and a run directory that no record owns (a create or removal cut short)', async () => {
    const ghost = join(e.root, 'containers', 'f'.repeat(64));
    mkdirSync(join(ghost, 'upper'), { recursive: true });
    const ghostRun = join(e.root, 'run', 'containers', 'e'.repeat(64));
    mkdirSync(join(ghostRun, 'bundle'), { recursive: true });
    await e.killDaemon('SIGKILL');
    await e.startDaemon();
    assert.equal(existsSync(ghost), false);
    assert.equal(existsSync(ghostRun), false);
  });

  it('stays consistent when killed in the middle of many operations', async () => {
    for (let round = 0; round < 3; round++) {
      const runs = Array.from({ length: 8 }, (_, i) => e.runAsync(['run', '-d', '--name', `kl-${round}-${i}`, 'busybox', 'sleep', '60']));
      await sleep(150 + round * 200);
      await e.killDaemon('SIGKILL');
      await Promise.all(runs);
      await e.startDaemon();
      const list = JSON.parse(e.ok(['ps', '-a', '--format', 'json'])) as Array<{ Id: string; Name: string; State: { status: string; pid: number } }>;
      const names = list.map((c) => c.Name);
      assert.equal(new Set(names).size, names.length, 'no container is duplicated');
      for (const c of list) {
        assert.ok(['created', 'running', 'exited'].includes(c.State.status), `${c.Name} is ${c.State.status}`);
        const runc = spawnSync('runc', ['--root', join(e.root, 'run', 'runc'), 'state', c.Id]);
        const runtimeState = runc.status === 0 ? JSON.parse(runc.stdout.toString()).status : 'absent';
        if (c.State.status === 'running') {
          assert.equal(runtimeState, 'running', `${c.Name}: engine and runtime agree`);
          assert.ok(alive(c.State.pid));
        } else {
          assert.equal(runtimeState, 'absent', `${c.Name} (${c.State.status}) has no runtime leftovers`);
          assert.equal(mountsUnder(join(e.root, 'containers', c.Id)).length, 0, `${c.Name} has no stray mount`);
        }
      }
      const dirs = readdirSync(join(e.root, 'containers'));
      assert.deepEqual(dirs.sort(), list.map((c) => c.Id).sort(), 'every container directory has a record and vice versa');
      // Everything is still manageable after the crash.
      if (list.length) e.ok(['rm', '-f', ...list.map((c) => c.Id)]);
      assert.equal(e.ok(['ps', '-aq']), '');
    }
  });
});

describe('daemon crash during an image load', () => {
  const e = new TestEngine('bh-test-crashload-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('leaves no partial image, blob, layer or staging file behind', async () => {
    // A 2-layer image big enough (random, so gzip cannot shrink it) that the kill lands mid-load.
    e.ok(['run', '--name', 'big', 'busybox', 'sh', '-c', 'head -c 150000000 /dev/urandom > /blob']);
    e.ok(['commit', 'big', 'bigimg:1']);
    const archive = join(e.dir, 'big.tar');
    e.ok(['save', '-o', archive, 'bigimg:1']);
    e.ok(['rm', 'big']);
    e.ok(['rmi', 'bigimg:1']);
    const snapshot = () => ({
      images: e.ok(['images', '-q']).split('\n').sort(),
      blobs: readdirSync(join(e.root, 'content', 'blobs', 'sha256')).sort(),
      layers: readdirSync(join(e.root, 'layers')).sort(),
    });
    const before = snapshot();
    const load = e.runAsync(['load', '-i', archive]);
    await sleep(300);
    await e.killDaemon('SIGKILL');
    await load;
    await e.startDaemon();
    const afterCrash = snapshot();
    if (afterCrash.images.length === before.images.length) {
      assert.deepEqual(afterCrash, before, 'the interrupted load left nothing');
    } else {
      // The load won the race: then it must be whole and runnable.
      assert.equal(e.ok(['run', '--rm', 'bigimg:1', 'sh', '-c', 'wc -c < /blob']), '150000000');
    }
    assert.deepEqual(readdirSync(join(e.root, 'tmp')), [], 'staging is empty');
  });
});

describe('run files of containers started before the run-root layout', () => {
  // An engine before the run-root layout kept each container's bundle, conmon files and /etc files in its container
  // directory. This engine's run root stays on disk (a file in it is "in use"), so that the test can move a running
  // container's run files there by rename, as that engine left them. conmon goes on writing its exit file by the
  // path it was given, which a symlink keeps; the engine looks for the bundle.
  const e = new TestEngine('bh-test-legacy-');
  before(async () => {
    mkdirSync(join(e.root, 'run'), { recursive: true });
    writeFileSync(join(e.root, 'run', 'keep'), '');
    await e.setup();
  });
  after(() => e.cleanup());

  it('serve the container where they are, and move to the run root at its next start', async () => {
    assert.notEqual(spawnSync('stat', ['-f', '-c', '%T', join(e.root, 'run')]).stdout.toString().trim(), 'tmpfs');
    const id = e.ok(['run', '-d', '--name', 'old', '--hostname', 'oldhost', 'busybox', 'sleep', '600']);
    const runDir = join(e.root, 'run', 'containers', id);
    const ctrDir = join(e.root, 'containers', id);
    await e.killDaemon('SIGTERM');
    for (const name of readdirSync(runDir)) renameSync(join(runDir, name), join(ctrDir, name));
    symlinkSync(join(ctrDir, 'userdata'), join(runDir, 'userdata'));
    await e.startDaemon();
    assert.equal(inspect(e, 'old').State.status, 'running');
    assert.equal(e.ok(['exec', 'old', 'cat', '/etc/hostname']), 'oldhost');
    assert.match(e.ok(['cp', 'old:/etc/hostname', '-']), /oldhost/, 'cp reads the /etc files where they are');
    e.ok(['stop', '-t', '1', 'old']);
    assert.equal(inspect(e, 'old').State.status, 'exited');
    e.ok(['start', 'old']);
    assert.equal(existsSync(join(ctrDir, 'bundle')), false, 'the old run files are gone');
    assert.equal(existsSync(join(ctrDir, 'hostname')), false);
    assert.ok(existsSync(join(runDir, 'bundle', 'config.json')));
    assert.equal(e.ok(['exec', 'old', 'cat', '/etc/hostname']), 'oldhost');
    e.ok(['rm', '-f', 'old']);
    assert.equal(existsSync(runDir), false, 'rm removes the run directory');
  });
});
