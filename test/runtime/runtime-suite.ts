// Conformance suite for OciRuntime implementations: real containers (busybox rootfs), real conmon, real runtime.
// Call runtimeSuite(name, makeRuntime) from a *.test.ts file; makeRuntime gets a fresh temp state root.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { processInvokeFailure } from '../../src/runtime/errors.js';
import { processCgroupDirs } from '../../src/sys/cgroup-paths.js';
import { findExecutable } from '../../src/runtime/select.js';
import type { OciRuntime } from '../../src/runtime/types.js';
import { makeBundle, removeDir, type ProcessOptions } from './fixtures/bundle.js';
import { Cleanup, alive, collect, waitFor } from './helpers.js';

export function runtimeSuite(name: string, makeRuntime: (stateRoot: string) => OciRuntime): void {
  describe(`OciRuntime conformance: ${name}`, () => {
    let stateRoot: string;
    let runtime: OciRuntime;
    const cleanup = new Cleanup(() => runtime);

    before(async () => {
      stateRoot = await mkdtemp(join(tmpdir(), 'bh-test-state-'));
      runtime = makeRuntime(stateRoot);
    });
    afterEach(() => cleanup.run());
    after(() => removeDir(stateRoot));

    async function container(p: ProcessOptions & { stdin?: boolean }, parent?: string) {
      const bundle = await makeBundle(p, parent);
      const id = `bh-test-${randomBytes(6).toString('hex')}`;
      cleanup.track(id, bundle);
      const created = await runtime.create({ id, name: id, paths: bundle.paths, tty: p.tty ?? false, stdin: p.stdin ?? false });
      return { id, paths: bundle.paths, created };
    }

    const exitCode = (id: string, paths: Parameters<OciRuntime['readExitCode']>[1]) =>
      waitFor(`exit file of ${id}`, () => runtime.readExitCode(id, paths));

    it('create + attach + start: output on the right streams, exit code in the exit file, log written', async () => {
      const c = await container({ args: ['sh', '-c', 'echo hello; echo oops >&2; exit 3'] });
      assert.ok(c.created.pid > 0 && c.created.conmonPid > 0);
      assert.equal((await runtime.state(c.id))?.status, 'created');
      const a = await runtime.attach(c.paths, { stdin: false });
      const [out, err] = [collect(a.stdout), collect(a.stderr)];
      await runtime.start(c.id);
      await a.closed;
      assert.equal(await out, 'hello\n');
      assert.equal(await err, 'oops\n');
      assert.equal(await exitCode(c.id, c.paths), 3);
      assert.equal((await runtime.state(c.id))?.status, 'stopped');
      const log = await readFile(c.paths.logPath, 'utf8');
      assert.match(log, /stdout F hello/);
      assert.match(log, /stderr F oops/);
    });

    it('logSizeMax: the monitor starts the log afresh before an entry would pass it', async () => {
      const bundle = await makeBundle({ args: ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do echo "entry-$i"; i=$((i+1)); done'] });
      const id = `bh-test-${randomBytes(6).toString('hex')}`;
      cleanup.track(id, bundle);
      await runtime.create({ id, name: id, paths: bundle.paths, tty: false, stdin: false, logSizeMax: 300 });
      await runtime.start(id);
      assert.equal(await exitCode(id, bundle.paths), 0);
      const log = await readFile(bundle.paths.logPath, 'utf8');
      assert.ok(Buffer.byteLength(log) <= 300, `${Buffer.byteLength(log)} bytes`);
      assert.match(log, /stdout F entry-99\n$/);
      assert.doesNotMatch(log, /entry-0\n/);
    });

    it('an attach begun while conmon creates the container connects once the monitor listens', async () => {
      const bundle = await makeBundle({ args: ['sh', '-c', 'echo early bird'] });
      const id = `bh-test-${randomBytes(6).toString('hex')}`;
      cleanup.track(id, bundle);
      const creating = new AbortController();
      // Begun first: the socket does not exist yet, so this attach has to wait for it.
      const attaching = runtime.attach(bundle.paths, { stdin: false, whileCreating: creating.signal });
      await runtime.create({ id, name: id, paths: bundle.paths, tty: false, stdin: false });
      const a = await attaching;
      const out = collect(a.stdout);
      await runtime.start(id);
      assert.equal(await out, 'early bird\n');
      assert.equal(await exitCode(id, bundle.paths), 0);
    });

    it('an attach waiting for a create that failed gives up when aborted, with the create\'s error', async () => {
      const bundle = await makeBundle({ args: ['true'] });
      cleanup.trackDir(bundle.dir);
      const creating = new AbortController();
      const attaching = runtime.attach(bundle.paths, { stdin: false, whileCreating: creating.signal });
      await new Promise((r) => setTimeout(r, 50)); // it is retrying by now: no socket ever appears
      const started = Date.now();
      creating.abort(new Error('create failed: no such command'));
      await assert.rejects(attaching, /create failed: no such command/);
      assert.ok(Date.now() - started < 2000, 'the waiting helper was ended, not left to time out');
    });

    it('attaches through a socket path longer than sun_path allows', async () => {
      const deep = await mkdtemp(join(tmpdir(), 'bh-test-long-'));
      cleanup.trackDir(deep);
      const parent = join(deep, 'x'.repeat(60), 'y'.repeat(60));
      await import('node:fs/promises').then((fs) => fs.mkdir(parent, { recursive: true }));
      const c = await container({ args: ['echo', 'far away'] }, parent);
      assert.ok(join(c.paths.bundle, 'attach').length > 108);
      const a = await runtime.attach(c.paths, { stdin: false });
      const out = collect(a.stdout);
      await runtime.start(c.id);
      assert.equal(await out, 'far away\n');
      assert.equal(await exitCode(c.id, c.paths), 0);
    });

    it('stdin goes through attach and its EOF ends the container', async () => {
      const c = await container({ args: ['cat'], stdin: true });
      const a = await runtime.attach(c.paths, { stdin: true });
      const out = collect(a.stdout);
      await runtime.start(c.id);
      a.stdin.write('ping\n');
      a.stdin.end('pong\n');
      await a.closed;
      assert.equal(await out, 'ping\npong\n');
      assert.equal(await exitCode(c.id, c.paths), 0);
    });

    it('tty mode: one stream from a terminal, and resize reaches it', async () => {
      const c = await container({ args: ['sh', '-c', 'tty; read line; stty size'], tty: true, stdin: true });
      const a = await runtime.attach(c.paths, { stdin: true });
      const [out, err] = [collect(a.stdout), collect(a.stderr)];
      await runtime.start(c.id);
      await runtime.resize(c.paths, 33, 77);
      a.stdin.write('go\n');
      await a.closed;
      const text = await out;
      assert.match(text, /\/dev\/pts\/\d+/);
      assert.match(text, /33 77/);
      assert.equal(await err, '');
      assert.equal(await exitCode(c.id, c.paths), 0);
    });

    it('kill, state, pause, resume, delete', async () => {
      const c = await container({ args: ['sleep', '1000'] });
      await runtime.start(c.id);
      const running = await runtime.state(c.id);
      assert.equal(running?.status, 'running');
      assert.equal(running?.pid, c.created.pid);
      await runtime.pause(c.id);
      assert.equal((await runtime.state(c.id))?.status, 'paused');
      await runtime.resume(c.id);
      assert.equal((await runtime.state(c.id))?.status, 'running');
      await runtime.kill(c.id, 'KILL');
      assert.equal(await exitCode(c.id, c.paths), 137);
      assert.equal((await runtime.state(c.id))?.status, 'stopped');
      await assert.rejects(runtime.pause(c.id));
      await runtime.delete(c.id);
      assert.equal(await runtime.state(c.id), null);
      await runtime.delete(c.id);   // already gone: not an error
      assert.equal(await runtime.oomKilled(c.paths), false);
    });

    it('update: new limits reach the running container\'s cgroup; an unknown container is an error', async () => {
      const c = await container({ args: ['sleep', '1000'] });
      await runtime.start(c.id);
      await runtime.update(c.id, { memory: { limit: 64 * 1024 * 1024 }, cpu: { quota: 30_000, period: 100_000 }, pids: { limit: 77 } });
      const dirs = processCgroupDirs(c.created.pid);
      const read = (dir: string | undefined, file: string) => readFile(join(dir!, file), 'utf8').then((t) => t.trim());
      if (dirs.version === 1) {
        assert.equal(await read(dirs.dirs.memory, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
        assert.equal(await read(dirs.dirs.cpu, 'cpu.cfs_quota_us'), '30000');
        assert.equal(await read(dirs.dirs.pids, 'pids.max'), '77');
      } else {
        assert.equal(await read(dirs.dir, 'memory.max'), String(64 * 1024 * 1024));
        assert.equal(await read(dirs.dir, 'cpu.max'), '30000 100000');
        assert.equal(await read(dirs.dir, 'pids.max'), '77');
      }
      await runtime.update(c.id, { pids: { limit: -1 } });
      assert.equal(await read(dirs.version === 1 ? dirs.dirs.pids : dirs.dir, 'pids.max'), 'max');
      await assert.rejects(runtime.update(`bh-test-none-${randomBytes(4).toString('hex')}`, { pids: { limit: 5 } }));
      await runtime.kill(c.id, 'KILL');
      assert.equal(await exitCode(c.id, c.paths), 137);
    });

    it('exec: output, exit code, stdin, and 127 for a missing command', async () => {
      const c = await container({ args: ['sleep', '1000'] });
      await runtime.start(c.id);
      const e = await runtime.exec(c.id, {
        sessionId: 'bh-test-exec1', tty: false, stdin: false, paths: c.paths,
        process: { args: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 5'], env: ['PATH=/bin'], cwd: '/' },
      });
      const [out, err] = [collect(e.stdout), collect(e.stderr)];
      assert.equal(await e.exitCode, 5);
      assert.equal(await out, 'exec-out\n');
      assert.equal(await err, 'exec-err\n');

      const withInput = await runtime.exec(c.id, {
        sessionId: 'bh-test-exec2', tty: false, stdin: true, paths: c.paths, process: { args: ['cat'], env: ['PATH=/bin'] },
      });
      const echoed = collect(withInput.stdout);
      withInput.stdin.end('through exec\n');
      assert.equal(await withInput.exitCode, 0);
      assert.equal(await echoed, 'through exec\n');

      const missing = await runtime.exec(c.id, {
        sessionId: 'bh-test-exec3', tty: false, stdin: false, paths: c.paths, process: { args: ['no-such-command'], env: ['PATH=/bin'] },
      });
      const why = collect(missing.stderr);
      assert.equal(await missing.exitCode, 127);
      assert.match(await why, /no-such-command/);
      const tty = await runtime.exec(c.id, {
        sessionId: 'bh-test-exec4', tty: true, stdin: false, paths: c.paths, process: { args: ['tty'], env: ['PATH=/bin'] },
      });
      const ttyOut = collect(tty.stdout);
      assert.equal(await tty.exitCode, 0);
      assert.match(await ttyOut, /\/dev\/pts\/\d+/);
      assert.equal((await runtime.state(c.id))?.status, 'running');
    });

    it('a missing command in create is a recognisable not-found error (127)', async () => {
      const err = await container({ args: ['/bin/no-such-command'] }).then(() => undefined, (e: unknown) => e);
      const invoke = processInvokeFailure(err);
      assert.ok(invoke, `expected a ProcessInvokeError, got ${String(err)}`);
      assert.equal(invoke.exitCode, 127);
      assert.match(invoke.message, /no-such-command/);
    });

    it('a non-executable command in create is a permission error (126)', async () => {
      const err = await container({ args: ['/etc/passwd'] }).then(() => undefined, (e: unknown) => e);
      assert.equal(processInvokeFailure(err)?.exitCode, 126, String(err));
    });

    it('conmon and the container survive the death of the process that created them', async () => {
      const bundle = await makeBundle({ args: ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'] });
      const id = `bh-test-${randomBytes(6).toString('hex')}`;
      cleanup.track(id, bundle);
      const job = {
        runtime: { name: runtime.name, path: runtime.path, conmonPath: findExecutable('conmon')!, stateRoot, exitDir: bundle.paths.exitDir },
        id, paths: bundle.paths,
      };
      const script = fileURLToPath(new URL('./fixtures/create-detached.js', import.meta.url));
      const child = spawn(process.execPath, [script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = collect(child.stdout);
      const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
      assert.equal(signal, 'SIGKILL', `creator exited with ${code}`);
      const created = JSON.parse((await line).trim()) as { pid: number; conmonPid: number };

      assert.ok(alive(created.conmonPid), 'conmon died with its creator');
      assert.equal((await runtime.state(id))?.status, 'running');
      const size = async () => (await stat(bundle.paths.logPath)).size;
      const before = await size();
      await waitFor('the log to grow after the creator died', async () => (await size()) > before + 50);
      // the shell is PID 1 in its namespace and ignores TERM, so KILL it
      await runtime.kill(id, 'KILL');
      assert.equal(await exitCode(id, bundle.paths), 137);
    });
  });
}
