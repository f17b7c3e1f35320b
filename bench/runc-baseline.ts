// The floor to compare against: bare `runc run` of the same busybox root filesystem, with no engine, no conmon
// and no API in between. The bundle is built once (rootfs exported from a Bulkhead container, config.json from
// `runc spec` patched to run `true` without a terminal); each iteration runs it under a fresh container id.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../src/core/index.js';
import type { IsolatedEngine } from './isolated-engine.js';
import { timeCommand, timeOk } from './stats.js';

export class RuncBaseline {
  readonly bundle: string;
  readonly stateRoot: string;
  private seq = 0;

  /** dir must be private to the benchmark; everything lives under it. */
  constructor(private readonly dir: string) {
    this.bundle = join(dir, 'bundle');
    this.stateRoot = join(dir, 'runc-state');
  }

  /** Exports busybox's filesystem from a throwaway container and writes a minimal OCI bundle around it. */
  async build(engine: IsolatedEngine): Promise<void> {
    const rootfs = join(this.bundle, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    mkdirSync(this.stateRoot, { recursive: true });
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
    writeFileSync(`${configPath}.tmp`, JSON.stringify(config, null, 2));
    renameSync(`${configPath}.tmp`, configPath);
  }

  /** One `runc run` to completion; runc deletes the container (and its cgroup) when `true` exits. */
  async runOnce(): Promise<number> {
    const id = `bh-bench-${process.pid}-${++this.seq}`;
    const r = await timeCommand('runc', ['--root', this.stateRoot, 'run', '--bundle', this.bundle, id]);
    if (r.code !== 0) {
      throw new EngineError('Internal', `runc run ${id} exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
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
