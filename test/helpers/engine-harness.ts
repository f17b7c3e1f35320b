// An isolated Bulkhead engine for integration tests: its own root, run root and socket under a temp dir, driven
// through the real CLI (bin/bulkhead) the way a user drives it. Cleans up every container, mount and process
// it made.
import { createHash } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'bulkhead');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestEngine {
  readonly dir: string;
  readonly root: string;
  readonly socket: string;
  daemon?: ChildProcess;

  constructor(prefix = 'bh-test-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.root = join(this.dir, 'root');
    this.socket = join(this.dir, 'bulkhead.sock');
  }

  get env(): NodeJS.ProcessEnv {
    // Tests start and stop their daemon explicitly; a stray CLI call must not start another one.
    return { ...process.env, BULKHEAD_HOST: this.socket, BULKHEAD_ROOT: this.root, BULKHEAD_NO_AUTOSTART: '1' };
  }

  /** Runs the CLI to completion. */
  run(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): CliResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: this.env, input: opts.input, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 });
    return { code: r.status ?? -1, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
  }

  /** Runs the CLI and fails the test with its stderr if it does not exit 0; returns trimmed stdout. */
  ok(args: string[], opts: { input?: string | Buffer } = {}): string {
    const r = this.run(args, opts);
    if (r.code !== 0) throw new Error(`bulkhead ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /** Runs the CLI asynchronously (for concurrent runs and long-lived commands). */
  spawn(args: string[]): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  async runAsync(args: string[], input?: string): Promise<CliResult> {
    const child = this.spawn(args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.stdin!.end(input);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  }

  /** Starts the daemon in the foreground of a child process (so a test can SIGKILL it) and waits until it answers. */
  async startDaemon(): Promise<void> {
    this.daemon = spawn(process.execPath, [BIN, 'daemon', ...this.daemonArgs()], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const log: Buffer[] = [];
    this.daemon.stderr!.on('data', (d: Buffer) => log.push(d));
    for (let i = 0; i < 400; i++) {
      if (this.run(['daemon', 'status']).code === 0) return;
      if (this.daemon.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`daemon did not start: ${Buffer.concat(log).toString()}`);
  }

  /** Extra `bulkhead daemon` arguments (a test engine with its own config file overrides this). */
  protected daemonArgs(): string[] {
    return [];
  }

  killDaemon(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const d = this.daemon;
    if (!d || d.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => { d.once('exit', () => resolve()); d.kill(signal); });
  }

  async setup(): Promise<this> {
    await this.startDaemon();
    this.ok(['image', 'bootstrap', 'busybox']);
    return this;
  }

  /** Removes every container, stops the daemon, unmounts what is left under the root and deletes the temp dir. */
  async cleanup(): Promise<void> {
    // The engine itself undoes what it made (network attachments, firewall rules, bridges): when a test left
    // no daemon running (killed, or stopped with containers still up), one is started for the clean-up.
    if (this.run(['daemon', 'status']).code !== 0) await this.startDaemon().catch(() => undefined);
    if (this.run(['daemon', 'status']).code === 0) {
      const ids = this.run(['ps', '-aq', '--no-trunc']).stdout.split('\n').filter(Boolean);
      if (ids.length) this.run(['rm', '-f', '-v', ...ids]);
      // Not spawnSync: `daemon stop` waits for the daemon's pid to go, and the daemon is this process's child,
      // a zombie until this process's event loop reaps it; a blocked loop made every clean-up wait the CLI's 10 s.
      await this.runAsync(['daemon', 'stop']);
    }
    await this.killDaemon();
    // A daemon the CLI started by itself for this root (a test that failed before stopping it) goes too.
    const started = spawnSync('pgrep', ['-f', '--', `--root ${this.root} daemon`]).stdout?.toString().split('\n').filter(Boolean) ?? [];
    for (const pid of started) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ } }
    // Anything a failed test left running: runc containers under this engine's state root, their conmons.
    const runcRoot = join(this.root, 'run', 'runc');
    const list = spawnSync('runc', ['--root', runcRoot, 'list', '-q']);
    for (const id of list.stdout?.toString().split('\n').filter(Boolean) ?? []) spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(this.dir)).sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    // This engine's default bridge (named from its root, src/engine/networks/runtime.ts), if a killed daemon left it.
    const bridge = `bh-d${createHash('sha256').update(this.root).digest('hex').slice(0, 8)}`;
    if (spawnSync('ip', ['link', 'show', 'dev', bridge], { stdio: 'ignore' }).status === 0) {
      const isolation = ['-m', 'comment', '--comment', 'CNI firewall plugin rules (ingressPolicy: same-bridge)'];
      spawnSync('iptables', ['-w', '-D', 'CNI-ISOLATION-STAGE-1', '-i', bridge, '!', '-o', bridge, ...isolation, '-j', 'CNI-ISOLATION-STAGE-2']);
      spawnSync('iptables', ['-w', '-D', 'CNI-ISOLATION-STAGE-2', '-o', bridge, ...isolation, '-j', 'DROP']);
      spawnSync('ip', ['link', 'del', 'dev', bridge]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
