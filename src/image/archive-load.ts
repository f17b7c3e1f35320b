// `load`: reads a docker-archive (manifest.json) or an OCI image layout tar (index.json) into staging. The outer
// tar is unpacked with the same hostile-input rules as layers, every path it names is checked to stay inside it,
// and every declared digest, size and diff id is verified before anything reaches the store.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { InvalidArgumentError, NotSupportedError, type LayerRef, type OciImageConfig } from '../core/index.js';
import { extractTar, isGzipFile } from '../archive/index.js';
import { entryComponents } from '../archive/entry-path.js';
import { MEDIA_TYPES, hostArchitecture, layerMediaType, parseImageConfig } from './image-config.js';
import { parseTagReference } from './reference.js';
import { digestHex, sha256Digest } from './store-paths.js';
import type { BlobInfo, Staging } from './staging.js';

/** An image whose blobs and layers are staged; the service records it after Staging.commit(). */
export interface StagedImage {
  id: string;
  config: OciImageConfig;
  layers: LayerRef[];
  size: number;
  names: string[];
}

interface Descriptor { mediaType?: string; digest: string; size?: number; annotations?: Record<string, string>; platform?: { architecture?: string; os?: string } }

class ArchiveDir {
  private readonly adopted = new Map<string, BlobInfo>(); // archive path → blob already moved into staging

  constructor(readonly dir: string, readonly staging: Staging) {}

  /** A regular file inside the archive, by the name the archive's own metadata gives it. */
  async file(name: string): Promise<string> {
    const path = join(this.dir, ...entryComponents(name, 'archive path'));
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile()) throw new InvalidArgumentError(`archive: "${name}" is missing or not a regular file`);
    return path;
  }

  async json<T>(name: string): Promise<T> {
    const bytes = await readFile(await this.file(name));
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (err) {
      throw new InvalidArgumentError(`archive: ${name} is not valid JSON`, { cause: err });
    }
  }

  /** Moves a blob into staging once, checking its digest (and size) when the archive declares them. */
  async blob(name: string, expected: Partial<BlobInfo>): Promise<BlobInfo> {
    const known = this.adopted.get(name);
    if (known) {
      if (expected.digest && expected.digest !== known.digest) throw new InvalidArgumentError(`archive: ${name}: digest mismatch`);
      return known;
    }
    const info = await this.staging.adoptBlobFile(await this.file(name), expected, `archive: ${name}`);
    this.adopted.set(name, info);
    return info;
  }

  isGzip(digest: string): Promise<boolean> {
    return isGzipFile(this.staging.blobPath(digest));
  }
}

/** "blobs/sha256/<hex>" or "<hex>.json" names say what digest the file must have. */
function digestFromName(name: string): string | undefined {
  const m = /(?:^|\/)(?:sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(name);
  return m ? `sha256:${m[1]}` : undefined;
}

async function stageLayers(a: ArchiveDir, config: OciImageConfig, blobs: Array<{ name: string; expected: Partial<BlobInfo>; mediaType?: string }>, what: string): Promise<{ layers: LayerRef[]; size: number }> {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== blobs.length) {
    throw new InvalidArgumentError(`${what}: the config lists ${diffIds.length} layers but the manifest has ${blobs.length}`);
  }
  const layers: LayerRef[] = [];
  let size = 0;
  for (const [i, b] of blobs.entries()) {
    if (b.mediaType?.includes('zstd')) throw new NotSupportedError(`${what}: zstd-compressed layers are not supported`);
    const blob = await a.blob(b.name, b.expected);
    const layer = await a.staging.unpackLayer(blob.digest, diffIds[i]!, `${what} layer ${i + 1}`);
    layers.push({ digest: blob.digest, diffId: layer.diffId, size: blob.size, mediaType: layerMediaType(await a.isGzip(blob.digest)) });
    size += layer.size;
  }
  return { layers, size };
}

async function stageConfig(a: ArchiveDir, name: string, expected: Partial<BlobInfo>, what: string): Promise<{ id: string; config: OciImageConfig }> {
  const info = await a.blob(name, expected);
  const config = parseImageConfig(await readFile(a.staging.blobPath(info.digest)), what);
  return { id: info.digest, config };
}

