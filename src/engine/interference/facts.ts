// The facts the interference analysis works from, gathered from what the engine knows: the allocation (which
// CPUs each running container may use, exclusive or not, its guarantee), its limits, the block device under
// its root filesystem, volumes and bind mounts (st_dev of the directories themselves), its networks, and the
// host's topology and virtualization. Only running containers interfere, so only they are facts.
import { existsSync, statSync } from 'node:fs';
import type { ContainerRecord } from '../../core/index.js';
import type { ContainerFacts, HostFacts } from '../../analysis/index.js';
import { detectVirtualization, readCpuTimes } from '../../sys/host-info.js';
import type { EngineContext } from '../context.js';
import { CPU_PERIOD } from '../../specgen/resources.js';

export function runningContainers(ctx: EngineContext): ContainerRecord[] {
  return ctx.state.listContainers().filter((c) => c.state.status === 'running' || c.state.status === 'paused');
}

export function containerFacts(ctx: EngineContext, containers: ContainerRecord[]): ContainerFacts[] {
  const { pinned } = ctx.alloc.placements();
  const shared = ctx.alloc.pools.sharedCpus();
  return containers.map((c) => {
    const id = c.config.id;
    const held = ctx.alloc.pools.get(id);
    const r = c.config.resources;
    const cpus = held?.cpus.length ? held.cpus : pinned.get(id) ?? shared;
    const quota = r.cpus ?? (r.cpuQuota && r.cpuQuota > 0 ? r.cpuQuota / (r.cpuPeriod ?? CPU_PERIOD) : undefined);
    const ioLimited = [r.deviceReadBps, r.deviceWriteBps, r.deviceReadIops, r.deviceWriteIops].some((l) => l?.length);
    const devices = new Map<string, string>();
    const note = (path: string, what: string) => {
      const dev = deviceOf(path);
      if (dev && !devices.has(dev)) devices.set(dev, what);
    };
    note(ctx.opts.root, 'root filesystem');
    for (const m of c.config.mounts) {
      if (m.type === 'volume') note(ctx.volumes.get(m.source)?.mountpoint ?? '', `volume ${m.source}`);
      if (m.type === 'bind') note(m.source, `bind mount ${m.source}`);
    }
    const networks = c.config.network === 'host' ? ['host']
      : ctx.state.listAttachments(id).map((a) => ctx.state.getNetwork(a.networkId)?.bridge).filter((b): b is string => !!b);
    return {
      id, name: c.name, cpus, exclusive: !!held?.cpus.length,
      ...(quota ? { cpuQuota: quota } : {}),
      ...(r.memory ? { memoryLimit: r.memory } : {}),
      ...(held?.memoryGuaranteed ? { memoryGuaranteed: held.memoryGuaranteed } : {}),
      blockDevices: [...devices].map(([device, what]) => ({ device, what, ioLimited })),
      networks,
      volumes: c.config.mounts.filter((m) => m.type === 'volume').map((m) => ({ name: m.source, readOnly: m.readOnly })),
    };
  });
}

/** major:minor of the filesystem a path lives on, or undefined when it is gone. */
function deviceOf(path: string): string | undefined {
  try {
    const dev = statSync(path).dev;
    // Linux's new_encode_dev layout, as glibc's major()/minor() decode it.
    const major = ((dev >> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    return `${major}:${minor}`;
  } catch {
    return undefined;
  }
}

/** The host's topology and virtualization; RDT only when resctrl is mounted (no partitioning without it). */
export async function hostFacts(ctx: EngineContext): Promise<HostFacts> {
  const v = await detectVirtualization();
  return {
    topology: ctx.alloc.topology,
    virtualization: { kind: v.kind, ...(v.hypervisor ? { hypervisor: v.hypervisor } : {}) },
    rdt: existsSync('/sys/fs/resctrl/schemata'),
  };
}

/** Cumulative steal ticks of all CPUs since boot (0 where the kernel does not count steal). */
export async function readStealTicks(): Promise<number> {
  return (await readCpuTimes())?.steal ?? 0;
}
