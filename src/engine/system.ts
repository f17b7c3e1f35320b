// Engine-wide views and housekeeping: info, version, disk usage and prune.
import { join } from 'node:path';
import { hostInfo, hybridArchitectureNotice, type Virtualization } from '../sys/host-info.js';
import { diskUsage } from '../storage/index.js';
import type { Engine } from './engine.js';
import { pruneNetworks } from './networks/index.js';

export const ENGINE_VERSION = '0.1.0';
export const API_VERSION = '1';

export async function engineInfo(engine: Engine) {
  const host = await hostInfo();
  const containers = engine.ctx.state.listContainers();
  const count = (s: string) => containers.filter((c) => c.state.status === s).length;
  return {
    name: 'bulkhead',
    version: ENGINE_VERSION,
    root: engine.ctx.opts.root,
    runRoot: engine.ctx.opts.runRoot,
    runtime: { name: engine.runtime.name, path: engine.runtime.path },
    storageDriver: 'overlay',
    containers: { total: containers.length, running: count('running'), paused: count('paused'), stopped: count('exited') + count('created') },
    images: engine.images.list().length,
    host,
    virtualization: virtualizationSummary(host.virtualization),
  };
}

/** One sentence for `info`: what the engine runs on, and what that means for timing guarantees. */
export function virtualizationSummary(v: Virtualization): string {
  const inside = v.container ? ` inside a ${v.container} container` : '';
  switch (v.kind) {
    case 'bare-metal': return 'bare metal: containers share the hardware directly';
    case 'container': return `inside a ${v.container ?? 'container'} container: the engine is nested in another container engine`;
    default: return `${hybridArchitectureNotice(v)}${v.kind === 'vm+container' ? `; the engine itself also runs${inside}` : ''}`;
  }
}

export async function diskUsageReport(engine: Engine) {
  const images = engine.images.list().map((i) => ({ id: i.id, names: i.names, size: i.size,
    containers: engine.ctx.state.listContainers().filter((c) => c.config.imageId === i.id).length }));
  const containers = await Promise.all(engine.ctx.state.listContainers().map(async (c) => ({
    id: c.config.id, name: c.name, status: c.state.status,
    size: await diskUsage(join(engine.ctx.opts.root, 'containers', c.config.id, 'upper')),
  })));
  const volumes = await Promise.all(engine.volumes.list().map(async (v) => ({
    name: v.name, size: await diskUsage(v.mountpoint), inUse: engine.volumeInUse(v.name),
  })));
  return { images, containers, volumes };
}

export interface PruneReport {
  containersDeleted: string[];
  imagesDeleted: string[];
  volumesDeleted: string[];
  networksDeleted: string[];
  spaceReclaimed: number;
}

export async function pruneContainers(engine: Engine): Promise<{ deleted: string[]; reclaimed: number }> {
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of engine.ctx.state.listContainers()) {
    if (c.state.status !== 'exited' && c.state.status !== 'created') continue;
    reclaimed += await diskUsage(join(engine.ctx.opts.root, 'containers', c.config.id, 'upper'));
    await engine.remove(c.config.id, { force: false, volumes: false });
    deleted.push(c.config.id);
  }
  return { deleted, reclaimed };
}

/** `system prune`: stopped containers, dangling (or all unused) images, unused networks, unused volumes when asked. */
export async function systemPrune(engine: Engine, opts: { all: boolean; volumes: boolean }): Promise<PruneReport> {
  const containers = await pruneContainers(engine);
  const images = await engine.images.prune({ all: opts.all, isInUse: (id) => engine.imageInUse(id) });
  const volumes = opts.volumes ? await engine.volumes.prune((n) => engine.volumeInUse(n)) : { deleted: [], reclaimed: 0 };
  const networks = await pruneNetworks(engine.ctx);
  return {
    containersDeleted: containers.deleted, imagesDeleted: images.deleted, volumesDeleted: volumes.deleted, networksDeleted: networks,
    spaceReclaimed: containers.reclaimed + images.reclaimed + volumes.reclaimed,
  };
}
