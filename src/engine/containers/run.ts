// `run` as one call: create, park an attach, arm the wait, start. A client that does these steps itself (the docker
// CLI does) makes four requests and waits for three answers before the container starts; `bulkhead run` makes one.
// The steps are the engine's own, in the order a client must keep: the attach and the wait are in place before the
// start, so no output and no exit can be missed. Interactive runs (stdin) still go through attach, wait and start.
import { PassThrough, type Readable } from 'node:stream';
import type { CreateRequest } from '../types.js';
import type { AttachSession } from '../../runtime/types.js';
import type { AttachHandle } from './attach.js';
import type { WaitCondition, WaitResult } from './wait.js';

export interface RunSteps {
  create(req: CreateRequest): Promise<{ id: string; name: string }>;
  attach(ref: string, opts: { stdin: boolean }): Promise<AttachHandle>;
  wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult>;
  start(ref: string): Promise<void>;
  /** Takes what create and start wrote to the disk (they skip their own fsyncs). */
  flush(): Promise<void>;
}

export interface AttachedRun {
  id: string;
  name: string;
  tty: boolean;
  /** The container's output, connected before its process began. */
  session: AttachSession;
  /** Its exit, reported once it is removed when it was created with autoRemove (as `docker run --rm` waits). */
  exit: Promise<WaitResult>;
}

/**
 * Creates and starts a container with its output attached. A failed start is thrown as it is (the container stays
 * created, or is gone with autoRemove), with the parked attach and the wait let go.
 */
export async function runAttached(steps: RunSteps, req: CreateRequest): Promise<AttachedRun> {
  const { id, name } = await steps.create(req);
  const handle = await steps.attach(id, { stdin: false });
  // The output is taken from the moment the attach connects, which is before the process runs. The caller reads it
  // only once start has returned, and a process as short as `true` may be gone by then: a socket that reaches its
  // end unread ends and closes with no one listening, so the caller would wait for that end forever.
  const session = handle.session.then((s) => ({ ...s, stdout: buffered(s.stdout), stderr: buffered(s.stderr) }));
  session.catch(() => undefined); // a failed attach fails the start, whose error is the one to report
  const giveUp = new AbortController();
  const exit = steps.wait(id, req.autoRemove ? 'removed' : 'next-exit', giveUp.signal);
  exit.catch(() => undefined); // abandoned when the start fails; its error is the one to report
  try {
    await steps.start(id);
    await steps.flush();
    return { id, name, tty: handle.tty, session: await session, exit };
  } catch (err) {
    handle.cancel();
    giveUp.abort();
    throw err;
  }
}

/** Everything src gives, kept until read; it ends when src ends, fails or closes. */
function buffered(src: Readable): PassThrough {
  const out = new PassThrough();
  const end = () => { if (!out.writableEnded) out.end(); };
  src.on('error', end);
  src.on('close', end);
  return src.pipe(out);
}
