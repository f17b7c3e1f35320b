// Manifest documents as registries serve them: OCI and Docker v2 schema 2 manifests, OCI indexes and Docker
// manifest lists; choosing a platform from an index; checking what the pull relies on.
import { InvalidArgumentError, NotFoundError, NotSupportedError } from '../core/index.js';
import { MEDIA_TYPES, hostArchitecture } from '../image/index.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageManifest { schemaVersion: 2; mediaType?: string; config: Descriptor; layers: Descriptor[] }
export interface ImageIndex { schemaVersion: 2; mediaType?: string; manifests: Descriptor[] }

export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList,
].join(', ');

export interface Platform { os: string; architecture: string; variant?: string }

/** "linux/arm64/v8" → a platform; the default is linux/<this machine's architecture>. */
export function parsePlatform(text: string | undefined): Platform {
  if (!text) return { os: 'linux', architecture: hostArchitecture() };
  const [os, architecture, variant, extra] = text.split('/');
  if (!os || !architecture || extra !== undefined) throw new InvalidArgumentError(`invalid platform "${text}": expected os/arch[/variant], e.g. linux/amd64`);
  return { os, architecture, variant };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function isIndex(mediaType: string | undefined, doc: { manifests?: unknown }): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList || Array.isArray(doc.manifests);
}

/** The entry of an index for the platform; a variant is matched only when one is asked for. */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const hit = index.manifests.find((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture
    && (!want.variant || m.platform?.variant === want.variant));
  if (!hit) {
    const have = index.manifests.map((m) => m.platform ? formatPlatform(m.platform as Platform) : '?').join(', ');
    throw new NotFoundError(`${what}: no image for ${formatPlatform(want)} (it has: ${have || 'none'})`);
  }
  return hit;
}

function checkDescriptor(d: Descriptor | undefined, what: string): Descriptor {
  if (!d || typeof d.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new InvalidArgumentError(`${what}: malformed descriptor in manifest`);
  }
  return d;
}

/** Checks an image manifest's shape and that its layers are ones we can unpack. */
export function checkManifest(doc: ImageManifest, what: string): ImageManifest {
  if (doc.schemaVersion !== 2) throw new NotSupportedError(`${what}: manifest schema version ${String(doc.schemaVersion)} is not supported (only schema 2)`);
  checkDescriptor(doc.config, `${what} config`);
  if (!Array.isArray(doc.layers)) throw new InvalidArgumentError(`${what}: manifest has no layers list`);
  for (const l of doc.layers) {
    checkDescriptor(l, `${what} layer`);
    if (l.mediaType?.includes('zstd')) throw new NotSupportedError(`${what}: zstd-compressed layers are not supported`);
    if (l.mediaType?.includes('foreign') || l.mediaType?.includes('nondistributable')) throw new NotSupportedError(`${what}: foreign layers are not supported`);
  }
  return doc;
}
