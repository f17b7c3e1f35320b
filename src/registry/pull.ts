// Pull: manifest (by tag or digest; an index is resolved to one platform), config, then the layers, three at a
// time, each verified and unpacked as it streams (image/stream-ingest.ts). Layers already stored are skipped.
// The image is recorded only when config and every layer are in the store, under the config digest the
// registry has, so its id is the same everywhere.
import { readFile } from 'node:fs/promises';
import {
  InvalidArgumentError, type ImageRecord, type LayerRef,
} from '../core/index.js';
import {
  formatReference, hasStoredLayer, ingestConfigBlob, ingestLayerStream, type ImageReference, type ImageService,
} from '../image/index.js';
import { sha256Digest } from '../image/store-paths.js';
import { parseImageConfig } from '../image/image-config.js';
import {
  MANIFEST_ACCEPT, checkManifest, isIndex, selectPlatform, type Descriptor, type ImageIndex, type ImageManifest, type Platform,
} from './manifest.js';
import { parallel, shortDigest, throttled, type ProgressSink } from './progress.js';
import { readBody, type Transport } from './transport.js';

export const PULL_CONCURRENCY = 3;

interface Fetched { bytes: Buffer; mediaType?: string; digest: string }

async function fetchManifest(t: Transport, ref: ImageReference, reference: string, what: string): Promise<Fetched> {
  const res = await t.request({
    method: 'GET', path: `/v2/${ref.path}/manifests/${reference}`, scope: `repository:${ref.path}:pull`,
    headers: { Accept: MANIFEST_ACCEPT },
  });
  if (res.statusCode !== 200) await t.fail(res, what);
  const bytes = await readBody(res);
  const digest = sha256Digest(bytes);
  // By digest the content must match the name; by tag the registry's own digest header must match what came.
  if (reference.startsWith('sha256:') && digest !== reference) throw new InvalidArgumentError(`${what}: manifest digest mismatch: asked ${reference}, received ${digest}`);
  const claimed = res.headers['docker-content-digest'];
  if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
    throw new InvalidArgumentError(`${what}: manifest digest mismatch: registry says ${claimed}, content is ${digest}`);
  }
  const mediaType = res.headers['content-type']?.split(';')[0]?.trim();
  return { bytes, mediaType, digest };
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw new InvalidArgumentError(`${what}: manifest is not valid JSON`, { cause: err });
  }
}

async function openBlob(t: Transport, ref: ImageReference, d: Descriptor, what: string) {
  const res = await t.request({ method: 'GET', path: `/v2/${ref.path}/blobs/${d.digest}`, scope: `repository:${ref.path}:pull` });
  if (res.statusCode !== 200) await t.fail(res, what);
  return res;
}

export interface ResolvedManifest { manifest: ImageManifest; digest: string }

export interface PullRequest {
  ref: ImageReference;
  platform: Platform;
  progress: ProgressSink;
  /** The manifest, when the caller already fetched it (the short-name search asks each registry for it). */
  resolved?: ResolvedManifest;
}

/** Resolves the reference to one image manifest (and its digest), going through an index if there is one. */
export async function resolveManifest(t: Transport, req: Pick<PullRequest, 'ref' | 'platform'>, what: string): Promise<ResolvedManifest> {
  const { ref } = req;
  let fetched = await fetchManifest(t, ref, ref.digest ?? ref.tag ?? 'latest', what);
  let doc = parseJson<ImageManifest & Partial<ImageIndex>>(fetched.bytes, what);
  if (isIndex(doc.mediaType ?? fetched.mediaType, doc)) {
    const entry = selectPlatform(doc as unknown as ImageIndex, req.platform, what);
    fetched = await fetchManifest(t, ref, entry.digest, what);
    doc = parseJson(fetched.bytes, what);
  }
  return { manifest: checkManifest(doc, what), digest: fetched.digest };
}

export async function pullImage(t: Transport, images: ImageService, req: PullRequest): Promise<ImageRecord> {
  const { ref, progress } = req;
  const name = formatReference(ref);
  const what = `pull ${name}`;
  progress({ id: ref.tag ?? ref.digest ?? name, status: 'Pulling from ' + ref.path });
  const { manifest, digest } = req.resolved ?? await resolveManifest(t, req, what);

  // A config already in the store is read from there (and still verified): a re-pull downloads nothing.
  const configBytes = await readFile(images.paths.blob(manifest.config.digest)).catch(async () =>
    readBody(await openBlob(t, ref, manifest.config, `${what}: config`), 16 << 20));
  const configDigest = sha256Digest(configBytes);
  if (configDigest !== manifest.config.digest || configBytes.length !== manifest.config.size) {
    throw new InvalidArgumentError(`${what}: config digest mismatch: expected ${manifest.config.digest} (${manifest.config.size} bytes), received ${configDigest} (${configBytes.length} bytes)`);
  }
  const config = parseImageConfig(configBytes, `${what}: config`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new InvalidArgumentError(`${what}: the config lists ${diffIds.length} layers but the manifest has ${manifest.layers.length}`);
  }

  const layers: LayerRef[] = manifest.layers.map((l, i) => ({ digest: l.digest, diffId: diffIds[i]!, size: l.size, mediaType: l.mediaType }));
  const unpacked = new Map<string, number>();
  await parallel(layers.map((l, i) => ({ l, i })), PULL_CONCURRENCY, async ({ l }) => {
    const id = shortDigest(l.digest);
    if (await hasStoredLayer(images.paths, l.digest, l.diffId)) {
      progress({ id, status: 'Already exists' });
      return;
    }
    progress({ id, status: 'Downloading', current: 0, total: l.size });
    const res = await openBlob(t, ref, l, `${what}: layer ${l.digest}`);
    const layer = await ingestLayerStream(images.paths, res, { digest: l.digest, size: l.size }, l.diffId,
      `${what}: layer ${l.digest}`, throttled(progress, id, 'Downloading', l.size));
    unpacked.set(l.diffId, layer.size);
    progress({ id, status: 'Pull complete', current: l.size, total: l.size });
  });
  await ingestConfigBlob(images.paths, configBytes, { digest: manifest.config.digest, size: manifest.config.size }, `${what}: config`);

  let size = 0;
  for (const l of layers) size += unpacked.get(l.diffId) ?? (await storedLayerSize(images, l.diffId));
  const record = images.recordCommitted({ id: manifest.config.digest, config, layers, size, names: [name] });
  progress({ id: name, status: `Digest: ${digest}` });
  return record;
}

async function storedLayerSize(images: ImageService, diffId: string): Promise<number> {
  return (JSON.parse(await readFile(images.paths.layerMeta(diffId), 'utf8')) as { size: number }).size;
}
