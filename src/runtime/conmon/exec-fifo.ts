// Starting a created runc container without running `runc start`. A created container's init process waits to
// open <state dir>/exec.fifo for writing; it then writes one byte and execs the user's process, which closes the
// fifo (it is close-on-exec). `runc start` is nothing but the reading end of that handshake (open, read to the
// end, delete the fifo); doing it here saves a fork of the daemon and the start-up of a Go program, ~10 ms of
// every container start. When the handshake cannot happen (no fifo: the container is not "created"; or its init
// is dead) the caller falls back to `runc start`, so that the user reads runc's own words for why.
import { constants, open as openFd } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StateInvalidError, errnoCode } from '../../core/index.js';

const openRaw = promisify(openFd);

/** How often the init process is checked while we wait for it, as runc does. */
const POLL_MS = 100;

/**
 * Opens the fifo for reading without blocking: a blocking open would hold a libuv pool thread until the init
 * opens its end. Returns undefined when there is no fifo.
 */
async function openFifo(path: string): Promise<number | undefined> {
  try {
    // A raw descriptor, not a FileHandle: the socket below owns it and closes it (libuv opens it close-on-exec).
    return await openRaw(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The init's pid from runc's state file (read only when the wait is long enough to need it). */
async function initPid(stateDir: string): Promise<number> {
  const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as { init_process_pid?: number };
  return state.init_process_pid ?? 0;
}

async function alive(pid: number): Promise<boolean> {
  if (pid <= 0) return false;
  try {
    // Field 3 of /proc/PID/stat is the state; a zombie has exited and will never open the fifo.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Performs runc's start handshake for the container whose state dir is stateDir. Resolves true once the init has
 * exec'd the user's process; false when nothing was started (no exec fifo, or an init that died without opening
 * it): then `runc start` says why.
 */
export async function startThroughExecFifo(stateDir: string, timeoutMs: number): Promise<boolean> {
  const path = join(stateDir, 'exec.fifo');
  const fd = await openFifo(path);
  if (fd === undefined) return false;
  // As a socket, the read end is watched by epoll: it sees no end of file until a writer has come and gone,
  // whereas a plain read() of a fifo with no writer yet returns end of file at once.
  const fifo = new Socket({ fd, readable: true, writable: false });
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  try {
    const bytes = await new Promise<number | undefined>((resolveOnce, rejectOnce) => {
      // Settling also stops the polling: a check still under way must not arm another timer.
      const resolve = (v: number | undefined) => { settled = true; resolveOnce(v); };
      const reject = (err: unknown) => { settled = true; rejectOnce(err); };
      let received = 0;
      const deadline = Date.now() + timeoutMs;
      fifo.on('data', (b: Buffer) => { received += b.length; });
      fifo.on('end', () => resolve(received));
      fifo.on('error', reject);
      const check = async () => {
        if (!(await alive(await initPid(stateDir).catch(() => 0)))) {
          resolve(undefined); // unless the end of the fifo was seen meanwhile: a promise settles once
        } else if (Date.now() > deadline) {
          reject(new StateInvalidError(`the container's init did not open its exec fifo within ${timeoutMs / 1000} s`));
        } else if (!settled) {
          timer = setTimeout(() => void check(), POLL_MS);
        }
      };
      timer = setTimeout(() => void check(), POLL_MS);
    });
    if (bytes === undefined) return false;
    if (bytes === 0) throw new StateInvalidError('cannot start an already running container');
  } finally {
    settled = true;
    clearTimeout(timer);
    fifo.destroy();
  }
  await unlink(path).catch((err: unknown) => { if (errnoCode(err) !== 'ENOENT') throw err; });
  return true;
}
