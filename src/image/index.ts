// image: the local image store (blobs by digest, layers unpacked once, records in the ImageMetadataStore) and
// image references. Contract: an image is recorded only after all its blobs and layers are verified and in
// place; layerDirs() lists the unpacked layers topmost first, ready to be overlay lowerdirs; names are always
// normalised ("docker.io/library/busybox:latest") and shown with familiarName(). Layout: store-paths.ts.
// verifyImageContent() (verify.ts) re-proves an image from its digests down to every file of its unpacked layers;
// findInLayers() (layer-file.ts) finds which layer holds a file of the image, for reads before any mount.
export { ImageService, type ImageServiceOptions, type RemoveOptions } from './image-service.js';
export {
  familiarName, formatReference, normalizeReference, parseReference, parseTagReference, repositoryName,
  type ImageReference,
} from './reference.js';
export { MEDIA_TYPES, hostArchitecture } from './image-config.js';
export { StorePaths } from './store-paths.js';
export { verifyImageContent, type LayerVerdict, type VerifyReport } from './verify.js';
export { ingestConfigBlob, ingestLayerStream, hasStoredLayer, type ExpectedBlob } from './stream-ingest.js';
export type { StagedImage } from './archive-load.js';
export { bootstrapDebian, debianSuite, type DebootstrapOptions } from './debootstrap.js';
export { debianMirror } from './debian-mirror.js';
export { findInLayers, type LayerLookup } from './layer-file.js';
