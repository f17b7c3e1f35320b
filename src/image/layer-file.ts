// Where a file of an image lives, found in its unpacked layers without mounting them: what the engine needs before
// a container has a root filesystem (the policy's look at the user a create names). The topmost layer that has
// the path, or a whiteout on the way to it, decides; layers are unpacked with overlay whiteouts (a 0/0 character
// device), so one of those there means the image has no such file. A symlink on the way is not followed: its
// target may lie in another layer, so the answer is "unknown" and the caller must not guess.
// Opaque directories (an xattr) are not looked at: a file they hide from lower layers is absent from the running
// container too, so whatever a caller reads from it can only make a start fail, never pass a check it should not.
import { lstat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode } from '../core/index.js';

export type LayerLookup =
  | { kind: 'file'; layerDir: string }  // a regular file at the path, in this layer dir
  | { kind: 'absent' }
  | { kind: 'unknown' };                // a symlink or something other than a regular file on the way

/** Finds `path` (absolute, inside the image) in `layerDirs`, topmost first (ImageService.layerDirs order). */
export async function findInLayers(layerDirs: readonly string[], path: string): Promise<LayerLookup> {
  const parts = posix.normalize(path).split('/').filter(Boolean);
  if (parts.length === 0 || parts.includes('..')) return { kind: 'unknown' };
  for (const layerDir of layerDirs) {
    for (let i = 1; i <= parts.length; i++) {
      const last = i === parts.length;
      let st;
      try {
        st = await lstat(join(layerDir, ...parts.slice(0, i)));
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') break; // nothing of it here: a lower layer decides
        return { kind: 'unknown' };
      }
      if (st.isCharacterDevice() && st.rdev === 0) return { kind: 'absent' }; // whiteout
      if (st.isSymbolicLink()) return { kind: 'unknown' };
      if (last) return st.isFile() ? { kind: 'file', layerDir } : { kind: 'unknown' };
      if (!st.isDirectory()) return { kind: 'unknown' };
    }
  }
  return { kind: 'absent' };
}
