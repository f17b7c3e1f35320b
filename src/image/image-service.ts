// ImageService: the local image store's public face. Blobs and layers live on disk (store-paths.ts), records
// in the ImageMetadataStore. Every way in (import, load, commit, bootstrap) stages and verifies everything first,
// moves it into the store, and only then records metadata, so a failure never leaves a half-made image.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  ConflictError, InvalidArgumentError, NotFoundError, StateInvalidError, shortId, wrap,
  type ImageRecord, type ImageRunConfig, type LayerRef, type OciImageConfig,
} from '../core/index.js';
import type { ImageMetadataStore } from '../state/types.js';
import { stageArchive, type StagedImage } from './archive-load.js';
import { saveImages, type SaveItem } from './archive-save.js';
import { busyboxRootfs, BUSYBOX_PATH_ENV } from './bootstrap.js';
import { collectGarbage, sweepUnreferenced } from './garbage.js';
import { layerMediaType, newImageConfig } from './image-config.js';
import { familiarName, isShortName, normalizeReference, parseReference, parseTagReference } from './reference.js';
import { Staging } from './staging.js';
import { StorePaths } from './store-paths.js';
import { verifyImageContent, type VerifyReport } from './verify.js';
import { isGzipFile } from '../archive/index.js';

export interface ImageServiceOptions {
  root: string;
  store: ImageMetadataStore;
  /** Registries a short name may have been pulled from, in order (daemon config registries.search). */
  searchRegistries?: readonly string[];
}

export interface RemoveOptions { force: boolean; isInUse: (imageId: string) => boolean }

export class ImageService {
  readonly paths: StorePaths;
  private readonly store: ImageMetadataStore;
  private readonly searchRegistries: readonly string[];

  constructor(opts: ImageServiceOptions) {
    this.paths = new StorePaths(opts.root);
    this.store = opts.store;
    this.searchRegistries = opts.searchRegistries ?? [];
  }

  /** Creates the layout and removes staging left over by a crash (it was never recorded, so it is garbage). */
  async init(): Promise<void> {
    for (const d of [this.paths.blobs, this.paths.layers, this.paths.tmp]) await mkdir(d, { recursive: true, mode: 0o700 });
    for (const leftover of await readdir(this.paths.tmp)) await rm(join(this.paths.tmp, leftover), { recursive: true, force: true });
    await sweepUnreferenced(this.paths, this.store.listImages());
  }

  list(): ImageRecord[] {
    return this.store.listImages();
  }

