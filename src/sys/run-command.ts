// Runs an external program to completion and returns its output; failures become typed errors that carry the
// program's own stderr, because that is what tells a user what went wrong.
import { EngineError, NotFoundError, errnoCode } from '../core/index.js';
import { startProcess, streamText, type ProcessExit } from './spawn.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /**
   * SIGTERM after this long, as child_process's timeout does. Its output then ends with its exit: a child it left
   * behind holding the pipes must not hold the caller too.
   */
  timeoutMs?: number;
}

export async function runCommand(file: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const { exit, stdout, stderr } = await finish(file, args, opts);
  const result = { stdout, stderr, code: exit.code ?? 128 };
  if (result.code === 0 || opts.allowFailure) return result;
  const detail = result.stderr.trim().split('\n').pop() || (exit.signal ? `killed by ${exit.signal}` : `exit status ${result.code}`);
  throw new EngineError('Internal', `${file} ${args[0] ?? ''}: ${detail}`);
}

interface Finished { exit: ProcessExit; stdout: string; stderr: string }

async function finish(file: string, args: string[], opts: RunOptions): Promise<Finished> {
  const p = startProcess(file, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const [stdin, out, err] = p.stdio;
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
    p.kill('SIGTERM');
    void p.exited.then(() => { out?.destroy(); err?.destroy(); }, () => undefined);
  }, opts.timeoutMs);
  try {
    stdin?.on('error', () => { /* the program may exit without reading its input */ });
    stdin?.end(opts.input);
    const [exit, stdout, stderr] = await Promise.all([p.exited, streamText(out), streamText(err)]);
    return { exit, stdout, stderr };
  } catch (e) {
    throw notStarted(file, e);
  } finally {
    clearTimeout(timer);
  }
}

function notStarted(file: string, e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  return errnoCode(e) === 'ENOENT'
    ? new NotFoundError(`${file}: program not found`, { cause: e })
    : new EngineError('Internal', `${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
