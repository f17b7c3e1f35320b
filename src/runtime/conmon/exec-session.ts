// exec through conmon, as podman does: conmon runs `runtime exec --process FILE --detach` and reports the pid and
// later the exit code on the sync pipe. Three pipes keep us in step with it:
//   start pipe  — conmon waits on it once before forking, and (with --exec-attach) once more before exec'ing the
//                 runtime, which gives us time to connect to the attach socket and see every byte of output;
//   attach pipe — conmon says "attach socket ready";
//   sync pipe   — {"data": pid} (or a negative value and the runtime's error), then {"data": exitCode}.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { EngineError, wrap } from '../../core/index.js';
import { processInvokeFailure, runtimeFailure } from '../errors.js';
import type { ExecOptions, ExecSession } from '../types.js';
import { attachSocket } from './attach-session.js';
import { execArgs, type MonitorTarget } from './conmon-args.js';
import { launchConmon } from './conmon-process.js';
import { SyncPipeReader } from './sync-pipe.js';
import { writeControl } from './control-fifo.js';

const ANSWER_TIMEOUT_MS = 60_000;

export async function execWithConmon(
  target: MonitorTarget, conmonPath: string, containerId: string, opts: ExecOptions,
): Promise<ExecSession> {
  const context = `exec in container ${containerId}`;
  const sessionDir = join(opts.paths.userdata, 'exec', opts.sessionId);
  const processSpecPath = join(sessionDir, 'process.json');
  await mkdir(join(sessionDir, 'exit'), { recursive: true });
  const cleanup = () => rm(sessionDir, { recursive: true, force: true }).catch(() => undefined);
  try {
    await writeFile(processSpecPath, JSON.stringify(withDefaults(opts)));
    const args = execArgs(target, { containerId, sessionId: opts.sessionId, sessionDir, processSpecPath, tty: opts.tty, stdin: opts.stdin });
    const launch = launchConmon(conmonPath, args, ['_OCI_SYNCPIPE', '_OCI_STARTPIPE', '_OCI_ATTACHPIPE']);
    const sync = new SyncPipeReader(launch.pipes.get('_OCI_SYNCPIPE')!);
    const attachReady = new SyncPipeReader(launch.pipes.get('_OCI_ATTACHPIPE')!);
    const startPipe = launch.pipes.get('_OCI_STARTPIPE')!;
    startPipe.on('error', () => undefined);

    startPipe.write('0');
    const ready = await attachReady.next(ANSWER_TIMEOUT_MS);
    attachReady.close();
    if (!ready || ready.data < 0) {
      const early = await launch.launched.catch(() => ({ stderr: '' }));
      const fromSync = await sync.next(1000).catch(() => null);
      throw runtimeFailure(context, fromSync?.message ?? ready?.message ?? (early.stderr || 'conmon exited before attaching'));
    }
    const attach = await attachSocket(join(sessionDir, 'attach'), { stdin: opts.stdin });
    startPipe.end('0');

    const started = await sync.next(ANSWER_TIMEOUT_MS);
    if (!started || started.data <= 0) {
      attach.close();
      sync.close();
      const failure = runtimeFailure(context, started?.message ?? 'conmon exited without starting the process');
      const invoke = processInvokeFailure(failure);
      if (!invoke) throw failure;
      await cleanup();
      return failedSession(invoke.exitCode, invoke.message);
    }

    const exitCode = sync.next().then((m) => {
      sync.close();
      if (!m) throw new EngineError('Internal', `${context}: conmon exited without reporting the exit code`);
      return m.data;
    }).finally(() => void cleanup());
    exitCode.catch(() => undefined);
    return {
      ...attach,
      exitCode,
      resize: (rows, cols) => writeControl(sessionDir, rows, cols),
    };
  } catch (err) {
    await cleanup();
    throw wrap(err, context);
  }
}

// runc refuses a process without cwd; the spec generator normally fills these, exec callers may not.
function withDefaults(opts: ExecOptions): Record<string, unknown> {
  return {
    cwd: '/',
    user: { uid: 0, gid: 0 },
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ...opts.process,
    terminal: opts.tty,
  };
}

/** A session for a process that never started: no output but the reason, and the shell's exit code. */
function failedSession(code: number, message: string): ExecSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end(`${message}\n`);
  return {
    stdout,
    stderr,
    stdin: new Writable({ write: (_c, _e, cb) => cb() }),
    closed: Promise.resolve(),
    close: () => undefined,
    exitCode: Promise.resolve(code),
    resize: async () => undefined,
  };
}
