// Tar creation from a path on disk (cp out of a container, export, commit of an upper dir). Symlinks are stored
// as links, never followed; files with several links are stored once and then as hardlinks; devices and FIFOs
// are stored as such (extraction decides what to do with them); sockets cannot be archived and are skipped.
// Directory entries are sorted by name so the same tree always gives the same entry order.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { writeAll } from './stream-util.js';
import { wrap } from '../core/index.js';
import { listOpaqueDirs } from '../sys/fsutil.js';

export interface PackOptions {
  /** Name the tree gets inside the archive: default basename(srcPath); '.' stores the contents at the top. */
  rebaseName?: string;
  /** 'overlay': srcPath is an overlayfs upper dir; store its whiteouts (char 0:0, opaque xattr) as OCI .wh. files. */
  whiteouts?: 'overlay';
  /** Paths below srcPath (relative, no leading "/") whose content is taken from another host path instead: the
   *  container's mounts when cp copies a directory out, so the archive holds what the container sees. */
  mounts?: ReadonlyMap<string, string>;
}

type EntryHeader = Partial<tar.Header> & { name: string };

interface PackState {
  pack: tar.Pack;
  inodes: Map<string, string>; // "dev:ino" → first entry name, for hardlinks
  opaque: Set<string>;         // relative dirs marked opaque (overlay mode)
  overlay: boolean;
  mounts: ReadonlyMap<string, string>;
}

function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  // glibc's encoding of dev_t, restricted to the 32 bits JavaScript bit operations see
  return { devmajor: (rdev >>> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
}

function addEntry(pack: tar.Pack, header: EntryHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(s: PackState, path: string, header: EntryHeader): Promise<void> {
  let done!: () => void;
  let failed!: (e: unknown) => void;
  const written = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
  const sink = s.pack.entry(header, (err) => (err ? failed(err) : done()));
  try {
    await writeAll(createReadStream(path), sink);
    sink.end(undefined);
  } catch (err) {
    sink.destroy(err as Error);
    throw err;
  }
  await written;
}

async function addPath(s: PackState, path: string, name: string, rel: string, st: Stats): Promise<void> {
  const base: EntryHeader = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  if (st.isDirectory()) {
    if (name !== '') await addEntry(s.pack, { ...base, type: 'directory' });
    if (s.opaque.has(rel)) await addEntry(s.pack, { ...base, name: join(name, '.wh..wh..opq'), type: 'file', mode: 0o644, size: 0 });
    // A mount point the directory below lacks (made only in the container's mount namespace) is still listed.
    const mountedHere = [...s.mounts.keys()].filter((k) => (k.includes('/') ? k.slice(0, k.lastIndexOf('/')) : '.') === rel);
    const children = [...new Set([...(await readdir(path)), ...mountedHere.map((k) => basename(k))])].sort();
    for (const child of children) {
      const childRel = rel === '.' ? child : `${rel}/${child}`;
      const childPath = s.mounts.get(childRel) ?? join(path, child);
      await addPath(s, childPath, name === '' ? child : `${name}/${child}`, childRel, await lstat(childPath));
    }
    return;
  }
  if (st.isSymbolicLink()) return addEntry(s.pack, { ...base, type: 'symlink', linkname: await readlink(path) });
  if (st.isCharacterDevice() && s.overlay && st.rdev === 0) {
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
    return addEntry(s.pack, { ...base, name: `${dir}.wh.${basename(name)}`, type: 'file', mode: 0o644, size: 0 });
  }
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return addEntry(s.pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', ...devNumbers(st.rdev) });
  }
  if (st.isFIFO()) return addEntry(s.pack, { ...base, type: 'fifo' });
  if (!st.isFile()) return; // sockets
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = s.inodes.get(key);
    if (first !== undefined) return addEntry(s.pack, { ...base, type: 'link', linkname: first });
    s.inodes.set(key, name);
  }
  return addFile(s, path, { ...base, type: 'file', size: st.size });
}

/** A tar stream of srcPath (file or dir). Entry names are rebased under `rebaseName` (default: basename(srcPath); '.' for contents). Does not follow symlinks. */
export function packPath(srcPath: string, opts: PackOptions = {}): Readable {
  const pack = tar.pack();
  const rebase = (opts.rebaseName ?? basename(srcPath)).replace(/^\/+|\/+$/g, '');
  const name = rebase === '.' ? '' : rebase;
  void (async () => {
    const overlay = opts.whiteouts === 'overlay';
    const opaque = new Set(overlay ? await listOpaqueDirs(srcPath) : []);
    const s: PackState = { pack, inodes: new Map(), opaque, overlay, mounts: opts.mounts ?? new Map() };
    const st = await lstat(srcPath);
    if (name === '' && !st.isDirectory()) throw wrap(new Error('rebase name "." needs a directory'), `pack ${srcPath}`);
    await addPath(s, srcPath, name, '.', st);
    pack.finalize();
  })().catch((err) => pack.destroy(wrap(err, `pack ${srcPath}`)));
  // tar-stream produces a streamx stream; callers get a Node stream
  return Readable.from(pack, { objectMode: false });
}
