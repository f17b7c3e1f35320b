// `cp` between the host and a container's filesystem as the container sees it (mount-view.ts: the rootfs with
// the container's binds and volumes over it). Paths are resolved through the view (symlinks are followed as the
// container sees them, never out of it), and the tar side is src/archive, which never follows a link in the
// destination when it writes an entry, so hostile entries cannot escape either. An archive copied in is written
// into the one directory it names: an entry that would cross another mount point below it is refused, since it
// would land under the mount, not in it (docker writes through its mount namespace, and fails with EBUSY on a
// file mount such as /etc/hostname; a stopped container has no namespace to write through).
//
// Residual race: a process in a *running* container can swap a directory for a symlink between our resolution
// and the write. src/archive re-resolves every parent inside the destination, and the final check below rejects
// a destination that already points outside; callers that need more can pause the container around the copy.
import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, InvalidArgumentError, NotFoundError, errnoCode, wrap } from '../core/index.js';
import { extractTar, packPath } from '../archive/index.js';
import { resolveInView, type ContainerView, type ViewPath } from './mount-view.js';

/** What Docker's X-Docker-Container-Path-Stat header carries. `mode` is the raw st_mode. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Stat of a container path; the last component is not followed unless the path ends in "/" or "/.". */
export async function statInContainer(view: ContainerView, containerPath: string): Promise<{ at: ViewPath; stat: PathStat }> {
  const at = await resolveInView(view, containerPath, /\/\.?$/.test(containerPath));
  let st;
  try {
    st = await lstat(at.hostPath);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`Could not find the file ${containerPath} in container`);
    throw wrap(err, `stat ${containerPath} in container`);
  }
  const linkTarget = st.isSymbolicLink() ? await readlink(at.hostPath) : '';
  const name = posix.basename(posix.normalize(`/${containerPath}`)) || '/';
  return { at, stat: { name, size: st.size, mode: st.mode, mtime: st.mtime.toISOString(), linkTarget } };
}

export async function copyFromContainer(view: ContainerView, containerPath: string): Promise<{ stream: Readable; stat: PathStat }> {
  const { at, stat } = await statInContainer(view, containerPath);
  await assertInside(at.base, at.hostPath === at.base ? at.hostPath : dirname(at.hostPath), containerPath);
  const rebaseName = stat.name === '/' ? '.' : stat.name;
  return { stream: packPath(at.hostPath, { rebaseName, mounts: mountsBelow(view, at) }), stat };
}

export interface CopyToOptions {
  /** Keep the uid/gid recorded in the tar (docker cp -a); otherwise files belong to root. */
  preserveOwner?: boolean;
}

/**
 * Extracts tar into the directory containerPath (Docker's PUT /containers/{id}/archive). `check` sees the resolved
 * destination before the archive is read, so the caller can refuse it (a read-only mount).
 */
export async function copyToContainer(view: ContainerView, containerPath: string, tar: Readable,
  opts: CopyToOptions & { check?: (at: ViewPath) => void } = {}): Promise<void> {
  let at: ViewPath;
  let st;
  try {
    at = await resolveInView(view, containerPath, true);
    opts.check?.(at);
    st = await lstat(at.hostPath);
  } catch (err) {
    tar.resume();
    if (err instanceof EngineError) throw err; // a refusal that already names the path (read-only, tmpfs, loop)
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`Could not find the file ${containerPath} in container`);
    throw wrap(err, `copy to ${containerPath} in container`);
  }
  if (!st.isDirectory()) {
    tar.resume();
    throw new InvalidArgumentError(`extraction point ${containerPath} is not a directory`);
  }
  await assertInside(at.base, at.hostPath, containerPath);
  try {
    await extractTar(tar, at.hostPath, { whiteouts: 'literal', preserveOwner: opts.preserveOwner ?? false,
      mountPoints: [...mountsBelow(view, at, true).keys()] });
  } catch (err) {
    throw wrap(err, `copy to ${containerPath} in container`);
  }
}

/**
 * The mounts inside a directory, by path relative to it (with their host sources), so an archive of it holds what
 * the container sees there; `withTmpfs` adds the tmpfs mounts (no source), which an extraction must not write under.
 */
function mountsBelow(view: ContainerView, at: ViewPath, withTmpfs = false): Map<string, string> {
  const below = new Map<string, string>();
  const prefix = at.containerPath === '/' ? '/' : `${at.containerPath}/`;
  for (const m of view.mounts) {
    if ((m.source !== undefined || withTmpfs) && m.destination.startsWith(prefix)) below.set(m.destination.slice(prefix.length), m.source ?? '');
  }
  return below;
}

/** Catches a directory on the way swapped for an outside symlink after we resolved it. */
async function assertInside(base: string, dir: string, containerPath: string): Promise<void> {
  const root = await realpath(base);
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
