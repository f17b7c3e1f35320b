// `docker diff`: what a container changed compared with its image, read from the overlay upper dir alone (the
// lower dirs are only consulted to tell "added" from "changed"). A path copied up because something below it
// changed counts as changed, as in Docker.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../core/index.js';
import { isWhiteout, walkUpper } from './overlay-upper.js';

export type ChangeKind = 'A' | 'C' | 'D';
export interface Change { kind: ChangeKind; path: string }

export async function computeChanges(upper: string, lowerDirs: string[]): Promise<Change[]> {
  const out: Change[] = [];
  for (const e of await walkUpper(upper)) {
    if (e.whiteout) {
      out.push({ kind: 'D', path: `/${e.path}` });
      continue;
    }
    const inLower = await existsInLowers(lowerDirs, e.path);
    out.push({ kind: inLower ? 'C' : 'A', path: `/${e.path}` });
    if (e.opaque && inLower) {
      // The directory was deleted and recreated: whatever it held below is gone, unless recreated too.
      for (const name of await lowerChildren(lowerDirs, e.path)) {
        if (await probe(join(upper, e.path, name)) === 'absent') out.push({ kind: 'D', path: `/${e.path}/${name}` });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Whether path exists in the image: the topmost lower layer that has it decides (a whiteout there means
 * deleted). Opaque directories inside the image's own layers are not consulted, so a path deleted that way in
 * the image may be reported C instead of A; the kind is advisory, the change itself is always listed.
 */
async function existsInLowers(lowerDirs: string[], path: string): Promise<boolean> {
  for (const lower of lowerDirs) {
    const found = await probe(join(lower, path));
    if (found === 'blocked') return false;
    if (found !== 'absent') return !isWhiteout(found);
  }
  return false;
}

async function lowerChildren(lowerDirs: string[], path: string): Promise<string[]> {
  const names = new Set<string>();
  const gone = new Set<string>();
  for (const lower of lowerDirs) {
    let list: string[] = [];
    try { list = await readdir(join(lower, path)); } catch { continue; }
    for (const n of list) {
      if (names.has(n) || gone.has(n)) continue;
      const found = await probe(join(lower, path, n));
      if (typeof found === 'object' && isWhiteout(found)) gone.add(n); else names.add(n);
    }
  }
  return [...names].sort();
}

/** lstat, or 'absent' (ENOENT), or 'blocked' (ENOTDIR: a parent is a file here, hiding the layers below). */
async function probe(p: string): Promise<Stats | 'absent' | 'blocked'> {
  try {
    return await lstat(p);
  } catch (err) {
    return errnoCode(err) === 'ENOTDIR' ? 'blocked' : 'absent';
  }
}
