// Starting conmon so that it outlives us. conmon double-forks: the process we spawn writes the monitor's pid to
// the -P file and exits at once, while the monitor (its child) runs the container. We spawn it detached (own
// session), with stdin/stdout on /dev/null and nothing that ties it to this process except the pipes below, which
// conmon only writes to; so the daemon may exit or crash and the container keeps running and logging.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex, Readable } from 'node:stream';
import { EngineError, NotFoundError, errnoCode } from '../../core/index.js';

/** The extra descriptors conmon reads from its environment; each becomes a socketpair end at fd 3, 4, 5… */
export type ConmonPipe = '_OCI_SYNCPIPE' | '_OCI_STARTPIPE' | '_OCI_ATTACHPIPE';

export interface ConmonLaunch {
  child: ChildProcess;
  pipes: Map<ConmonPipe, Duplex>;
  /** Resolves with the launcher's stderr once the process we spawned (not the monitor) has exited. */
  launched: Promise<{ code: number; stderr: string }>;
}

export function launchConmon(conmonPath: string, args: string[], pipeNames: ConmonPipe[]): ConmonLaunch {
  const env: NodeJS.ProcessEnv = { ...process.env };
  pipeNames.forEach((name, i) => { env[name] = String(3 + i); });
  // A Node 'pipe' in the stdio array is a SOCK_STREAM socketpair, which conmon reads and writes like a pipe.
  const child = spawn(conmonPath, args, {
    detached: true,
    env,
    stdio: ['ignore', 'ignore', 'pipe', ...pipeNames.map(() => 'pipe' as const)],
  });
  const pipes = new Map<ConmonPipe, Duplex>();
  pipeNames.forEach((name, i) => pipes.set(name, child.stdio[3 + i] as Duplex));

  // conmon points its stderr at /dev/null right after forking, so this only catches early failures
  // (bad options, missing files) and ends quickly.
  const stderr = collect(child.stderr!);
  const launched = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    child.on('error', (err) => {
      reject(errnoCode(err) === 'ENOENT'
        ? new NotFoundError(`conmon not found at ${conmonPath}: install conmon or set its path`, { cause: err })
        : new EngineError('Internal', `start conmon: ${err.message}`, { cause: err }));
    });
    // 'exit', not 'close': 'close' would also wait for the sync pipe, which the monitor keeps open.
    child.on('exit', (code, signal) => {
      void stderr.then((text) => resolve({ code: code ?? (signal ? 128 : 1), stderr: text }));
    });
  });
  launched.catch(() => { /* reported through whoever awaits it */ });
  // The daemon's event loop waits on the pipes while a caller awaits an answer, never on conmon itself.
  child.unref();
  return { child, pipes, launched };
}

function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(b));
  return new Promise((resolve) => {
    stream.on('close', () => resolve(Buffer.concat(chunks).toString().trim()));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString().trim()));
  });
}
