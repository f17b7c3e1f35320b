// Removing the blobs and layers of deleted images. Lifetimes follow references, not counters: after image records
// are deleted, whatever no remaining image names (config blob, layer blob, unpacked layer) goes. A layer dir is
// first renamed into root/tmp so a crash half-way through deleting never leaves a half-empty layer in place.
import { mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, type ImageRecord } from '../core/index.js';
import type { StorePaths } from './store-paths.js';

async function removeBlob(paths: StorePaths, digest: string): Promise<number> {
  const path = paths.blob(digest);
  const size = await stat(path).then((s) => s.size, () => 0);
  await rm(path, { force: true });
  return size;
}

async function removeLayer(paths: StorePaths, diffId: string): Promise<number> {
  const meta = await readFile(paths.layerMeta(diffId), 'utf8').then((t) => JSON.parse(t) as { size: number }, () => ({ size: 0 }));
  const trash = await mkdtemp(join(paths.tmp, 'trash-'));
  try {
    await rename(paths.layer(diffId), join(trash, 'layer'));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  } finally {
    await rm(trash, { recursive: true, force: true });
  }
  return meta.size;
}

/** Deletes what only `removed` images referenced; returns the bytes reclaimed. */
export async function collectGarbage(paths: StorePaths, removed: ImageRecord[], remaining: ImageRecord[]): Promise<number> {
  const blobs = new Set<string>();
  const layers = new Set<string>();
  for (const img of remaining) {
    blobs.add(img.id);
    for (const l of img.layers) { blobs.add(l.digest); layers.add(l.diffId); }
  }
  let reclaimed = 0;
  for (const img of removed) {
    for (const digest of [img.id, ...img.layers.map((l) => l.digest)]) {
      if (!blobs.has(digest)) { blobs.add(digest); reclaimed += await removeBlob(paths, digest); }
    }
    for (const l of img.layers) {
      if (!layers.has(l.diffId)) { layers.add(l.diffId); reclaimed += await removeLayer(paths, l.diffId); }
    }
  }
  return reclaimed;
}

/**
 * Mark and sweep at start-up: blobs and layers that no image references are what a crash between storing them
 * and recording the image left behind. Nothing else runs during start-up, so nothing in flight can be swept.
 */
export async function sweepUnreferenced(paths: StorePaths, images: ImageRecord[]): Promise<{ blobs: number; layers: number }> {
  const blobs = new Set<string>();
  const layers = new Set<string>();
  for (const img of images) {
    blobs.add(hexOf(img.id));
    for (const l of img.layers) { blobs.add(hexOf(l.digest)); layers.add(hexOf(l.diffId)); }
  }
  let swept = { blobs: 0, layers: 0 };
  for (const hex of await readdir(paths.blobs).catch(() => [] as string[])) {
    if (/^[0-9a-f]{64}$/.test(hex) && !blobs.has(hex)) { await removeBlob(paths, `sha256:${hex}`); swept = { ...swept, blobs: swept.blobs + 1 }; }
  }
  for (const hex of await readdir(paths.layers).catch(() => [] as string[])) {
    if (/^[0-9a-f]{64}$/.test(hex) && !layers.has(hex)) { await removeLayer(paths, `sha256:${hex}`); swept = { ...swept, layers: swept.layers + 1 }; }
  }
  return swept;
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, '');
}