  /** name[:tag], name@digest, full or short id, sha256:…; names win over id prefixes, as in docker. */
  resolve(ref: string): ImageRecord {
    const byId = (id: string) => this.store.getImage(id);
    if (/^sha256:[a-f0-9]{64}$/.test(ref)) return byId(ref) ?? this.notFound(ref);
    let name: string | undefined;
    try { name = normalizeReference(ref); } catch { /* not a name: maybe an id */ }
    if (name !== undefined) {
      const id = this.store.imageIdByName(name) ?? this.searchedName(ref);
      if (id !== undefined) return byId(id) ?? this.notFound(ref);
      const digest = parseReference(ref).digest;
      if (digest !== undefined && byId(digest)) return byId(digest)!;
    }
    const prefix = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref)?.[1];
    if (prefix !== undefined) {
      const hits = this.store.listImages().filter((i) => i.id.startsWith(`sha256:${prefix}`));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new InvalidArgumentError(`image id prefix "${ref}" is ambiguous: it matches ${hits.length} images`);
    }
    return this.notFound(ref);
  }

  /** A short name pulled through the search list is stored under its full name (podman's rule for local lookup). */
  private searchedName(ref: string): string | undefined {
    if (!isShortName(ref)) return undefined;
    for (const host of this.searchRegistries) {
      const id = this.store.imageIdByName(normalizeReference(`${host}/${ref}`));
      if (id !== undefined) return id;
    }
    return undefined;
  }

  private notFound(ref: string): never {
    throw new NotFoundError(`no such image: ${ref}`);
  }

  tag(ref: string, newRef: string): void {
    const image = this.resolve(ref);
    this.store.setImageName(parseTagReference(newRef), image.id);
  }

  /** Overlay lowerdir order: topmost layer first. */
  layerDirs(image: ImageRecord): string[] {
    return image.layers.map((l) => {
      const dir = this.paths.layerDiff(l.diffId);
      if (!existsSync(dir)) throw new StateInvalidError(`image ${shortId(image.id)}: layer ${l.diffId} is missing from ${this.paths.layers}`);
      return dir;
    }).reverse();
  }

  async importTarball(input: Readable, opts: { reference?: string; config?: Partial<ImageRunConfig>; message?: string }): Promise<ImageRecord> {
    const names = opts.reference ? [parseTagReference(opts.reference)] : [];
    const created = new Date().toISOString();
    return this.withStaging('import tarball', async (staging) => {
      const layer = await this.stageLayerStream(staging, input);
      const config = newImageConfig({
        diffIds: [layer.diffId], run: opts.config, created,
        history: [{ created, created_by: 'bulkhead import', ...(opts.message ? { comment: opts.message } : {}) }],
      });
      return this.stageNewImage(staging, config, [layer], layer.unpacked, names);
    });
  }

  async commit(opts: { parent: ImageRecord; layerTar: Readable; config: ImageRunConfig; reference?: string; comment?: string; author?: string }): Promise<ImageRecord> {
    const names = opts.reference ? [parseTagReference(opts.reference)] : [];
    const created = new Date().toISOString();
    const p = opts.parent;
    return this.withStaging(`commit on ${shortId(p.id)}`, async (staging) => {
      const layer = await this.stageLayerStream(staging, opts.layerTar);
      const config: OciImageConfig = {
        ...newImageConfig({ diffIds: [...p.config.rootfs.diff_ids, layer.diffId], run: opts.config, created, author: opts.author }),
        architecture: p.config.architecture, os: p.config.os,
        history: [...(p.config.history ?? []), {
          created, created_by: 'bulkhead commit', ...(opts.comment ? { comment: opts.comment } : {}),
        }],
      };
      return this.stageNewImage(staging, config, [...p.layers, layer], p.size + layer.unpacked, names);
    });
  }

  async bootstrapBusybox(reference = 'busybox:latest'): Promise<ImageRecord> {
    const names = [parseTagReference(reference)];
    const rootfs = await busyboxRootfs();
    const created = rootfs.created.toISOString();
    return this.withStaging('bootstrap busybox', async (staging) => {
      const layer = await this.stageLayerStream(staging, rootfs.tar);
      const config = newImageConfig({
        diffIds: [layer.diffId], created, run: { Env: [BUSYBOX_PATH_ENV], Cmd: ['sh'] },
        history: [{ created, created_by: 'bulkhead bootstrap from /usr/bin/busybox' }],
      });
      return this.stageNewImage(staging, config, [layer], layer.unpacked, names);
    });
  }

  async save(refs: string[], format: 'docker-archive' | 'oci-archive', out: Writable): Promise<void> {
    if (format !== 'docker-archive' && format !== 'oci-archive') {
      throw new InvalidArgumentError(`unknown archive format "${String(format)}": use docker-archive or oci-archive`);
    }
    const items: SaveItem[] = [];
    for (const ref of refs) {
      const image = this.resolve(ref);
      let name: string | undefined;
      try { name = normalizeReference(ref); } catch { /* an id */ }
      const names = name !== undefined && this.store.imageIdByName(name) === image.id ? [name] : [];
      const item = items.find((i) => i.image.id === image.id);
      if (item) item.names.push(...names.filter((n) => !item.names.includes(n)));
      else items.push({ image, names });
    }
    await saveImages(this.paths, items, format, out);
  }

  async load(input: Readable): Promise<ImageRecord[]> {
    return this.withStaging('load', async (staging) => {
      const images = await stageArchive(input, staging);
      await staging.commit();
      return images.map((i) => this.record(i));
    });
  }

  async remove(ref: string, opts: RemoveOptions): Promise<string[]> {
    const image = this.resolve(ref);
    let name: string | undefined;
    try { name = normalizeReference(ref); } catch { /* an id */ }
    const byName = name !== undefined && this.store.imageIdByName(name) === image.id;
    const inUse = opts.isInUse(image.id);
    const short = shortId(image.id);
    if (byName && image.names.length > 1) {
      this.store.removeImageName(name!);
      return [`Untagged: ${familiarName(name!)}`];
    }
    if (!opts.force) {
      if (inUse && byName) throw new ConflictError(`unable to remove repository reference "${ref}" (must force) - a container is using image ${short}`);
      if (inUse) throw new ConflictError(`unable to delete ${short} (must be forced) - image is being used by a container`);
      if (image.names.length > 1) throw new ConflictError(`unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    }
    const lines = image.names.map((n) => `Untagged: ${familiarName(n)}`);
    for (const n of image.names) this.store.removeImageName(n);
    // A forced removal of an image a container uses only untags it: the container's rootfs needs its layers.
    if (inUse) return lines;
    this.store.deleteImage(image.id);
    await collectGarbage(this.paths, [image], this.store.listImages());
    return [...lines, `Deleted: ${image.id}`];
  }

  /** Removes dangling images (all unused ones with `all`) and what only they referenced. */
  async prune(opts: { all: boolean; isInUse: (id: string) => boolean }): Promise<{ deleted: string[]; reclaimed: number }> {
    const victims = this.store.listImages().filter((i) => !opts.isInUse(i.id) && (opts.all || i.names.length === 0));
    for (const v of victims) {
      for (const n of v.names) this.store.removeImageName(n);
      this.store.deleteImage(v.id);
    }
    const reclaimed = await collectGarbage(this.paths, victims, this.store.listImages());
    return { deleted: victims.map((v) => v.id), reclaimed };
  }

  /**
   * Re-hashes the config and every layer blob, re-unpacks each layer and compares it with the stored one, so a
   * file changed in layers/<hex>/diff is found (verify.ts). Throws a one-line StateInvalidError at the first problem.
   */
  verifyImage(image: ImageRecord): Promise<VerifyReport> {
    return verifyImageContent(this.paths, image);
  }

  /** As verifyImage, but an unpacked layer that differs from its verified blob is unpacked again in its place. */
  repairImage(image: ImageRecord): Promise<VerifyReport> {
    return verifyImageContent(this.paths, image, { repair: true });
  }

  // ---- internals: staging helpers ----

  private async withStaging<T>(what: string, fn: (s: Staging) => Promise<T>): Promise<T> {
    const staging = await Staging.open(this.paths);
    try {
      return await fn(staging);
    } catch (err) {
      throw wrap(err, what);
    } finally {
      await staging.abort();
    }
  }

  private async stageLayerStream(staging: Staging, input: Readable): Promise<LayerRef & { unpacked: number }> {
    const blob = await staging.putBlobStream(input, undefined, 'layer');
    const layer = await staging.unpackLayer(blob.digest);
    const gzip = blob.size >= 2 && (await isGzipFile(staging.blobPath(blob.digest)));
    return { digest: blob.digest, diffId: layer.diffId, size: blob.size, mediaType: layerMediaType(gzip), unpacked: layer.size };
  }

  private async stageNewImage(staging: Staging, config: OciImageConfig, layers: LayerRef[], size: number, names: string[]): Promise<ImageRecord> {
    const bytes = Buffer.from(JSON.stringify(config));
    const { digest } = await staging.putBlobBytes(bytes, 'image config');
    await staging.commit();
    const clean = layers.map(({ digest: d, diffId, size: s, mediaType }) => ({ digest: d, diffId, size: s, mediaType }));
    return this.record({ id: digest, config, layers: clean, size, names });
  }

  /** Records an image whose blobs and layers a registry pull already committed (stream-ingest.ts). */
  recordCommitted(image: StagedImage): ImageRecord {
    return this.record(image);
  }

  /** Records a committed image (or adds names to an existing one, which keeps its creation time). */
  private record(i: StagedImage): ImageRecord {
    if (this.store.getImage(i.id) === undefined) {
      this.store.putImage({ id: i.id, config: i.config, layers: i.layers, names: [], created: new Date().toISOString(), size: i.size });
    }
    for (const n of i.names) this.store.setImageName(n, i.id);
    return this.store.getImage(i.id)!;
  }
}
