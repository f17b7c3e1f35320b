// Starting the programs the daemon runs on every container's way (conmon, the runtime's commands, the attach helper)
// through the addon's posix_spawn. Node's child_process forks, copying the daemon's page tables while its event loop
// stands still: ~2 ms for an idle daemon, 5 ms and more with many containers, at every start. Without the addon,
// child_process starts them as before, behind the same interface.
import { spawn as forkAndExec } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { NotSupportedError, errnoCode } from '../core/index.js';
import { loadAddon } from './addon.js';

export type StdioKind = 'pipe' | 'ignore';

export interface ProcessExit { code: number | null; signal: NodeJS.Signals | null }

export interface StartedProcess {
  /** 0 when the program could not be started (then `exited` rejects). */
  readonly pid: number;
  /** Our end of each "pipe" entry, by the child's descriptor number (an ended stream if it never started); null for "ignore". */
  readonly stdio: ReadonlyArray<Duplex | null>;
  /** Settles once the program has exited; rejects (code ENOENT, EACCES…) when it could not be started. */
  readonly exited: Promise<ProcessExit>;
  /** True until the exit has been seen. */
  readonly running: boolean;
  /** Sends a signal while it runs (a no-op afterwards, so a recycled pid is never hit). */
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  stdio: StdioKind[];
  env?: NodeJS.ProcessEnv;
  /** A session of its own (setsid), so it outlives us and our terminal's signals. */
  detached?: boolean;
  cwd?: string;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** Starts a program: through the addon when it is built, else through child_process. */
export function startProcess(file: string, args: string[], opts: StartOptions): StartedProcess {
  return loadAddon() ? viaPosixSpawn(file, args, opts) : viaChildProcess(file, args, opts);
}

export function viaPosixSpawn(file: string, args: string[], opts: StartOptions): StartedProcess {
  const addon = loadAddon();
  if (!addon) throw new NotSupportedError('the native addon is not built: run "npm run build"');
  const env = Object.entries(opts.env ?? process.env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  let started: ReturnType<typeof addon.spawn>;
  try {
    started = addon.spawn(file, [file, ...args], env, opts.stdio, opts.detached ?? false, opts.cwd ?? null);
  } catch (err) {
    return notStarted(opts.stdio, err);
  }
  let running = true;
  const exited = started.exited.then(({ code, signal }) => {
    running = false;
    return { code, signal: signal === null ? null : SIGNAL_NAMES.get(signal) ?? null };
  });
  return {
    pid: started.pid,
    stdio: started.fds.map((fd) => (fd < 0 ? null : new Socket({ fd, readable: true, writable: true }))),
    exited,
    get running() { return running; },
    // Until `exited` settles the child is not reaped, so its pid cannot have been reused; an exit not yet reported
    // makes the kill fail with ESRCH, which is what "no longer running" means here.
    kill(signal = 'SIGTERM') {
      if (!running) return;
      try {
        process.kill(started.pid, signal);
      } catch (err) {
        if (errnoCode(err) !== 'ESRCH') throw err;
      }
    },
  };
}

function notStarted(stdio: StdioKind[], err: unknown): StartedProcess {
  const exited = Promise.reject(err);
  exited.catch(() => undefined); // the caller reads it when it needs to
  const ended = () => { const s = new PassThrough(); s.end(); s.resume(); return s; };
  return { pid: 0, stdio: stdio.map((k) => (k === 'pipe' ? ended() : null)), exited, running: false, kill() { /* nothing runs */ } };
}

export function viaChildProcess(file: string, args: string[], opts: StartOptions): StartedProcess {
  const child = forkAndExec(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: opts.stdio, detached: opts.detached ?? false });
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => undefined);
  return {
    get pid() { return child.pid ?? 0; },
    stdio: child.stdio.map((s) => (s ?? null) as Duplex | null),
    exited,
    get running() { return child.pid !== undefined && child.exitCode === null && child.signalCode === null; },
    kill(signal = 'SIGTERM') { if (this.running) child.kill(signal); },
  };
}

/** Everything a stream of a started program carries, once it has closed ('' for none). */
export function streamText(stream: Readable | null | undefined): Promise<string> {
  if (!stream) return Promise.resolve('');
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString()));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString()));
  });
}
