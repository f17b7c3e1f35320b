// Images for metadata-only steps (ENV, CMD, LABEL…): the parent's layers with a new config and an empty_layer
// history entry. ImageService has no such entry point, so the config blob is written here the store's way (temp
// file, then rename into content/blobs) and only then recorded; a crash between the two leaves an unreferenced
// blob that ImageService.init sweeps away.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImageRecord, ImageRunConfig, OciImageConfig } from '../core/index.js';
import { hostArchitecture } from '../image/index.js';
import type { BuildHost } from './types.js';

/** The parent of the first step of `FROM scratch`: no layers, no config. Never stored. */
export function scratchImage(): ImageRecord {
  return {
    id: '', names: [], created: '', size: 0, layers: [],
    config: { architecture: hostArchitecture(), os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
  };
}

export async function writeConfigImage(host: BuildHost, parent: ImageRecord, run: ImageRunConfig, createdBy: string): Promise<ImageRecord> {
  const created = new Date().toISOString();
  const config: OciImageConfig = {
    architecture: parent.config.architecture, os: parent.config.os, created, config: run,
    rootfs: { type: 'layers', diff_ids: [...parent.config.rootfs.diff_ids] },
    history: [...(parent.config.history ?? []), { created, created_by: createdBy, empty_layer: true }],
  };
  const bytes = Buffer.from(JSON.stringify(config));
  const id = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const blob = host.images.paths.blob(id);
  if (!existsSync(blob)) {
    await mkdir(dirname(blob), { recursive: true });
    const tmp = join(host.images.paths.tmp, `build-config-${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, blob);
  }
  if (!host.imageStore.getImage(id)) {
    host.imageStore.putImage({ id, config, layers: parent.layers, names: [], created, size: parent.size });
  }
  return host.imageStore.getImage(id)!;
}
