// Every prune with docker's filters, through one parser (prune-filters.ts): containers, images, volumes,
// networks and the build cache. The domain services prune what they are told is unused; a record the filter
// does not pick is reported to them as in use, so the in-use checks stay theirs and nothing in use ever goes.
import type { ImageRecord, VolumeRecord } from '../../core/index.js';
import { BuildCache } from '../../build/cache.js';
import type { EngineContext } from '../context.js';
import { pruneContainers } from '../containers/prune.js';
import { pruneNetworks } from '../networks/index.js';
import { parsePruneFilters, type Filters, type PruneFilter } from './prune-filters.js';
import { imageInUse, volumeInUse } from '../in-use.js';

/** The label the engine puts on a container's anonymous volumes, and the one docker uses. */
const ANONYMOUS_LABELS = ['bulkhead.anonymous', 'com.docker.volume.anonymous'];

export interface PruneResult { deleted: string[]; reclaimed: number }

/** An image's labels and creation time as the filters see them: its config's, else when this engine stored it. */
export function imagePrunable(i: ImageRecord) {
  const created = i.config.created && !Number.isNaN(Date.parse(i.config.created)) ? i.config.created : i.created;
  return { labels: i.config.config?.Labels ?? {}, created };
}

export function pruneContainersFiltered(ctx: EngineContext, filters?: Filters | PruneFilter): Promise<PruneResult> {
  const f = asFilter(filters, 'container');
  return pruneContainers(ctx, (c) => f.matches({ labels: c.config.labels, created: c.config.created }));
}

/** Dangling (untagged) images, or every unused one with `all` or dangling=false; narrowed by until=/label=. */
export async function pruneImagesFiltered(ctx: EngineContext, filters?: Filters | PruneFilter, opts: { all?: boolean } = {}): Promise<PruneResult> {
  const f = asFilter(filters, 'image');
  const all = opts.all || f.switches.dangling === false;
  const chosen = new Set(ctx.images.list().filter((i) => (all || i.names.length === 0) && f.matches(imagePrunable(i))).map((i) => i.id));
  const result = await ctx.images.prune({ all: true, isInUse: (id) => !chosen.has(id) || imageInUse(ctx, id) });
  for (const id of result.deleted) ctx.events.emit('image', 'delete', id, {});
  ctx.events.emit('image', 'prune', '', { reclaimed: String(result.reclaimed) });
  return result;
}

/**
 * Unused volumes the filter picks. `anonymousOnly` is docker's default since API 1.42 (all=true lifts it);
 * bulkhead's own CLI prunes named volumes too, as it always did.
 */
export async function pruneVolumesFiltered(ctx: EngineContext, filters?: Filters | PruneFilter, opts: { anonymousOnly?: boolean } = {}): Promise<PruneResult> {
  const f = asFilter(filters, 'volume');
  const anonymousOnly = opts.anonymousOnly && f.switches.all !== true;
  const picked = (v: VolumeRecord) => (!anonymousOnly || ANONYMOUS_LABELS.some((l) => Object.hasOwn(v.labels, l))) && f.matches(v);
  const chosen = new Set(ctx.volumes.list().filter(picked).map((v) => v.name));
  const result = await ctx.volumes.prune((n) => !chosen.has(n) || volumeInUse(ctx, n));
  for (const name of result.deleted) ctx.events.emit('volume', 'destroy', name, {});
  ctx.events.emit('volume', 'prune', '', { reclaimed: String(result.reclaimed) });
  return result;
}

export async function pruneNetworksFiltered(ctx: EngineContext, filters?: Filters | PruneFilter): Promise<string[]> {
  const f = asFilter(filters, 'network');
  return pruneNetworks(ctx, (n) => f.matches(n));
}

/**
 * `builder prune`: forgets the cache entries whose step image the filter picks (until= on when the engine
 * stored the step, label= on its labels), then removes those step images that are untagged and unused. A child
 * image keeps its own layers, so removing a step image under a tagged one only loses the cache, never data.
 */
export async function pruneBuildCache(ctx: EngineContext, filters?: Filters | PruneFilter): Promise<PruneResult> {
  const f = asFilter(filters, 'build cache');
  const cache = new BuildCache(ctx.opts.root);
  const picked = (id: string) => {
    const image = ctx.images.list().find((i) => i.id === id);
    // An entry whose image is gone is dead weight whatever the filter says.
    return !image || f.matches({ labels: image.config.config?.Labels ?? {}, created: image.created });
  };
  const forgotten = new Set(await cache.forget(picked));
  const result = await ctx.images.prune({ all: false, isInUse: (id) => !forgotten.has(id) || imageInUse(ctx, id) });
  for (const id of result.deleted) ctx.events.emit('image', 'delete', id, {});
  return { deleted: [...forgotten], reclaimed: result.reclaimed };
}

/** Step images the build cache holds and their size, for `system df`. */
export async function buildCacheUsage(ctx: EngineContext): Promise<{ entries: number; size: number; images: Array<{ id: string; size: number; created: string; tagged: boolean }> }> {
  const ids = new Set(await new BuildCache(ctx.opts.root).imageIds());
  const images = ctx.images.list().filter((i) => ids.has(i.id))
    .map((i) => ({ id: i.id, size: i.size, created: i.created, tagged: i.names.length > 0 }));
  return { entries: images.length, size: images.filter((i) => !i.tagged).reduce((a, i) => a + i.size, 0), images };
}

function asFilter(filters: Filters | PruneFilter | undefined, kind: Parameters<typeof parsePruneFilters>[1]): PruneFilter {
  return filters && typeof (filters as PruneFilter).matches === 'function' ? filters as PruneFilter : parsePruneFilters(filters as Filters | undefined, kind);
}
