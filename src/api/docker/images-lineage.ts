// Which image a local image was built on. Docker keeps a parent pointer; Bulkhead does not, but every build
// step and commit extends its parent's history and layers, so "A's history and layers are a strict prefix of
// B's" finds the same chain. Docker uses it to hide a build's untagged step images from `docker images`
// (they are not dangling: a tagged image sits on them) and to fill ParentId and the ids in `docker history`.
import type { ImageRecord } from '../../core/index.js';

type HistoryEntry = NonNullable<ImageRecord['config']['history']>[number];

function sameEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.created === b.created && a.created_by === b.created_by && Boolean(a.empty_layer) === Boolean(b.empty_layer);
}

export function isAncestor(a: ImageRecord, b: ImageRecord): boolean {
  const ha = a.config.history ?? [];
  const hb = b.config.history ?? [];
  const la = a.config.rootfs.diff_ids;
  const lb = b.config.rootfs.diff_ids;
  if (a.id === b.id || ha.length === 0 || ha.length >= hb.length || la.length > lb.length) return false;
  return ha.every((e, i) => sameEntry(e, hb[i]!)) && la.every((d, i) => d === lb[i]);
}

export class Lineage {
  constructor(private readonly all: ImageRecord[]) {}

  /** The closest ancestor (longest shared history), or undefined. */
  parent(image: ImageRecord): ImageRecord | undefined {
    let best: ImageRecord | undefined;
    for (const a of this.all) {
      if (isAncestor(a, image) && (!best || (a.config.history?.length ?? 0) > (best.config.history?.length ?? 0))) best = a;
    }
    return best;
  }

  parentOf(id: string): ImageRecord | undefined {
    const image = this.all.find((i) => i.id === id);
    return image && this.parent(image);
  }

  hasChildren(image: ImageRecord): boolean {
    return this.all.some((b) => isAncestor(image, b));
  }

  /** The ancestor (or the image itself) whose history ends at entry `index`, if one is stored. */
  atHistory(image: ImageRecord, index: number): ImageRecord | undefined {
    if (index === (image.config.history?.length ?? 0) - 1) return image;
    return this.all.find((a) => (a.config.history?.length ?? 0) === index + 1 && isAncestor(a, image));
  }
}
