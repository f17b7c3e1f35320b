// Attaching to conmon's SOCK_SEQPACKET attach socket through native/attach (Node cannot open that socket type).
// The helper demultiplexes conmon's tagged packets onto its stdout and stderr, and turns the end of its stdin into
// a half-close that conmon passes on as EOF on the container's stdin.
import { Writable, type Duplex, type Readable } from 'node:stream';
import { EngineError, NotFoundError, StateInvalidError } from '../../core/index.js';
import { nativeHelper } from '../../sys/native.js';
import { startProcess } from '../../sys/spawn.js';
import type { AttachOptions, AttachSession } from '../types.js';

export async function attachSocket(socketPath: string, opts: AttachOptions): Promise<AttachSession> {
  const signal = opts.whileCreating;
  signal?.throwIfAborted();
  // --wait: the helper retries until conmon listens (see native/attach.c); the abort below ends it otherwise.
  const args = [...(signal ? ['--wait'] : []), socketPath, '3'];
  const helper = startProcess(nativeHelper('attach'), args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const [helperStdin, helperStdout, helperStderr, ready] = helper.stdio.map((s) => s!) as [Duplex, Duplex, Duplex, Duplex];
  const exit = helper.exited.then(({ code }) => code ?? 1, () => 1);
  const closed = Promise.all([exit, ended(helperStdout), ended(helperStderr)]).then(() => undefined);
  helperStdin.on('error', () => { /* the helper is gone; closed tells the caller */ });
  const abort = () => helper.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });

  const connected = await new Promise<boolean>((resolve) => {
    ready.once('data', () => resolve(true));
    ready.once('close', () => resolve(false));
  });
  ready.destroy();
  signal?.removeEventListener('abort', abort);
  if (!connected) {
    await exit;
    if (signal?.aborted) throw signal.reason;
    const text = await helper.exited.then(() => readAll(helperStderr), (err: unknown) => `spawn: ${String(err)}`);
    if (/No such file|Connection refused/.test(text)) {
      throw new StateInvalidError(`attach ${socketPath}: the container is not running (no attach socket)`);
    }
    if (/ENOENT|spawn/.test(text)) throw new NotFoundError(`attach helper failed to start: ${text}`);
    throw new EngineError('Internal', `attach ${socketPath}: ${text || 'attach helper exited'}`);
  }

  // Without stdin the helper's input is simply never ended: ending it would close the container's stdin.
  const stdin = opts.stdin ? helperStdin : new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: helperStdout, stderr: helperStderr, stdin, closed, close: () => helper.kill('SIGTERM') };
}

function ended(stream: Readable): Promise<void> {
  return new Promise((resolve) => { stream.once('close', () => resolve()); stream.once('error', () => resolve()); });
}

/** Reads to the end with an iterator, which also answers for a stream that has already ended and closed. */
async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString().trim();
}
