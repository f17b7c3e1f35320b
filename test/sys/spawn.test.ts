// Both ways sys/spawn.ts starts a program (the addon's posix_spawn, child_process without it) must start it alike:
// the same descriptors, environment, session, signal state and exit report, since conmon and runc depend on them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { viaChildProcess, viaPosixSpawn, type StartOptions, type StartedProcess } from '../../src/sys/spawn.js';
import { runCommand } from '../../src/sys/run-command.js';

function text(stream: Duplex | null): Promise<string> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream!.on('data', (b: Buffer) => chunks.push(b));
    stream!.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

// clean: posix_spawn closes every descriptor beyond the stdio given.
// child_process (the fallback) passes on any descriptor of ours that lacks close-on-exec: that is Node's, not ours.
const implementations: Array<[string, (file: string, args: string[], opts: StartOptions) => StartedProcess, { clean: boolean }]> = [
  ['posix_spawn (addon)', viaPosixSpawn, { clean: true }],
  ['child_process', viaChildProcess, { clean: false }],
];

for (const [name, start, { clean }] of implementations) {
  describe(`starting a program: ${name}`, () => {
    const sh = (script: string, opts: Partial<StartOptions> = {}) =>
      start('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'], ...opts });

    it('keeps stdout and stderr apart, passes stdin with its end, and reports the exit code', async () => {
      const p = sh('cat; echo to-err >&2; exit 7');
      p.stdio[0]!.end('from-stdin');
      const [out, err, exit] = await Promise.all([text(p.stdio[1]!), text(p.stdio[2]!), p.exited]);
      assert.deepEqual([out, err, exit], ['from-stdin', 'to-err\n', { code: 7, signal: null }]);
      assert.equal(p.running, false);
    });

    it('reports a death by signal, and kill reaches the program only while it runs', async () => {
      const p = sh('echo up; exec sleep 30');
      const out = text(p.stdio[1]!);
      await new Promise((r) => p.stdio[1]!.once('data', r));
      assert.equal(p.running, true);
      p.kill('SIGKILL');
      assert.deepEqual(await p.exited, { code: null, signal: 'SIGKILL' });
      await out;
      p.kill('SIGTERM'); // after the exit: nothing to signal, no error
    });

    it('gives exactly the environment asked for, the working directory, and a session of its own when detached', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bh-test-spawn-'));
      try {
        const p = sh('env | sort; pwd; echo "sid=$(cut -d" " -f6 /proc/$$/stat) pid=$$"',
          { env: { PATH: '/usr/bin:/bin', ONLY: 'this' }, cwd: dir, detached: true });
        const out = await text(p.stdio[1]!);
        const lines = out.trim().split('\n');
        assert.ok(lines.includes('ONLY=this'), out);
        assert.ok(!lines.some((l) => l.startsWith('HOME=')), `the parent's environment leaked: ${out}`);
        assert.ok(lines.includes(dir), out);
        const [, sid, pid] = /sid=(\d+) pid=(\d+)/.exec(out)!;
        assert.equal(sid, pid, 'a detached program leads its own session');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('starts with no signal blocked, no standard signal ignored, and only its stdio', async () => {
      // The programs read their own state (/proc/self): a shell reading its own while it waits for a child can catch
      // the moment it blocks every signal around its wait.
      const status = await text(start('/bin/grep', ['-E', '^Sig(Ign|Blk)', '/proc/self/status'], { stdio: ['ignore', 'pipe', 'ignore'] }).stdio[1]!);
      const listing = await text(start('/bin/ls', ['/proc/self/fd'], { stdio: ['ignore', 'pipe', 'ignore'] }).stdio[1]!);
      assert.match(status, /^SigBlk:\s+0+$/m);
      // Node ignores SIGPIPE: a program must not inherit that. (glibc's posix_spawn leaves its two internal signals,
      // 32 and 33, ignored; every glibc program installs its own handlers for them at start-up.)
      const ignored = BigInt(`0x${/^SigIgn:\s+([0-9a-f]+)$/m.exec(status)![1]}`);
      assert.equal(ignored & 0x7fffffffn, 0n, `signals ignored in the program: ${ignored.toString(16)}`);
      const fds = listing.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
      if (clean) assert.ok(fds.every((fd) => fd <= 3), `descriptors leaked into the program: ${fds.join(' ')}`); // 3: ls's own
      assert.ok([0, 1, 2].every((fd) => fds.includes(fd)), 'an ignored descriptor is /dev/null, not closed');
    });

    it('rejects with ENOENT for a missing program, and its pipes end', async () => {
      const p = start('/nonexistent/program', [], { stdio: ['pipe', 'pipe', 'pipe'] });
      await assert.rejects(p.exited, (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT');
      assert.equal(p.running, false);
      assert.equal(await text(p.stdio[1]!), '');
    });
  });
}

it('runCommand returns output and typed errors', async () => {
  assert.deepEqual(await runCommand('/bin/sh', ['-c', 'printf ok'], { input: '' }), { stdout: 'ok', stderr: '', code: 0 });
  await assert.rejects(runCommand('/bin/sh', ['-c', 'echo bad thing >&2; exit 2']), /bad thing/);
  await assert.rejects(runCommand('/nonexistent/program', []), /program not found/);
  // The shell's own child keeps the pipes open for 30 s: the timeout must not wait for it.
  const began = Date.now();
  const slow = await runCommand('/bin/sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300, allowFailure: true });
  const orphan = Number(slow.stdout.trim());
  process.kill(orphan, 'SIGKILL');
  assert.equal(slow.code, 128, 'a timed-out program is ended by SIGTERM');
  assert.ok(Date.now() - began < 10_000, 'runCommand returned once the timed-out program had exited');
});
