// `save`: images out as a docker-archive (what `docker load` reads: manifest.json, repositories,
// <config-hex>.json, <layer>/layer.tar uncompressed) or as an OCI image layout tar (oci-layout, index.json,
// blobs/sha256/…). Blobs go out byte for byte as stored, so a save → load round trip keeps the image id.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { wrap, type ImageRecord } from '../core/index.js';
import { MEDIA_TYPES, ociLayerMediaType } from './image-config.js';
import { familiarName, parseReference } from './reference.js';
import { digestHex, sha256Digest, type StorePaths } from './store-paths.js';
import { TarWriter } from './tar-writer.js';

export interface SaveItem {
  image: ImageRecord;
  names: string[]; // normalised tag references to record for it (empty when saved by id)
}

function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith('gzip');
}

async function writeDockerArchive(paths: StorePaths, items: SaveItem[], tw: TarWriter, scratch: string): Promise<void> {
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const { image, names } of items) {
    const configName = `${digestHex(image.id)}.json`;
    if (!written.has(configName)) await tw.addFile(configName, paths.blob(image.id));
    written.add(configName);
    const layerNames: string[] = [];
    for (const layer of image.layers) {
      const hex = digestHex(layer.diffId, 'diff id');
      const name = `${hex}/layer.tar`;
      layerNames.push(name);
      if (written.has(name)) continue;
      written.add(name);
      await tw.addBytes(`${hex}/VERSION`, '1.0');
      await tw.addBytes(`${hex}/json`, JSON.stringify({ id: hex }));
      let file = paths.blob(layer.digest);
      if (isGzipLayer(layer.mediaType)) {
        // docker-archive layers are plain tars; the tar header needs the size up front, hence a temp file
        file = join(scratch, hex);
        await pipeline(createReadStream(paths.blob(layer.digest)), createGunzip(), createWriteStream(file));
      }
      await tw.addFile(name, file);
      if (file !== paths.blob(layer.digest)) await rm(file);
    }
    const tags = names.map(familiarName);
    manifest.push({ Config: configName, RepoTags: tags.length ? tags : null, Layers: layerNames });
    const top = image.layers.length ? digestHex(image.layers[image.layers.length - 1]!.diffId) : '';
    for (const n of names) {
      const ref = parseReference(n);
      const repo = familiarName(`${ref.domain}/${ref.path}`);
      (repositories[repo] ??= {})[ref.tag ?? 'latest'] = top;
    }
  }
  await tw.addBytes('manifest.json', JSON.stringify(manifest));
  await tw.addBytes('repositories', JSON.stringify(repositories));
}

/** The OCI manifest for an image, generated the same way every time so its digest is stable. */
export function ociManifest(image: ImageRecord, configSize: number): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: configSize },
    layers: image.layers.map((l) => ({ mediaType: ociLayerMediaType(l.mediaType), digest: l.digest, size: l.size })),
  }));
}

async function writeOciArchive(paths: StorePaths, items: SaveItem[], tw: TarWriter): Promise<void> {
  const written = new Set<string>();
  const addBlob = async (digest: string, write: (name: string) => Promise<void>) => {
    const name = `blobs/sha256/${digestHex(digest)}`;
    if (!written.has(name)) await write(name);
    written.add(name);
  };
  await tw.addBytes('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const descriptors: object[] = [];
  for (const { image, names } of items) {
    const { size: configSize } = await stat(paths.blob(image.id));
    await addBlob(image.id, (n) => tw.addFile(n, paths.blob(image.id)));
    for (const layer of image.layers) await addBlob(layer.digest, (n) => tw.addFile(n, paths.blob(layer.digest)));
    const manifest = ociManifest(image, configSize);
    const digest = sha256Digest(manifest);
    await addBlob(digest, (n) => tw.addBytes(n, manifest));
    const base = { mediaType: MEDIA_TYPES.ociManifest, digest, size: manifest.length };
    if (names.length === 0) descriptors.push(base);
    for (const n of names) {
      const tag = parseReference(n).tag ?? 'latest';
      descriptors.push({ ...base, annotations: { 'io.containerd.image.name': n, 'org.opencontainers.image.ref.name': tag } });
    }
  }
  await tw.addBytes('index.json', JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: descriptors }));
}

export async function saveImages(paths: StorePaths, items: SaveItem[], format: 'docker-archive' | 'oci-archive', out: Writable): Promise<void> {
  const tw = new TarWriter(out);
  const scratch = await mkdtemp(join(paths.tmp, 'save-'));
  try {
    if (format === 'docker-archive') await writeDockerArchive(paths, items, tw, scratch);
    else await writeOciArchive(paths, items, tw);
    await tw.finish();
  } catch (err) {
    tw.abort(err as Error);
    throw wrap(err, `save ${format}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
