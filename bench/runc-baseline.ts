// The floor to compare against: bare `runc run` of the same busybox root filesystem, with no engine, no conmon
// and no API in between. The bundle is built once (rootfs exported from a Bulkhead container, config.json from
// `runc spec` patched to run `true` without a terminal); each iteration runs it under a fresh container id.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../src/core/index.js';
import type { IsolatedEngine } from './isolated-engine.js';
import { errorLine, timeCommand, timeOk } from './stats.js';

export class RuncBaseline {
  readonly bundle: string;
  readonly stateRoot: string;
  private readonly sleepBundle: string;
  private seq = 0;

  /** dir must be private to the benchmark; everything lives under it. */
  constructor(private readonly dir: string) {
    this.bundle = join(dir, 'bundle');
    this.stateRoot = join(dir, 'runc-state');
    this.sleepBundle = join(dir, 'bundle-sleep');
  }

  /** Exports busybox's filesystem from a throwaway container and writes a minimal OCI bundle around it. */
  async build(engine: IsolatedEngine): Promise<void> {
    const rootfs = join(this.bundle, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    mkdirSync(this.stateRoot, { recursive: true });
    // runc's default state root, /run/runc, is a tmpfs on most hosts, and Bulkhead keeps its runtime state on one
    // (storage/run-root.ts): the floor gets one too, or it would pay for disk inodes that the engine does not.
    await timeOk('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'bh-bench-runc', this.stateRoot]);
    const id = (await engine.ok(['create', 'busybox', 'true'])).stdout.trim();
    const tarPath = join(this.dir, 'busybox-rootfs.tar');
    try {
      await engine.ok(['export', '-o', tarPath, id]);
    } finally {
      await engine.time(['rm', '-f', id]);
    }
    await timeOk('tar', ['-x', '-f', tarPath, '-C', rootfs]);
    await timeOk('runc', ['spec', '--bundle', this.bundle]);
    const configPath = join(this.bundle, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { process: { terminal: boolean; args: string[] } };
    config.process.terminal = false;
    config.process.args = ['true'];
    writeJson(configPath, config);
    // A second bundle over the same rootfs whose process stays up, for timing steps on a running container.
    mkdirSync(this.sleepBundle, { recursive: true });
    writeJson(join(this.sleepBundle, 'config.json'), { ...config, root: { path: rootfs, readonly: true }, process: { ...config.process, args: ['sleep', '3600'] } });
  }

  /**
   * The runc steps an engine with conmon makes, timed alone: create and start (of `true`), and removing a
   * running container with `runc delete --force` versus `runc kill KILL` then polling state, then `runc delete`.
   */
  async measureSteps(runs: number): Promise<Record<string, number[]>> {
    const out: Record<string, number[]> = { 'runc create': [], 'runc start': [], 'runc delete --force (running)': [], 'runc kill + poll until stopped + delete': [] };
    const runc = async (args: string[]) => {
      const detaches = args[0] === 'create' || args.includes('--detach');
      const r = await timeCommand('runc', ['--root', this.stateRoot, ...args], { noOutput: detaches });
      if (r.code !== 0) throw new EngineError('Internal', `runc ${args.join(' ')}: ${errorLine(r.stderr, r.code)}`);
      return r;
    };
    for (let i = 0; i < runs; i++) {
      const id = `bh-bench-${process.pid}-${++this.seq}`;
      out['runc create']!.push((await runc(['create', '--bundle', this.bundle, id])).ms);
      out['runc start']!.push((await runc(['start', id])).ms);
      const sleeper = `${id}-s`;
      await runc(['run', '--detach', '--bundle', this.sleepBundle, sleeper]);
      out['runc delete --force (running)']!.push((await runc(['delete', '--force', sleeper])).ms);
      await runc(['run', '--detach', '--bundle', this.sleepBundle, sleeper]);
      const t0 = process.hrtime.bigint();
      await runc(['kill', sleeper, 'KILL']);
      while (JSON.parse((await runc(['state', sleeper])).stdout).status !== 'stopped') { /* poll, as a waiter would */ }
      await runc(['delete', sleeper]);
      out['runc kill + poll until stopped + delete']!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await runc(['delete', '--force', id]); // `true` has exited by now
    }
    return out;
  }

  /** One `runc run` to completion; runc deletes the container (and its cgroup) when `true` exits. */
  async runOnce(): Promise<number> {
    const id = `bh-bench-${process.pid}-${++this.seq}`;
    const r = await timeCommand('runc', ['--root', this.stateRoot, 'run', '--bundle', this.bundle, id]);
    if (r.code !== 0) {
      throw new EngineError('Internal', `runc run ${id} exited ${r.code}: ${errorLine(r.stderr, r.code)}`);
    }
    return r.ms;
  }

  /** Force-deletes any container an interrupted run left in the benchmark's own runc state root. */
  cleanup(): void {
    const list = spawnSync('runc', ['--root', this.stateRoot, 'list', '-q']);
    for (const id of list.stdout?.toString().split('\n').filter(Boolean) ?? []) {
      spawnSync('runc', ['--root', this.stateRoot, 'delete', '--force', id]);
    }
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}
