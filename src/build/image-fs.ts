// Reading an image's files without a container: its unpacked layer dirs, topmost first. Good enough for the
// questions a build asks (does /app exist, what uid is "nobody"); a lower path hidden by an opaque directory is
// the one case it may answer wrongly, and then only a directory entry is made or skipped.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, errnoCode, type ImageRecord } from '../core/index.js';
import type { ImageService } from '../image/index.js';
import type { Owner } from './copy-layer.js';

export function imageLookup(images: ImageService, image: ImageRecord) {
  const dirs = image.layers.length ? images.layerDirs(image) : [];
  return async (path: string): Promise<'dir' | 'other' | undefined> => {
    for (const d of dirs) {
      const st = await lstat(join(d, path)).catch((err) => { if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '')) return undefined; throw err; });
      if (!st) continue;
      if (st.isCharacterDevice() && st.rdev === 0) return undefined; // whiteout
      return st.isDirectory() ? 'dir' : 'other';
    }
    return undefined;
  };
}

async function readImageFile(images: ImageService, image: ImageRecord, path: string): Promise<string | undefined> {
  for (const d of image.layers.length ? images.layerDirs(image) : []) {
    try { return await readFile(join(d, path), 'utf8'); } catch { /* next layer */ }
  }
  return undefined;
}

/** --chown=user[:group], names looked up in the image's /etc/passwd and /etc/group. */
export async function resolveOwner(images: ImageService, image: ImageRecord, spec: string): Promise<Owner> {
  const [user, group] = spec.split(':') as [string, string | undefined];
  const lookup = async (name: string, file: string, what: string): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    const line = (await readImageFile(images, image, file))?.split('\n').find((l) => l.split(':')[0] === name);
    if (!line) throw new InvalidArgumentError(`--chown: no ${what} "${name}" in the image's ${file}`);
    return Number(line.split(':')[2]);
  };
  const uid = await lookup(user, '/etc/passwd', 'user');
  let gid = uid;
  if (group !== undefined) gid = await lookup(group, '/etc/group', 'group');
  else if (!/^\d+$/.test(user)) {
    const line = (await readImageFile(images, image, '/etc/passwd'))?.split('\n').find((l) => l.split(':')[0] === user);
    gid = Number(line?.split(':')[3] ?? uid);
  }
  return { uid, gid };
}
