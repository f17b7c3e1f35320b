// engine/containers/run.ts with stand-in steps: the output of a process that is over before start returns must still
// reach the caller whole (a unix socket that ends unread closes with no one listening), and a failed start lets the
// attach and the wait go.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { it } from 'node:test';
import { runAttached, type RunSteps } from '../../src/engine/containers/run.js';
import type { WaitResult } from '../../src/engine/index.js';

/** Two connected unix sockets: what the attach helper's stdout is to the daemon. */
async function socketPair(dir: string, name: string): Promise<[Socket, Socket]> {
  const path = join(dir, name);
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const client = connect(path);
  const peer = await accepted;
  server.close();
  return [client, peer];
}

function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the output never ended')), 2000);
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString()); });
  });
}

it('keeps the output of a process that ended before start returned, to its end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-test-run-'));
  try {
    const [stdout, stdoutPeer] = await socketPair(dir, 'out.sock');
    const [stderr, stderrPeer] = await socketPair(dir, 'err.sock');
    const exited: WaitResult = { exitCode: 0, oomKilled: false };
    const steps: RunSteps = {
      create: async () => ({ id: 'c1', name: 'quick' }),
      attach: async () => ({
        tty: false,
        session: Promise.resolve({ stdout, stderr, stdin: new Writable({ write: (_c, _e, cb) => cb() }), closed: Promise.resolve(), close: () => undefined }),
        cancel: () => undefined,
      }),
      wait: async () => exited,
      // The process writes, exits and its streams end while the engine still finishes the start.
      start: async () => {
        stdoutPeer.end('all of it\n');
        stderrPeer.end();
        await new Promise((r) => setTimeout(r, 100));
      },
      flush: async () => { flushedAfterStart = stdoutPeer.writableEnded; },
    };
    let flushedAfterStart = false;
    const run = await runAttached(steps, { image: 'busybox' });
    assert.equal(flushedAfterStart, true, 'the records were flushed after the start, before the answer');
    assert.deepEqual([await text(run.session.stdout), await text(run.session.stderr)], ['all of it\n', '']);
    assert.deepEqual(await run.exit, exited);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('lets the parked attach and the wait go when the start fails', async () => {
  let cancelled = false;
  let waitSignal: AbortSignal | undefined;
  const steps: RunSteps = {
    create: async () => ({ id: 'c2', name: 'broken' }),
    attach: async () => ({ tty: false, session: new Promise(() => undefined), cancel: () => { cancelled = true; } }),
    wait: (_ref, _condition, signal) => { waitSignal = signal; return new Promise(() => undefined); },
    start: async () => { throw new Error('exec: "nosuch": executable file not found'); },
    flush: async () => undefined,
  };
  await assert.rejects(runAttached(steps, { image: 'busybox' }), /nosuch/);
  assert.equal(cancelled, true);
  assert.equal(waitSignal?.aborted, true);
});
