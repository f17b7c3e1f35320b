// A ProbeRunner that runs the probe binary as plain host processes pinned with taskset. It stands in for the
// engine, which will implement ProbeRunner with real containers (cpuset cgroups, the allocator, a /scratch
// mount); the lead wires that later. It emulates what the engine must do for placements: cpusetCpus pins, an
// exclusive victim takes the last CPU and shrinks the shared pool — running unpinned aggressors are re-pinned to
// what is left, as the engine must re-apply shared-pool cpusets — and it reports zero cgroup throttling because a
// plain process has no cgroup of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { CgroupCounters, ProbeContainerSpec, ProbeRunner } from '../../src/analysis/measure/index.js';

const ZERO: CgroupCounters = { nrThrottled: 0, throttledUs: 0 };

export class TasksetProbeRunner implements ProbeRunner {
  private readonly running = new Set<{ child: ChildProcess; pinned: boolean }>();
  private sharedPool: number[];
  started = 0;

  constructor(private readonly probe: string, private readonly cpus: number[], private readonly scratchDir: string) {
    this.sharedPool = cpus.slice();
  }

  private argv(spec: ProbeContainerSpec): string[] {
    return spec.argv.map((a) => (spec.scratch && a === '/scratch' ? this.scratchDir : a));
  }

  private repinShared(): void {
    for (const r of this.running) {
      if (!r.pinned && r.child.pid) execFileSync('taskset', ['-a', '-p', '-c', this.sharedPool.join(','), String(r.child.pid)], { stdio: 'ignore' });
    }
  }

  async runVictim(spec: ProbeContainerSpec): Promise<{ stdout: string; counters: CgroupCounters }> {
    let cpuList = spec.placement.cpusetCpus ?? this.sharedPool.join(',');
    const exclusive = spec.placement.exclusiveCpus ?? 0;
    if (exclusive > 0) {
      const owned = this.cpus.slice(-exclusive);
      cpuList = owned.join(',');
      this.sharedPool = this.cpus.filter((c) => !owned.includes(c));
      this.repinShared();
    }
    try {
      const child = spawn('taskset', ['-c', cpuList, this.probe, ...this.argv(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.started++;
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const [code] = (await once(child, 'close')) as [number | null];
      if (code !== 0) throw new Error(`probe ${spec.argv.join(' ')} exited ${code}: ${stderr.trim()}`);
      return { stdout, counters: ZERO };
    } finally {
      if (exclusive > 0) {
        this.sharedPool = this.cpus.slice();
        this.repinShared();
      }
    }
  }

  async startAggressor(spec: ProbeContainerSpec): Promise<{ stop(): Promise<CgroupCounters> }> {
    const pinned = spec.placement.cpusetCpus !== undefined;
    const cpuList = spec.placement.cpusetCpus ?? this.sharedPool.join(',');
    const child = spawn('taskset', ['-c', cpuList, this.probe, ...this.argv(spec)], { stdio: 'ignore' });
    this.started++;
    const entry = { child, pinned };
    this.running.add(entry);
    const closed = once(child, 'close');
    await once(child, 'spawn');
    return {
      stop: async () => {
        child.kill('SIGTERM');
        const [code] = (await closed) as [number | null];
        this.running.delete(entry);
        if (code !== 0) throw new Error(`aggressor ${spec.argv.join(' ')} exited ${code}`);
        return ZERO;
      },
    };
  }

  /** Kills whatever is still running (only after a failed test). */
  killAll(): void {
    for (const r of this.running) r.child.kill('SIGKILL');
    this.running.clear();
  }
}
