// A read-only view of an image's root filesystem for COPY --from: one layer is used as it is, several are
// stacked in a lowerdir-only overlay mount (read-only by construction), unmounted when the copy is done.
import { mkdir, rm } from 'node:fs/promises';
import type { ImageRecord } from '../core/index.js';
import { withContext } from '../core/index.js';
import type { ImageService } from '../image/index.js';
import { runCommand } from '../sys/run-command.js';

export async function withImageRoot<T>(images: ImageService, image: ImageRecord, mountPoint: string, fn: (root: string) => Promise<T>): Promise<T> {
  const dirs = image.layers.length ? images.layerDirs(image) : [];
  await mkdir(mountPoint, { recursive: true });
  if (dirs.length <= 1) {
    try { return await fn(dirs[0] ?? mountPoint); } finally { await rm(mountPoint, { recursive: true, force: true }); }
  }
  await withContext(`mount layers of ${image.id}`, () => runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${dirs.join(':')}`, mountPoint]));
  try {
    return await fn(mountPoint);
  } finally {
    await runCommand('umount', [mountPoint], { allowFailure: true });
    await runCommand('umount', ['-l', mountPoint], { allowFailure: true });
    await rm(mountPoint, { recursive: true, force: true });
  }
}
