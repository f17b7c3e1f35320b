// The CLI starts a daemon by itself when none answers, says so on stderr, and `daemon stop` stops it while its
// containers keep running.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TestEngine } from '../helpers/engine-harness.js';

const e = new TestEngine('bh-test-autostart-');
after(() => e.cleanup());

function cli(args: string[], input?: Buffer) {
  const env = { ...e.env };
  delete env.BULKHEAD_NO_AUTOSTART;
  const r = spawnSync(process.execPath, [BIN, ...args], { env, timeout: 60_000, input, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

it('refuses to start a daemon when BULKHEAD_NO_AUTOSTART is set', () => {
  const r = e.run(['ps']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no daemon answers .*BULKHEAD_NO_AUTOSTART/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

it('starts a daemon on first use, which keeps serving until `daemon stop`', () => {
  assert.equal(cli(['daemon', 'status']).code, 1, 'status never starts a daemon');
  const first = cli(['image', 'bootstrap', 'busybox']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /no daemon answered on .*; started one \(pid \d+, log .*daemon\.log\)/);
  const pid = Number(readFileSync(join(e.root, 'run', 'daemon.pid'), 'utf8'));
  const run = cli(['run', '-d', '--name', 'auto', 'busybox', 'sleep', '30']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '', 'the second command finds the running daemon');
  const ctr = JSON.parse(cli(['inspect', 'auto']).stdout)[0];

  assert.match(cli(['daemon', 'stop']).stdout, /daemon stopped/);
  assert.equal(cli(['daemon', 'status']).code, 1);
  assert.throws(() => process.kill(pid, 0), 'the daemon process is gone');
  assert.equal(existsSync(join(e.root, 'run', 'daemon.pid')), false);
  assert.doesNotThrow(() => process.kill(ctr.State.pid, 0), 'its container keeps running under conmon');
  // Cleanup goes through the harness's own daemon.
});

it('one daemon per root: a second daemon on the same root refuses to start, and racing CLIs share one daemon', async () => {
  assert.equal(cli(['daemon', 'status']).code, 1, 'nothing answers yet');
  // No daemon yet: ten CLI calls at once each try to start one; exactly one wins the root, all calls succeed.
  const env = { ...e.env };
  delete env.BULKHEAD_NO_AUTOSTART;
  const calls = await Promise.all(Array.from({ length: 10 }, () => new Promise<number>((resolve) => {
    const c = spawn(process.execPath, [BIN, 'images', '-q'], { env, stdio: 'ignore' });
    c.on('close', (code) => resolve(code ?? -1));
  })));
  assert.deepEqual(calls, Array(10).fill(0));
  // The losers may still be starting when the winner answers; each gives up as soon as it meets the lock.
  const count = () => spawnSync('pgrep', ['-f', '--', `--root ${e.root} daemon`]).stdout.toString().trim().split('\n').filter(Boolean).length;
  for (let i = 0; i < 100 && count() > 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(count(), 1, 'one daemon for the root');
  // A second daemon for the same root, even on another socket, refuses (the first one's lock is held).
  const again = cli(['--host', `${e.socket}.other`, 'daemon']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /another bulkhead daemon is already running for /);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  cli(['daemon', 'stop']);
});

it('any command may be the first: run --rm (its requests in parallel) and a load whose archive streams from stdin', () => {
  assert.equal(cli(['daemon', 'status']).code, 1, 'nothing answers yet');
  const run = cli(['run', '--rm', 'busybox', 'echo', 'first of the day']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'first of the day\n');
  assert.equal(run.stderr.match(/started one/g)?.length, 1, run.stderr);
  const archive = spawnSync(process.execPath, [BIN, 'save', 'busybox'], { env: { ...e.env }, maxBuffer: 64 << 20 }).stdout;
  cli(['daemon', 'stop']);

  const load = cli(['load'], archive);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stderr, /started one/);
  assert.match(load.stdout, /busybox/);
  cli(['daemon', 'stop']);
});
