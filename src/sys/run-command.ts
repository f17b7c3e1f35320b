// Runs an external program to completion and returns its output; failures become typed errors that carry the
// program's own stderr, because that is what tells a user what went wrong.
import { spawn } from 'node:child_process';
import { EngineError, NotFoundError, errnoCode } from '../core/index.js';

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
  timeoutMs?: number;
}

export function runCommand(file: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      reject(errnoCode(e) === 'ENOENT'
        ? new NotFoundError(`${file}: program not found`, { cause: e })
        : new EngineError('Internal', `${file}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? 128 };
      if (result.code === 0 || opts.allowFailure) return resolve(result);
      const detail = result.stderr.trim().split('\n').pop() || (signal ? `killed by ${signal}` : `exit status ${result.code}`);
      reject(new EngineError('Internal', `${file} ${args[0] ?? ''}: ${detail}`));
    });
    child.stdin.on('error', () => { /* the program may exit without reading its input */ });
    child.stdin.end(opts.input);
  });
}
