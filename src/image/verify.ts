// Verifying an image down to what its containers run from. The trust anchor is content addressing, which the
// store already has: the image id (in the state DB) is the digest of its config blob, the config declares
// each layer's diff id, and each layer record names its blob digest. So every check is: re-hash the blob,
// re-unpack it with the same extractor that made the stored layer (its uncompressed stream must hash to the
// diff id), and compare the fresh tree with layers/<hex>/diff entry by entry (verify-tree.ts).
//
// Why re-unpack rather than the alternatives:
//  - re-tarring the stored tree and hashing it cannot work: the diff id hashes the tar as shipped (entry
//    order, headers, padding, pax records), which no re-tar reproduces byte for byte;
//  - a per-file manifest written at unpack time is only as good as the place its own digest is kept: beside
//    the layer an attacker edits both, so it would need a new DB column per layer, a migration, and still a
//    re-unpack path for every layer unpacked before manifests existed. Re-unpacking needs no new trusted
//    state, treats old and new layers alike, and compares against what the extractor actually produces (so
//    no second reading of tar semantics that could drift from extract.ts). Its cost is one extraction per
//    layer into root/tmp, paid only by explicit `image verify`, `image repair` and `replace`.
// Known gap: xattrs other than overlay's opaque mark are not compared (Node cannot read them); extraction
// never sets any, so a file capability added by hand to a layer would go unnoticed.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateInvalidError, shortId, wrap, type ImageRecord, type OciImageConfig } from '../core/index.js';
import { extractTar } from '../archive/index.js';
import { digestFile, type StorePaths } from './store-paths.js';
import { firstTreeDifference } from './verify-tree.js';

export interface LayerVerdict {
  diffId: string;
  digest: string;
  /** intact: matched its blob; repaired: was different (or missing) and has been restored from its blob. */
  status: 'intact' | 'repaired';
  /** For a repaired layer: the first difference found, e.g. "/bin/sh has different content". */
  found?: string;
}

export interface VerifyReport {
  id: string;
  layers: LayerVerdict[];
}

/**
 * Checks the config blob, every layer blob and every unpacked layer of image. Without repair the first problem
 * is thrown as a one-line StateInvalidError naming the layer and the first differing path; with repair an
 * unpacked layer that differs is replaced by a fresh unpacking of its (verified) blob. A corrupt blob cannot be
 * repaired from anything in the store and is always an error.
 */
export async function verifyImageContent(paths: StorePaths, image: ImageRecord, opts: { repair?: boolean } = {}): Promise<VerifyReport> {
  const fail = (message: string, cause?: unknown) => new StateInvalidError(`image ${shortId(image.id)}: ${message}`, { cause });
  const reload = 'remove the image and the containers using it, then pull or load it again';
  await checkBlob(paths, image.id, 'config', fail, reload);
  const config = JSON.parse(await readFile(paths.blob(image.id), 'utf8')) as OciImageConfig;
  const declared = config.rootfs?.diff_ids ?? [];
  if (declared.join(',') !== image.layers.map((l) => l.diffId).join(',')) {
    throw fail(`the image record lists other layers than its config declares; ${reload}`);
  }
  await mkdir(paths.tmp, { recursive: true });
  const scratch = await mkdtemp(join(paths.tmp, 'verify-'));
  const layers: LayerVerdict[] = [];
  try {
    for (const [i, l] of image.layers.entries()) {
      const what = `layer ${i + 1} of ${image.layers.length} (${l.diffId})`;
      await checkBlob(paths, l.digest, what, fail, reload);
      const fresh = join(scratch, `layer-${i}`);
      await mkdir(fresh, { mode: 0o755 }); // as Staging makes layers/<hex>/diff
      const unpacked = await extractTar(createReadStream(paths.blob(l.digest)), fresh, { whiteouts: 'overlay' })
        .catch((err: unknown) => { throw fail(`${what}: its blob no longer unpacks: ${err instanceof Error ? err.message : String(err)}; ${reload}`, err); });
      if (unpacked.diffId !== l.diffId) throw fail(`${what}: its blob unpacks to ${unpacked.diffId}; ${reload}`);
      const live = paths.layerDiff(l.diffId);
      const present = await stat(live).then((s) => s.isDirectory(), () => false);
      const diff = present ? await firstTreeDifference(fresh, live) : { path: '/', what: 'is missing from the store' };
      if (!diff) {
        layers.push({ diffId: l.diffId, digest: l.digest, status: 'intact' });
      } else if (!opts.repair) {
        throw fail(`${what} was modified on disk: ${diff.path} ${diff.what}; restore it from its verified blob with "bulkhead image repair ${shortId(image.id)}"`);
      } else {
        await installLayer(fresh, live, join(scratch, `replaced-${i}`), present).catch((err: unknown) => { throw wrap(err, `repair ${what}`); });
        // A layer that was missing altogether lost its meta.json too: the store reads the unpacked size there.
        if (!(await stat(paths.layerMeta(l.diffId)).then(() => true, () => false))) {
          await writeFile(paths.layerMeta(l.diffId), JSON.stringify({ diffId: l.diffId, size: unpacked.size }));
        }
        layers.push({ diffId: l.diffId, digest: l.digest, status: 'repaired', found: `${diff.path} ${diff.what}` });
      }
      await rm(fresh, { recursive: true, force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { id: image.id, layers };
}

async function checkBlob(paths: StorePaths, digest: string, what: string, fail: (m: string, c?: unknown) => Error, reload: string): Promise<void> {
  const actual = await digestFile(paths.blob(digest)).catch((err: unknown) => { throw fail(`${what}: blob ${digest} is missing or unreadable; ${reload}`, err); });
  if (actual.digest !== digest) throw fail(`${what}: blob ${digest} is corrupt (its content hashes to ${actual.digest}); ${reload}`);
}

/**
 * Moves the fresh tree into place. The tampered one is moved aside (into the scratch dir, deleted with it)
 * rather than deleted first, so a failed second rename can put it back. Overlay mounts of running containers
 * keep the inodes they mounted: they go on seeing the old tree until they are re-created (`bulkhead replace`).
 */
async function installLayer(fresh: string, live: string, aside: string, present: boolean): Promise<void> {
  if (present) await rename(live, aside);
  else await mkdir(dirname(live), { recursive: true, mode: 0o755 });
  try {
    await rename(fresh, live);
  } catch (err) {
    if (present) await rename(aside, live).catch(() => undefined);
    throw err;
  }
}
