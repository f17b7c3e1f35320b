// `cp` between the host and a container's mounted rootfs. Paths are resolved with resolveInRoot (symlinks are
// followed as the container sees them, never out of the rootfs), and the tar side is src/archive, which never
// follows a link in the destination when it writes an entry, so hostile entries cannot escape either.
//
// Residual race: a process in a *running* container can swap a directory for a symlink between our resolution
// and the write. src/archive re-resolves every parent inside the destination, and the final check below rejects
// a destination that already points outside; callers that need more can pause the container around the copy.
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, posix, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError, errnoCode, wrap } from '../core/index.js';
import { extractTar, packPath } from '../archive/index.js';
import { resolveInRoot } from './secure-path.js';

/** What Docker's X-Docker-Container-Path-Stat header carries. `mode` is the raw st_mode. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Stat of a container path; the last component is not followed unless the path ends in "/" or "/.". */
export async function statInContainer(rootfs: string, containerPath: string): Promise<{ hostPath: string; stat: PathStat }> {
  const hostPath = await resolveNoFollowLast(rootfs, containerPath);
  let st;
  try {
    st = await lstat(hostPath);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`Could not find the file ${containerPath} in container`);
    throw wrap(err, `stat ${containerPath} in container`);
  }
  const linkTarget = st.isSymbolicLink() ? await readlink(hostPath) : '';
  const name = posix.basename(posix.normalize(`/${containerPath}`)) || '/';
  return { hostPath, stat: { name, size: st.size, mode: st.mode, mtime: st.mtime.toISOString(), linkTarget } };
}

export async function copyFromContainer(rootfs: string, containerPath: string): Promise<{ stream: Readable; stat: PathStat }> {
  const { hostPath, stat } = await statInContainer(rootfs, containerPath);
  await assertInside(rootfs, hostPath === resolve(rootfs) ? hostPath : dirname(hostPath), containerPath);
  const rebaseName = stat.name === '/' ? '.' : stat.name;
  return { stream: packPath(hostPath, { rebaseName }), stat };
}

export interface CopyToOptions {
  /** Keep the uid/gid recorded in the tar (docker cp -a); otherwise files belong to root. */
  preserveOwner?: boolean;
}

/** Extracts tar into the directory containerPath (Docker's PUT /containers/{id}/archive). */
export async function copyToContainer(rootfs: string, containerPath: string, tar: Readable, opts: CopyToOptions = {}): Promise<void> {
  const dest = await resolveInRoot(rootfs, containerPath);
  let st;
  try {
    st = await lstat(dest);
  } catch (err) {
    tar.resume();
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`Could not find the file ${containerPath} in container`);
    throw wrap(err, `copy to ${containerPath} in container`);
  }
  if (!st.isDirectory()) {
    tar.resume();
    throw new InvalidArgumentError(`extraction point ${containerPath} is not a directory`);
  }
  await assertInside(rootfs, dest, containerPath);
  try {
    await extractTar(tar, dest, { whiteouts: 'literal', preserveOwner: opts.preserveOwner ?? false });
  } catch (err) {
    throw wrap(err, `copy to ${containerPath} in container`);
  }
}

async function resolveNoFollowLast(rootfs: string, containerPath: string): Promise<string> {
  const clean = posix.normalize(`/${containerPath}`);
  const followLast = /\/\.?$/.test(containerPath) || clean === '/';
  if (followLast) return resolveInRoot(rootfs, clean);
  const parent = await resolveInRoot(rootfs, posix.dirname(clean));
  return `${parent}/${basename(clean)}`;
}

/** Catches a directory on the way swapped for an outside symlink after we resolved it. */
async function assertInside(rootfs: string, dir: string, containerPath: string): Promise<void> {
  const root = await realpath(rootfs);
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    throw wrap(err, `copy ${containerPath}`);
  }
  if (real !== root && !real.startsWith(root + '/')) {
    throw new InvalidArgumentError(`${containerPath} resolves outside the container (it changed while being copied)`);
  }
}
