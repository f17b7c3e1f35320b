// Compares an unpacked layer as stored (layers/<hex>/diff) with a fresh unpacking of its verified blob, entry
// by entry in sorted order, and names the first path that differs. What is compared is what a container sees
// through the overlay: the set of names, each entry's type, permission bits (incl. setuid/setgid/sticky),
// owner, size and content, symlink targets, device numbers (whiteouts), hard-link counts and opaque marks.
// Not compared: timestamps (extraction sets them, nothing a container runs depends on them, and a tamperer
// who changes content is caught by the content) and xattrs other than the opaque mark, which Node cannot read
// (extraction never sets any, so a file capability added by hand is not seen: see verify.ts).
import { lstat, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { listOpaqueDirs } from '../sys/fsutil.js';
import { digestFile } from './store-paths.js';

export interface TreeDifference {
  /** Absolute as the container sees it ("/bin/sh"). */
  path: string;
  what: string;
}

/** The first difference between the tree that should be (expected) and the one on disk (actual), if any. */
export async function firstTreeDifference(expected: string, actual: string): Promise<TreeDifference | undefined> {
  // The roots themselves are not compared: the merged root's attributes come from the container's upper dir.
  const walked = await compareDir(expected, actual, '');
  if (walked) return walked;
  const [want, have] = await Promise.all([listOpaqueDirs(expected), listOpaqueDirs(actual)]);
  const wanted = new Set(want);
  const had = new Set(have);
  const lost = want.find((d) => !had.has(d));
  if (lost !== undefined) return { path: shown(lost), what: 'lost its opaque mark (lower layers show through)' };
  const gained = have.find((d) => !wanted.has(d));
  if (gained !== undefined) return { path: shown(gained), what: 'was marked opaque (lower layers hidden)' };
  return undefined;
}

function shown(rel: string): string {
  return rel === '.' || rel === '' ? '/' : `/${rel}`;
}

async function compareDir(expected: string, actual: string, rel: string): Promise<TreeDifference | undefined> {
  const [want, have] = await Promise.all([readdir(expected), readdir(actual)]);
  const names = [...new Set([...want, ...have])].sort();
  const wanted = new Set(want);
  const had = new Set(have);
  for (const name of names) {
    const path = `${rel}/${name}`;
    if (!had.has(name)) return { path, what: 'is missing' };
    if (!wanted.has(name)) return { path, what: 'was added' };
    const diff = await compareEntry(join(expected, name), join(actual, name), path);
    if (diff) return diff;
  }
  return undefined;
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFile()) return 'a regular file';
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a fifo';
  return 'a socket';
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

async function compareEntry(expected: string, actual: string, path: string): Promise<TreeDifference | undefined> {
  const [want, have] = await Promise.all([lstat(expected), lstat(actual)]);
  if (kind(want) !== kind(have)) return { path, what: `is ${kind(have)}, expected ${kind(want)}` };
  if ((want.mode & 0o7777) !== (have.mode & 0o7777)) return { path, what: `has mode ${octal(have.mode)}, expected ${octal(want.mode)}` };
  if (want.uid !== have.uid || want.gid !== have.gid) {
    return { path, what: `is owned by ${have.uid}:${have.gid}, expected ${want.uid}:${want.gid}` };
  }
  if (want.isDirectory()) return compareDir(expected, actual, path);
  // A link count that differs means a file was linked to (or from) somewhere else: content may follow later.
  if (want.nlink !== have.nlink) return { path, what: `has ${have.nlink} hard links, expected ${want.nlink}` };
  if (want.isSymbolicLink()) {
    const [a, b] = await Promise.all([readlink(expected), readlink(actual)]);
    return a === b ? undefined : { path, what: `points to "${b}", expected "${a}"` };
  }
  if (want.isCharacterDevice() || want.isBlockDevice()) {
    return want.rdev === have.rdev ? undefined : { path, what: `has device number ${have.rdev}, expected ${want.rdev}` };
  }
  if (!want.isFile()) return undefined;
  if (want.size !== have.size) return { path, what: `has ${have.size} bytes, expected ${want.size}` };
  const [a, b] = await Promise.all([digestFile(expected), digestFile(actual)]);
  return a.digest === b.digest ? undefined : { path, what: 'has different content' };
}
