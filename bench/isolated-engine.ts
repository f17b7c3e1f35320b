// A private Bulkhead engine for the benchmark: its own root, run root and socket under a temp dir, driven through
// the real CLI (bin/bulkhead, executed the way a user's shell executes it). It never touches the host's default
// engine, and cleanup() removes every container, process, mount and file it made, even after a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../src/core/index.js';
import { errorLine, sleep, timeCommand, type Timed } from './stats.js';

// dist/bench/isolated-engine.js → repository root is two levels up.
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BULKHEAD_BIN = join(REPO_ROOT, 'bin', 'bulkhead');

export class IsolatedEngine {
  readonly dir: string;
  readonly root: string;
  readonly socket: string;
  private daemon?: ChildProcess;
  private daemonLog: Buffer[] = [];
  // CLI processes still running. Cleanup kills them first: one that has not yet connected when the daemon
  // stops would otherwise start a fresh daemon in the background (the CLI starts one on demand).
  private readonly inFlight = new Set<ChildProcess>();
  private closed = false;

  /** bin: the `bulkhead` to drive; another checkout's bin/bulkhead compares two builds (bench/compare.ts). */
  constructor(prefix = 'bh-bench-', readonly bin = BULKHEAD_BIN) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.root = join(this.dir, 'root');
    this.socket = join(this.dir, 'bulkhead.sock');
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, BULKHEAD_HOST: this.socket, BULKHEAD_ROOT: this.root };
  }

  get daemonPid(): number {
    if (!this.daemon?.pid) throw new EngineError('StateInvalid', 'the benchmark daemon is not running');
    return this.daemon.pid;
  }

  /** Runs the CLI once and measures it; the exit status is the caller's to judge. */
  time(args: readonly string[]): Promise<Timed> {
    if (this.closed) return Promise.reject(new EngineError('StateInvalid', 'the benchmark was interrupted'));
    return this.cli(args);
  }

  /** Runs the CLI once and fails with its stderr when it does not exit 0. */
  async ok(args: readonly string[]): Promise<Timed> {
    const r = await this.time(args);
    if (r.code !== 0) throw new EngineError('Internal', `bulkhead ${args.join(' ')}: ${errorLine(r.stderr, r.code)}`);
    return r;
  }

  private cli(args: readonly string[]): Promise<Timed> {
    return timeCommand(this.bin, args, {
      env: this.env,
      onSpawn: (child) => {
        this.inFlight.add(child);
        child.once('close', () => this.inFlight.delete(child));
      },
    });
  }

  /** Starts `bulkhead daemon` in the foreground of a child (so its pid is known) and waits until it answers. */
  async start(): Promise<void> {
    checkBundleFresh(this.bin);
    this.daemon = spawn(this.bin, ['daemon'], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.daemon.stderr!.on('data', (d: Buffer) => this.daemonLog.push(d));
    for (let i = 0; i < 400; i++) {
      if ((await this.time(['daemon', 'status'])).code === 0) return;
      if (this.daemon.exitCode !== null) break;
      await sleep(50);
    }
    throw new EngineError('Internal', `the benchmark daemon did not start: ${this.lastLogLine()}`);
  }

  lastLogLine(): string {
    return Buffer.concat(this.daemonLog).toString().trim().split('\n').pop() ?? '(no output)';
  }

  /** Removes every container, stops the daemon, deletes leftover runc containers, unmounts and deletes the dir. */
  async cleanup(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.inFlight].map((c) => new Promise((resolve) => { c.once('close', resolve); c.kill('SIGKILL'); })));
    if ((await this.cli(['daemon', 'status'])).code === 0) {
      const ids = (await this.cli(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await this.cli(['rm', '-f', '-v', ...ids]);
      await this.cli(['daemon', 'stop']);
    }
    await this.stopDaemonProcess();
    killStrayDaemon(join(this.root, 'run', 'daemon.pid'), this.dir);
    // Whatever a failure left behind: runc containers under this engine's own state root (their conmons exit
    // with them), then mounts under the temp dir, deepest first.
    const runcRoot = join(this.root, 'run', 'runc');
    const list = spawnSync('runc', ['--root', runcRoot, 'list', '-q']);
    for (const id of list.stdout?.toString().split('\n').filter(Boolean) ?? []) {
      spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    }
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopDaemonProcess(): Promise<void> {
    const d = this.daemon;
    if (!d || d.exitCode !== null || d.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => d.once('exit', () => resolve()));
    d.kill('SIGTERM');
    const timer = setTimeout(() => d.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A daemon the CLI started on demand under our root (its pid file there, our dir on its command line). */
function killStrayDaemon(pidFile: string, dir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!(pid > 0) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) return;
  } catch {
    return;
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** Lazily unmounts every mount point under dir (only ours: the dir is a fresh mkdtemp). */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

/**
 * bin/bulkhead quietly runs tsc's slower output when the CLI bundle is older than it (a `tsc` since the last
 * `npm run build`), which adds tens of milliseconds to every call: figures taken so would be wrong, so refuse.
 */
function checkBundleFresh(bin: string): void {
  const root = join(dirname(bin), '..');
  const bundle = join(root, 'dist', 'bundle', 'cli', 'bulkhead.cjs');
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(bundle) || (existsSync(main) && statSync(bundle).mtimeMs < statSync(main).mtimeMs)) {
    throw new EngineError('InvalidArgument', `the CLI bundle of ${root} is missing or older than tsc's output: run "node scripts/bundle-cli.mjs" (or npm run build) first`);
  }
}
