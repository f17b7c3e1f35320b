// archive: tar in and out of the filesystem, for image layers and for container cp/export alike.
// Contract: extractTar never writes outside its destination whatever the archive holds (see extract.ts for the
// exact rules on "..", absolute names, links, devices and whiteouts) and reports the diff id of the plain tar;
// on failure the caller removes the destination. packPath never follows symlinks. No knowledge of images here.
export { extractTar, type ExtractOptions, type ExtractResult } from './extract.js';
export { packPath, type PackOptions } from './pack.js';
export { decompressionStages, detectCompression, isGzipFile, type Compression } from './decompress.js';
