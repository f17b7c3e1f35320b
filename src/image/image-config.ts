// Building and checking OCI image config documents. The config's bytes are the image's identity (id = their
// sha256), so they are serialised once, stored as a blob and never re-serialised afterwards.
import { InvalidArgumentError, type ImageRunConfig, type OciImageConfig } from '../core/index.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The OCI architecture name of this machine. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

export interface NewConfigOptions {
  diffIds: string[];
  run?: ImageRunConfig;
  created?: string;
  author?: string;
  history?: OciImageConfig['history'];
}

export function newImageConfig(opts: NewConfigOptions): OciImageConfig {
  const config: OciImageConfig = {
    architecture: hostArchitecture(),
    os: 'linux',
    created: opts.created ?? new Date().toISOString(),
    config: opts.run ?? {},
    rootfs: { type: 'layers', diff_ids: opts.diffIds },
    history: opts.history ?? [],
  };
  if (opts.author) config.author = opts.author;
  return config;
}

/** Parses a config blob from an archive, checking just what the store relies on. */
export function parseImageConfig(bytes: Buffer, what: string): OciImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${what}: image config is not valid JSON`, { cause: err });
  }
  const c = doc as Partial<OciImageConfig> | null;
  const ids = c?.rootfs?.diff_ids;
  if (typeof c !== 'object' || c === null || !Array.isArray(ids) || ids.some((d) => typeof d !== 'string')) {
    throw new InvalidArgumentError(`${what}: image config has no rootfs.diff_ids`);
  }
  return c as OciImageConfig;
}

/** Layer media type for a blob as stored, from its compression. */
export function layerMediaType(compressed: boolean): string {
  return compressed ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer;
}

/** Docker's media types mapped to their OCI equivalents, for OCI manifests. */
export function ociLayerMediaType(mediaType: string): string {
  if (mediaType === MEDIA_TYPES.dockerLayerGzip) return MEDIA_TYPES.ociLayerGzip;
  if (mediaType === MEDIA_TYPES.dockerLayer) return MEDIA_TYPES.ociLayer;
  return mediaType;
}
