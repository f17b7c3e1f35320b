// Shifted copies of image layers for user-namespaced containers. runc 1.1.5 cannot make idmapped mounts, so a
// container whose root is host uid N sees the image's files as its own only if they are owned by N+uid on disk:
// each layer is copied once per id range with every uid/gid moved up by the range's start, and shared by every
// container of that range (only one at a time, since ranges are allocated to one container each, but a
// re-created container of a freed range reuses nothing stale: the cache goes with the last container of it).
// Layout: <root>/layers-shifted/<hostUid>/<diffId-hex>/ holds the shifted content of <root>/layers/<hex>/diff.
// Copies are built in a temp dir beside the target and renamed into place, so a crash leaves no half layer.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, readdir, readlink, rename, rm, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { applyFsOps, listOpaqueDirs, type FsOp } from '../sys/fsutil.js';

export interface IdMap {
  hostUid: number;
  hostGid: number;
  size: number;
}

export function shiftedRoot(storageRoot: string): string {
  return join(storageRoot, 'layers-shifted');
}

/** The shifted copies of lowerDirs (as ImageService.layerDirs gives them), building the missing ones. */
export async function shiftedLowerDirs(storageRoot: string, lowerDirs: string[], map: IdMap): Promise<string[]> {
  const base = join(shiftedRoot(storageRoot), String(map.hostUid));
  await mkdir(base, { recursive: true, mode: 0o711 });
  const out: string[] = [];
  for (const lower of lowerDirs) {
    // layers/<hex>/diff → the hex names the layer; anything else is a caller bug, not a user mistake.
    const hex = basename(dirname(lower));
    if (!/^[a-f0-9]{64}$/.test(hex)) throw new InvalidArgumentError(`cannot shift layer ${lower}: not a layer directory`);
    const target = join(base, hex);
    if (!(await exists(target))) await buildShifted(lower, target, map);
    out.push(target);
  }
  return out;
}

/** Removes the cached copies of one range (after its last container went). */
export async function removeShifted(storageRoot: string, hostUid: number): Promise<void> {
  await rm(join(shiftedRoot(storageRoot), String(hostUid)), { recursive: true, force: true });
}

async function buildShifted(src: string, target: string, map: IdMap): Promise<void> {
  const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(tmp, { mode: 0o755 });
    const ops = await copyShifted(src, tmp, map);
    // Opaque dirs carry a trusted.* xattr that Node cannot read or write: fsutil lists and re-marks them.
    for (const rel of await listOpaqueDirs(src)) ops.push({ op: 'opaque', path: rel });
    await applyFsOps(tmp, ops);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    // Another start built the same layer first: its copy is as good as ours.
    if (['ENOTEMPTY', 'EEXIST'].includes(errnoCode(err) ?? '') && (await exists(target))) return;
    throw wrap(err, `shift layer ${basename(dirname(src))} to host uid ${map.hostUid}`);
  }
}

/**
 * Copies src into dest (which exists) shifting owners; hard links stay links. Returns the special files Node
 * cannot create (whiteouts, fifos) as fsutil operations, owners already shifted.
 */
async function copyShifted(src: string, dest: string, map: IdMap): Promise<FsOp[]> {
  const ops: FsOp[] = [];
  const inodes = new Map<string, string>();
  const uid = (id: number) => shift(id, map.hostUid, map.size);
  const gid = (id: number) => shift(id, map.hostGid, map.size);
  const dirs: { to: string; atime: Date; mtime: Date }[] = [];
  async function entry(from: string, to: string, rel: string): Promise<void> {
    const st = await lstat(from);
    if (st.isDirectory()) {
      if (rel !== '.') await mkdir(to);
      for (const name of await readdir(from)) await entry(join(from, name), join(to, name), rel === '.' ? name : `${rel}/${name}`);
      dirs.push({ to, atime: st.atime, mtime: st.mtime });   // times after the content, or writing it resets them
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(from), to);
      await lchown(to, uid(st.uid), gid(st.gid));
      await lutimes(to, st.atime, st.mtime);
      return;
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(key) : undefined;
      if (first) { await link(first, to); return; }
      if (st.nlink > 1) inodes.set(key, to);
      await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    } else if (st.isCharacterDevice() && st.rdev === 0) {
      ops.push({ op: 'whiteout', path: rel });
      return;
    } else if (st.isFIFO()) {
      ops.push({ op: 'fifo', path: rel, mode: st.mode, uid: uid(st.uid), gid: gid(st.gid), mtime: st.mtime });
      return;
    } else {
      return;   // other device nodes and sockets: a layer has no business shipping them, and runc makes /dev
    }
    await lchown(to, uid(st.uid), gid(st.gid));
    await chmod(to, st.mode & 0o7777);   // after chown, which clears setuid/setgid bits
    if (!st.isDirectory()) await utimes(to, st.atime, st.mtime);
  }
  await entry(src, dest, '.');
  for (const d of dirs) await utimes(d.to, d.atime, d.mtime);
  return ops;
}

/** An id outside the range (a file owned by uid 100000) becomes the range's 65534, the overflow id the kernel shows. */
function shift(id: number, start: number, size: number): number {
  return start + (id < size ? id : Math.min(65534, size - 1));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