async function loadDocker(a: ArchiveDir): Promise<StagedImage[]> {
  const manifest = await a.json<Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>>('manifest.json');
  if (!Array.isArray(manifest)) throw new InvalidArgumentError('archive: manifest.json is not a list of images');
  const images: StagedImage[] = [];
  for (const entry of manifest) {
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers)) throw new InvalidArgumentError('archive: manifest.json entry without Config or Layers');
    const what = `image ${entry.Config}`;
    const names = (entry.RepoTags ?? []).map((t) => parseTagReference(t));
    const { id, config } = await stageConfig(a, entry.Config, { digest: digestFromName(entry.Config) }, what);
    const { layers, size } = await stageLayers(a, config, entry.Layers.map((name) => ({ name, expected: { digest: digestFromName(name) } })), what);
    images.push({ id, config, layers, size, names });
  }
  return images;
}

function blobName(digest: string): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

function ociNames(d: Descriptor): string[] {
  const full = d.annotations?.['io.containerd.image.name'];
  if (full) return [parseTagReference(full)];
  const ref = d.annotations?.['org.opencontainers.image.ref.name'];
  // a bare tag ("latest") names no repository: the image is loaded untagged, as containerd does
  return ref && /[:/@]/.test(ref) ? [parseTagReference(ref)] : [];
}

async function loadOciManifest(a: ArchiveDir, d: Descriptor, names: string[], out: StagedImage[], depth: number): Promise<void> {
  if (depth > 4) throw new InvalidArgumentError('archive: image indexes nested too deeply');
  const what = `manifest ${d.digest}`;
  const doc = await a.json<{ mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(blobName(d.digest));
  const bytes = await readFile(await a.file(blobName(d.digest)));
  if (sha256Digest(bytes) !== d.digest) throw new InvalidArgumentError(`archive: ${what}: digest mismatch`);
  const mediaType = doc.mediaType ?? d.mediaType;
  if (Array.isArray(doc.manifests) || mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList) {
    const all = doc.manifests ?? [];
    const mine = all.filter((m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === hostArchitecture()));
    if (mine.length === 0) throw new NotSupportedError(`archive: ${what} has no image for linux/${hostArchitecture()}`);
    for (const m of mine.slice(0, 1)) await loadOciManifest(a, m, names, out, depth + 1);
    return;
  }
  if (!doc.config?.digest || !Array.isArray(doc.layers)) throw new InvalidArgumentError(`archive: ${what} has no config or layers`);
  const { id, config } = await stageConfig(a, blobName(doc.config.digest), { digest: doc.config.digest, size: doc.config.size }, what);
  const { layers, size } = await stageLayers(a, config, doc.layers.map((l) => ({
    name: blobName(l.digest), expected: { digest: l.digest, size: l.size }, mediaType: l.mediaType,
  })), what);
  const existing = out.find((i) => i.id === id);
  if (existing) existing.names.push(...names.filter((n) => !existing.names.includes(n)));
  else out.push({ id, config, layers, size, names });
}

async function loadOci(a: ArchiveDir): Promise<StagedImage[]> {
  const index = await a.json<{ manifests?: Descriptor[] }>('index.json');
  if (!Array.isArray(index.manifests)) throw new InvalidArgumentError('archive: index.json has no manifests');
  const out: StagedImage[] = [];
  for (const d of index.manifests) await loadOciManifest(a, d, ociNames(d), out, 0);
  return out;
}

/** Unpacks an image archive into staging and returns the images it holds, verified and staged. */
export async function stageArchive(input: Readable, staging: Staging): Promise<StagedImage[]> {
  const dir = staging.scratch('archive');
  await mkdir(dir, { mode: 0o700 });
  await extractTar(input, dir, { whiteouts: 'literal', preserveOwner: false });
  const a = new ArchiveDir(dir, staging);
  const has = async (n: string) => (await lstat(join(dir, n)).catch(() => undefined))?.isFile() ?? false;
  let images: StagedImage[];
  if (await has('manifest.json')) images = await loadDocker(a);
  else if (await has('index.json')) images = await loadOci(a);
  else throw new InvalidArgumentError('not an image archive: neither manifest.json (docker-archive) nor index.json (OCI layout) found');
  if (images.length === 0) throw new InvalidArgumentError('image archive holds no images');
  return images;
}
