// GET /images/json and POST /images/prune: which images a Docker filter selects. Docker's notions are kept:
// a dangling image is untagged and no other image is built on it; an untagged image something is built on (a
// build's step image) is intermediate, hidden from the list without all=1 and kept by a dangling prune.
import { InvalidArgumentError, type ImageRecord } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { familiarName } from '../../image/index.js';
import { checkFilterKeys, labelMatches, parseFilters, type Filters } from './filters.js';
import { boolFilter, globMatch, untilMillis } from './images-filters.js';
import { isAncestor, Lineage } from './images-lineage.js';
import { createdSeconds, imageSummary } from './images-views.js';

const LIST_FILTERS = ['dangling', 'label', 'reference', 'before', 'since', 'until'] as const;

/** reference=pattern matches "name:tag" or just "name" of any of the image's tags, as Docker's FamiliarMatch. */
function referenceMatches(i: ImageRecord, patterns: string[]): boolean {
  return patterns.some((p) => i.names.some((n) => {
    const full = familiarName(n);
    const at = full.lastIndexOf(':');
    const repo = at > full.lastIndexOf('/') ? full.slice(0, at) : full;
    return globMatch(p, full) || globMatch(p, repo);
  }));
}

function labels(i: ImageRecord): Record<string, string> {
  return i.config.config?.Labels ?? {};
}

export function listImages(engine: Engine, q: URLSearchParams) {
  const f = parseFilters(q.get('filters'));
  checkFilterKeys(f, LIST_FILTERS, 'images');
  const all = engine.images.list();
  const lineage = new Lineage(all);
  const dangling = boolFilter(f, 'dangling');
  const before = f.before?.map((r) => createdSeconds(engine.images.resolve(r)));
  const since = f.since?.map((r) => createdSeconds(engine.images.resolve(r)));
  const until = untilMillis(f);
  const showAll = q.get('all') === '1' || q.get('all') === 'true';
  return all.filter((i) => {
    const untagged = i.names.length === 0;
    if (dangling !== undefined) {
      if (dangling !== (untagged && !lineage.hasChildren(i))) return false;
    } else if (!showAll && untagged && lineage.hasChildren(i)) {
      return false;
    }
    if (f.reference && !referenceMatches(i, f.reference)) return false;
    if (f.label && !f.label.every((l) => labelMatches(labels(i), l))) return false;
    if (before && !before.every((t) => createdSeconds(i) < t)) return false;
    if (since && !since.every((t) => createdSeconds(i) > t)) return false;
    if (until !== undefined && createdSeconds(i) * 1000 >= until) return false;
    return true;
  }).sort((a, b) => createdSeconds(b) - createdSeconds(a)).map((i) => imageSummary(i, lineage));
}

/** What a prune with these filters may remove, before the in-use check the engine makes itself. */
function pruneSelection(engine: Engine, all: ImageRecord[], f: Filters, inUse: (id: string) => boolean): Set<string> {
  const filter = engine.pruneFilter(f, 'image'); // until=, label=, label!=, dangling= (engine/sprawl)
  const everything = filter.switches.dangling === false;
  const chosen = all.filter((i) => (everything || i.names.length === 0) &&
    filter.matches({ labels: labels(i), created: new Date(createdSeconds(i) * 1000).toISOString() }));
  // What stays keeps what it is built on: a dangling prune must not take a tagged image's build steps.
  const kept = all.filter((i) => !chosen.includes(i) || inUse(i.id));
  return new Set(chosen.filter((c) => !kept.some((k) => isAncestor(c, k))).map((c) => c.id));
}

export async function pruneImages(engine: Engine, q: URLSearchParams) {
  const f = parseFilters(q.get('filters'));
  if (f.dangling && f.dangling.length !== 1) throw new InvalidArgumentError("invalid filter 'dangling': give one value");
  const all = engine.images.list();
  const inUse = (id: string) => engine.imageInUse(id);
  const selected = pruneSelection(engine, all, f, inUse);
  const names = new Map(all.map((i) => [i.id, i.names]));
  // The engine prunes what it counts as unused; an image outside the selection is reported to it as in use.
  const result = await engine.images.prune({ all: true, isInUse: (id) => inUse(id) || !selected.has(id) });
  const deleted: Array<{ Untagged: string } | { Deleted: string }> = [];
  for (const id of result.deleted) {
    for (const n of names.get(id) ?? []) deleted.push({ Untagged: familiarName(n) });
    deleted.push({ Deleted: id });
    engine.events.emit('image', 'delete', id, {});
  }
  engine.events.emit('image', 'prune', '', { reclaimed: String(result.reclaimed) });
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: result.reclaimed };
}
