// Push: every blob the registry lacks (HEAD first; then POST to open an upload and one monolithic PUT with the
// digest), config last among blobs, then the manifest by tag. The manifest is Docker v2s2 when every layer is
// stored with a Docker media type (it was pulled as one), OCI otherwise, so an image goes back as it came.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, type ImageRecord } from '../core/index.js';
import { MEDIA_TYPES, formatReference, type ImageReference, type ImageService } from '../image/index.js';
import { ociLayerMediaType } from '../image/image-config.js';
import { sha256Digest } from '../image/store-paths.js';
import { DOCKER_CONFIG, type Descriptor, type ImageManifest } from './manifest.js';
import { parallel, shortDigest, throttled, type ProgressSink } from './progress.js';
import type { Transport } from './transport.js';

const PUSH_CONCURRENCY = 3;

async function blobExists(t: Transport, ref: ImageReference, digest: string, scope: string): Promise<boolean> {
  const res = await t.request({ method: 'HEAD', path: `/v2/${ref.path}/blobs/${digest}`, scope });
  res.resume();
  if (res.statusCode === 200) return true;
  if (res.statusCode === 404) return false;
  return t.fail(res, `push ${formatReference(ref)}: check blob ${digest}`);
}

async function uploadBlob(t: Transport, ref: ImageReference, file: string, d: Descriptor, scope: string, onBytes: (n: number) => void): Promise<void> {
  const what = `push ${formatReference(ref)}: upload blob ${d.digest}`;
  const start = await t.request({ method: 'POST', path: `/v2/${ref.path}/blobs/uploads/`, scope, headers: { 'Content-Length': 0 } });
  if (start.statusCode !== 202) await t.fail(start, what);
  start.resume();
  const location = start.headers.location;
  if (!location) throw new InvalidArgumentError(`${what}: registry gave no upload location`);
  const url = new URL(location, 'http://registry.invalid');
  url.searchParams.set('digest', d.digest);
  const path = /^https?:\/\//.test(location) ? url.href : url.pathname + url.search;
  const res = await t.request({
    method: 'PUT', path, scope,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': d.size },
    body: () => createReadStream(file).on('data', (c) => onBytes((c as Buffer).length)),
  });
  if (res.statusCode !== 201) await t.fail(res, what);
  res.resume();
}

export async function pushImage(t: Transport, images: ImageService, image: ImageRecord, ref: ImageReference, progress: ProgressSink): Promise<string> {
  const name = formatReference(ref);
  const scope = `repository:${ref.path}:pull,push`;
  const docker = image.layers.length > 0 && image.layers.every((l) => l.mediaType.startsWith('application/vnd.docker.'));
  const configSize = (await stat(images.paths.blob(image.id))).size;
  const config: Descriptor = { mediaType: docker ? DOCKER_CONFIG : MEDIA_TYPES.ociConfig, digest: image.id, size: configSize };
  const layers: Descriptor[] = image.layers.map((l) => ({ mediaType: docker ? l.mediaType : ociLayerMediaType(l.mediaType), digest: l.digest, size: l.size }));
  progress({ id: name, status: `The push refers to repository [${ref.domain}/${ref.path}]` });

  await parallel([...layers, config], PUSH_CONCURRENCY, async (d) => {
    const id = shortDigest(d.digest);
    if (await blobExists(t, ref, d.digest, scope)) {
      progress({ id, status: 'Layer already exists' });
      return;
    }
    progress({ id, status: 'Pushing', current: 0, total: d.size });
    await uploadBlob(t, ref, images.paths.blob(d.digest), d, scope, throttled(progress, id, 'Pushing', d.size));
    progress({ id, status: 'Pushed', current: d.size, total: d.size });
  });

  const manifest: ImageManifest = { schemaVersion: 2, mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest, config, layers };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const res = await t.request({
    method: 'PUT', path: `/v2/${ref.path}/manifests/${ref.tag ?? 'latest'}`, scope,
    headers: { 'Content-Type': manifest.mediaType, 'Content-Length': bytes.length }, body: () => bytes,
  });
  if (res.statusCode !== 201) await t.fail(res, `push ${name}: manifest`);
  res.resume();
  const digest = sha256Digest(bytes);
  progress({ id: name, status: `${ref.tag ?? 'latest'}: digest: ${digest} size: ${bytes.length}` });
  return digest;
}
