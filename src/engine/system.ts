// Engine-wide views and housekeeping: info, version, disk usage and prune.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostInfo, hybridArchitectureNotice, type Virtualization } from '../sys/host-info.js';
import { diskUsage, onTmpfs } from '../storage/index.js';
import type { Engine } from './engine.js';
import { buildCacheUsage, parsePruneFilters, pruneBuildCache, pruneContainersFiltered, pruneImagesFiltered, pruneNetworksFiltered,
  pruneVolumesFiltered, type Filters } from './sprawl/index.js';

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
    runRootFs: (await onTmpfs(engine.ctx.opts.runRoot)) ? 'tmpfs' : 'disk',
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

/**
 * `system df` (and -v): per image its size split into what it shares with other images' layers and what is
 * its own; per container its writable layer; per volume its data and how many containers mount it; and the
 * build cache's step images.
 */
export async function diskUsageReport(engine: Engine) {
  const all = engine.images.list();
  const records = engine.ctx.state.listContainers();
  const layerSize = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const i of all) {
    for (const l of i.layers) {
      owners.set(l.diffId, (owners.get(l.diffId) ?? 0) + 1);
      if (!layerSize.has(l.diffId)) layerSize.set(l.diffId, await unpackedSize(engine, l.diffId, l.size));
    }
  }
  const images = all.map((i) => {
    const shared = i.layers.filter((l) => (owners.get(l.diffId) ?? 0) > 1).reduce((a, l) => a + (layerSize.get(l.diffId) ?? 0), 0);
    return { id: i.id, names: i.names, size: i.size, created: i.config.created ?? i.created, sharedSize: shared,
      uniqueSize: Math.max(0, i.size - shared), containers: records.filter((c) => c.config.imageId === i.id).length };
  });
  const containers = await Promise.all(records.map(async (c) => ({
    id: c.config.id, name: c.name, status: c.state.status, image: c.config.image, created: c.config.created,
    command: [...c.config.entrypoint, ...c.config.cmd].join(' '),
    localVolumes: c.config.mounts.filter((m) => m.type === 'volume').length,
    size: await diskUsage(join(engine.ctx.opts.root, 'containers', c.config.id, 'upper')),
  })));
  const volumes = await Promise.all(engine.volumes.list().map(async (v) => ({
    name: v.name, size: await diskUsage(v.mountpoint), inUse: engine.volumeInUse(v.name),
    links: records.filter((c) => c.config.mounts.some((m) => m.type === 'volume' && m.source === v.name)).length,
  })));
  return { images, containers, volumes, buildCache: await buildCacheUsage(engine.ctx) };
}

/** A layer's unpacked size as the store recorded it (meta.json), else its blob's size. */
async function unpackedSize(engine: Engine, diffId: string, blobSize: number): Promise<number> {
  try {
    return (JSON.parse(await readFile(engine.images.paths.layerMeta(diffId), 'utf8')) as { size: number }).size;
  } catch {
    return blobSize;
  }
}

export interface PruneReport {
  containersDeleted: string[];
  imagesDeleted: string[];
  volumesDeleted: string[];
  networksDeleted: string[];
  buildCacheDeleted: string[];
  spaceReclaimed: number;
}

/** `container prune` with docker's filters (until=, label=, label!=). */
export function pruneContainers(engine: Engine, filters?: Filters): Promise<{ deleted: string[]; reclaimed: number }> {
  return engine.pruneContainers(filters);
}

/**
 * `system prune`: stopped containers, dangling (or all unused) images, unused networks, the build cache, and
 * unused volumes when asked; the filters (until=, label=, label!=) apply to each, parsed once before anything goes.
 */
export async function systemPrune(engine: Engine, opts: { all: boolean; volumes: boolean; filters?: Filters }): Promise<PruneReport> {
  const ctx = engine.ctx;
  const f = parsePruneFilters(opts.filters, 'system');
  const containers = await pruneContainersFiltered(ctx, f);
  const networks = await pruneNetworksFiltered(ctx, f);
  const volumes = opts.volumes ? await pruneVolumesFiltered(ctx, f) : { deleted: [], reclaimed: 0 };
  const cache = await pruneBuildCache(ctx, f);
  const images = await pruneImagesFiltered(ctx, f, { all: opts.all });
  return {
    containersDeleted: containers.deleted, imagesDeleted: images.deleted, volumesDeleted: volumes.deleted, networksDeleted: networks,
    buildCacheDeleted: cache.deleted, spaceReclaimed: containers.reclaimed + images.reclaimed + volumes.reclaimed + cache.reclaimed,
  };
}
