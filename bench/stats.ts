// Timing and summary statistics for the benchmark. Percentiles interpolate linearly between the two nearest
// samples, so a p90 over 20 runs is not just "the second-slowest run".
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../src/core/index.js';

export interface Summary {
  n: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summarize(samplesMs: readonly number[]): Summary {
  const s = [...samplesMs].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: s.length,
    medianMs: round(percentile(s, 0.5)),
    p90Ms: round(percentile(s, 0.9)),
    minMs: round(s[0] ?? NaN),
    maxMs: round(s[s.length - 1] ?? NaN),
    meanMs: round(s.reduce((a, v) => a + v, 0) / (s.length || 1)),
  };
}

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface TimeOptions {
  env?: NodeJS.ProcessEnv;
  onSpawn?: (child: ChildProcess) => void;
  /**
   * Discard all output. Needed for `runc create` and `runc run --detach`: the container inherits runc's stdio,
   * so captured pipes would stay open for as long as the container lives.
   */
  noOutput?: boolean;
}

/**
 * Spawns a program and measures wall time from spawn to exit with all its output read, which is what a user
 * waiting at a prompt experiences. Output is captured (not inherited) so the terminal does not add latency.
 */
export function timeCommand(file: string, args: readonly string[], opts: TimeOptions = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: opts.noOutput ? 'ignore' : ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    opts.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new EngineError('Internal', `${file}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, code: code ?? (signal ? 128 : -1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** Like timeCommand, but a non-zero exit is an error carrying the program's last stderr line. */
export async function timeOk(file: string, args: readonly string[], opts: TimeOptions = {}): Promise<Timed> {
  const r = await timeCommand(file, args, opts);
  if (r.code !== 0) {
    throw new EngineError('Internal', `${[file, ...args].join(' ')}: ${errorLine(r.stderr, r.code)}`);
  }
  return r;
}

/**
 * The line of a program's stderr that says what went wrong: bulkhead's own one-line error, or for a crash the
 * thrown error rather than the trailing "Node.js v20" banner.
 */
export function errorLine(stderr: string, code: number): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(bulkhead: |\w*Error\b|Error:)/.test(l)) ?? lines.filter((l) => !/^Node\.js v/.test(l)).pop() ?? `exit status ${code}`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
