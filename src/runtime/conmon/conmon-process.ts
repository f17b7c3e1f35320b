// Starting conmon so that it outlives us. conmon double-forks: the process we spawn writes the monitor's pid to
// the -P file and exits at once, while the monitor (its child) runs the container. We spawn it detached (own
// session), with stdin/stdout on /dev/null and nothing that ties it to this process except the pipes below, which
// conmon only writes to; so the daemon may exit or crash and the container keeps running and logging.
import type { Duplex } from 'node:stream';
import { EngineError, NotFoundError, errnoCode } from '../../core/index.js';
import { startProcess, streamText } from '../../sys/spawn.js';

/** The extra descriptors conmon reads from its environment; each becomes a socketpair end at fd 3, 4, 5… */
export type ConmonPipe = '_OCI_SYNCPIPE' | '_OCI_STARTPIPE' | '_OCI_ATTACHPIPE';

export interface ConmonLaunch {
  pipes: Map<ConmonPipe, Duplex>;
  /** Resolves with the launcher's stderr once the process we spawned (not the monitor) has exited. */
  launched: Promise<{ code: number; stderr: string }>;
}

export function launchConmon(conmonPath: string, args: string[], pipeNames: ConmonPipe[]): ConmonLaunch {
  const env: NodeJS.ProcessEnv = { ...process.env };
  pipeNames.forEach((name, i) => { env[name] = String(3 + i); });
  // Each 'pipe' is a SOCK_STREAM socketpair, which conmon reads and writes like a pipe. sys/spawn.ts starts it
  // without forking the daemon (a fork of a busy daemon costs milliseconds at every container start).
  const child = startProcess(conmonPath, args, { detached: true, env, stdio: ['ignore', 'ignore', 'pipe', ...pipeNames.map(() => 'pipe' as const)] });
  const pipes = new Map<ConmonPipe, Duplex>();
  pipeNames.forEach((name, i) => pipes.set(name, child.stdio[3 + i]!));

  // conmon points its stderr at /dev/null right after forking, so this only catches early failures
  // (bad options, missing files) and ends quickly.
  const stderr = streamText(child.stdio[2]).then((text) => text.trim());
  // The exit, not the pipes' end: the sync pipe stays open in the monitor.
  const launched = child.exited.then(
    async ({ code, signal }) => ({ code: code ?? (signal ? 128 : 1), stderr: await stderr }),
    (err: unknown) => {
      for (const p of pipes.values()) p.destroy();
      throw errnoCode(err) === 'ENOENT'
        ? new NotFoundError(`conmon not found at ${conmonPath}: install conmon or set its path`, { cause: err })
        : new EngineError('Internal', `start conmon: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
  launched.catch(() => { /* reported through whoever awaits it */ });
  return { pipes, launched };
}
