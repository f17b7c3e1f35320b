// Resolution of container paths on the host, the way filepath-securejoin does it: every symlink met on the
// way is read and resolved as the container would see it, with the rootfs as "/", so neither an absolute link
// nor ".." can lead outside the rootfs. This is a check-then-use scheme: a process inside a running container
// can still swap a component after we resolved it, so callers that write must not follow symlinks when they
// open the result (extraction uses no-follow opens; see copy.ts).
import { lstat, readlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';

// Linux gives up after 40 links in one lookup; we allow as many and report a loop past that.
const MAX_SYMLINKS = 40;

/**
 * The host path for `containerPath` inside `rootfs`, following symlinks inside the rootfs only. Components that
 * do not exist are appended as they are, so the result may name a path that does not exist yet.
 */
export async function resolveInRoot(rootfs: string, containerPath: string): Promise<string> {
  const root = resolve(rootfs);
  const hostOf = (parts: string[]) => join(root, ...parts);
  return hostOf(await resolveComponents(hostOf, containerPath));
}

/**
 * The components of `containerPath` with every symlink resolved as the container sees it: `hostOf` says where a
 * container path (as components below "/") lives on the host, so a caller can map parts of the tree elsewhere
 * (the container's mounts: see mount-view.ts). An absolute link or ".." never leaves the container's "/".
 */
export async function resolveComponents(hostOf: (parts: string[]) => string, containerPath: string): Promise<string[]> {
  if (containerPath.includes('\0')) throw new InvalidArgumentError(`invalid path ${JSON.stringify(containerPath)}: contains a NUL byte`);
  const pending = splitPath(containerPath);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved.pop(); continue; }
    const candidate = hostOf([...resolved, part]);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw wrap(err, `resolve ${containerPath} in container`);
    }
    if (!isLink) { resolved.push(part); continue; }
    if (++links > MAX_SYMLINKS) {
      throw new InvalidArgumentError(`cannot resolve ${containerPath} in container: too many levels of symbolic links`);
    }
    const target = await readlink(candidate);
    if (isAbsolute(target)) resolved.length = 0;
    pending.unshift(...splitPath(target));
  }
  return resolved;
}

/** The path inside the container that a host path under rootfs corresponds to ("/" for the rootfs itself). */
export function containerPathOf(rootfs: string, hostPath: string): string {
  const root = resolve(rootfs);
  const p = resolve(hostPath);
  if (p === root) return '/';
  if (!p.startsWith(root + '/')) throw new InvalidArgumentError(`${hostPath} is outside the container root ${rootfs}`);
  return p.slice(root.length);
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}
