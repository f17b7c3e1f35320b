// The measurement's probes run as real containers of this engine: the static probe binary bind-mounted read-only
// into a busybox container, placed by --cpuset-cpus or --cpus-exclusive through the allocator like any other
// container, with no network (each probe has its own loopback). Every container is labelled and removed when its
// run ends; close() removes whatever a failure left, and the scratch directory (on the engine's own disk, so the
// disk path crosses the device the containers' writes really go to).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NotFoundError, wrap } from '../../core/index.js';
import type { CgroupCounters, ProbeContainerSpec, ProbeRunner } from '../../analysis/measure/index.js';
import { nativeHelper } from '../../sys/native.js';
import { processCgroupDirs } from '../../sys/cgroup-paths.js';
import { readThrottling } from '../../sys/cgroup-cpu.js';
import type { EngineContext } from '../context.js';
import { createContainer } from '../containers/create.js';
import { startContainer } from '../containers/start.js';
import { armWait } from '../containers/wait.js';
import { readLogs } from '../containers/logs.js';
import { removeContainer } from '../containers/remove.js';
import { stopContainer } from '../containers/stop.js';
import { MEASURE_LABEL } from './label.js';

const IMAGE = 'busybox';

export class ContainerProbeRunner implements ProbeRunner {
  private readonly run = randomBytes(4).toString('hex');
  private readonly scratch: string;
  private readonly started = new Set<string>();
  private count = 0;

  constructor(private readonly ctx: EngineContext) {
    this.scratch = join(ctx.opts.root, 'tmp', `interference-${this.run}`);
  }

  /** Fails early, with the fix, when the probe binary or the image is missing. */
  async prepare(): Promise<void> {
    nativeHelper('probe');
    try {
      this.ctx.images.resolve(IMAGE);
    } catch (err) {
      throw new NotFoundError('interference measure runs its probes in the busybox image: run "bulkhead image bootstrap busybox" first', { cause: err });
    }
    await mkdir(this.scratch, { recursive: true });
  }

  async runVictim(spec: ProbeContainerSpec): Promise<{ stdout: string; counters: CgroupCounters }> {
    const id = await this.start(spec);
    try {
      const counters = { nrThrottled: 0, throttledUs: 0 };
      const pid = this.ctx.state.getContainer(id)?.state.pid ?? 0;
      // The cgroup goes with the exit, so its counters are sampled while the probe runs.
      const sample = () => { try { Object.assign(counters, readThrottling(processCgroupDirs(pid))); } catch { /* exited */ } };
      const timer = setInterval(sample, 100);
      const { exitCode } = await armWait(this.ctx, id, 'not-running').finally(() => clearInterval(timer));
      let stdout = '';
      let stderr = '';
      for await (const e of readLogs(this.ctx, id, {})) if (e.stream === 'stdout') stdout += e.text; else stderr += e.text;
      if (exitCode !== 0) throw new Error(`probe ${spec.argv.join(' ')} exited ${exitCode}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
      return { stdout, counters };
    } finally {
      await this.remove(id);
    }
  }

  async startAggressor(spec: ProbeContainerSpec): Promise<{ stop(): Promise<CgroupCounters> }> {
    const id = await this.start(spec);
    const pid = this.ctx.state.getContainer(id)?.state.pid ?? 0;
    return {
      stop: async () => {
        let counters: CgroupCounters = { nrThrottled: 0, throttledUs: 0 };
        try { counters = readThrottling(processCgroupDirs(pid)); } catch { /* it ended by itself */ }
        // SIGTERM first: the disk aggressor deletes its file on the way out.
        await stopContainer(this.ctx, id, 2).catch(() => undefined);
        await this.remove(id);
        return counters;
      },
    };
  }

  /** Removes every container this run started and its scratch directory. */
  async close(): Promise<void> {
    for (const id of [...this.started]) await this.remove(id);
    await rm(this.scratch, { recursive: true, force: true });
  }

  private async start(spec: ProbeContainerSpec): Promise<string> {
    const name = `bh-measure-${this.run}-${spec.role}-${++this.count}`;
    const mounts = [{ type: 'bind' as const, source: nativeHelper('probe'), target: '/probe', readOnly: true }];
    if (spec.scratch) {
      const dir = join(this.scratch, name);
      await mkdir(dir, { recursive: true });
      mounts.push({ type: 'bind', source: dir, target: '/scratch', readOnly: false });
    }
    const { id } = await createContainer(this.ctx, {
      image: IMAGE, name, entrypoint: ['/probe'], cmd: spec.argv, network: 'none', mounts,
      labels: { [MEASURE_LABEL]: this.run }, stopSignal: 'SIGTERM', stopTimeout: 2,
      resources: { cpusetCpus: spec.placement.cpusetCpus, cpusExclusive: spec.placement.exclusiveCpus },
    });
    this.started.add(id);
    try {
      await startContainer(this.ctx, id);
    } catch (err) {
      await this.remove(id);
      throw wrap(err, `start the ${spec.role} probe`);
    }
    return id;
  }

  private async remove(id: string): Promise<void> {
    this.started.delete(id);
    await removeContainer(this.ctx, id, { force: true, volumes: true }).catch(() => undefined);
  }
}
