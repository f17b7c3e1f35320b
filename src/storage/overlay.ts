// Overlay mounts of a container's root filesystem. The kernel takes the whole option string in one page, so
// with many image layers absolute lowerdir paths overflow it. Then, as containers/storage does, we give each lower
// dir a short symlink in the container directory (l/0, l/1 …) and mount with that directory as the working
// directory of the call, so the option string holds only short relative paths. Most images fit without them,
// and then none are made: files made per container cost at every start on a busy disk (storage/run-root.ts).
// The mounts are made in-process (sys/mount.ts): no fork of the daemon on a container's way in or out.
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { mount, unmount } from '../sys/mount.js';
import { isMountPoint } from './mountinfo.js';

const PAGE_SIZE = 4096;

export interface OverlayDirs {
  dir: string;        // container dir; relative paths below are relative to it
  lowerDirs: string[]; // absolute, topmost first
  upper: string;      // 'upper'
  work: string;       // 'work'
  target: string;     // absolute mount point
  /**
   * overlayfs' "volatile" (Linux 5.10+): no sync of the upper filesystem, not on fsync(2) and not at unmount,
   * where it otherwise costs 5-20 ms on a busy disk. For a container whose writes need not survive a host crash
   * (podman uses it for --rm), and only there: after a crash such an upper dir may be inconsistent.
   */
  volatile?: boolean;
}

/** (Re)creates l/<n> → lowerDirs[n]. Existing links that already point right are kept. */
export async function linkLowerDirs(dir: string, lowerDirs: string[]): Promise<string[]> {
  const linkDir = join(dir, 'l');
  await mkdir(linkDir, { recursive: true });
  const names: string[] = [];
  for (const [i, lower] of lowerDirs.entries()) {
    const name = `l/${i}`;
    const link = join(dir, name);
    let current: string | undefined;
    try { current = await readlink(link); } catch (err) { if (errnoCode(err) !== 'ENOENT') throw err; }
    if (current !== lower) {
      await rm(link, { force: true });
      await symlink(lower, link);
    }
    names.push(name);
  }
  return names;
}

export async function mountOverlay(o: OverlayDirs): Promise<void> {
  if (o.lowerDirs.length === 0) throw new InvalidArgumentError('cannot mount a root filesystem without image layers');
  const optionsWith = (lowers: string[]) =>
    `lowerdir=${lowers.join(':')},upperdir=${o.upper},workdir=${o.work}${o.volatile ? ',volatile' : ''}`;
  for (const lower of o.lowerDirs) {
    // A name with either is parsed as a separator, even through a link: such a layer path is a bug upstream.
    if (lower.includes(',') || lower.includes(':')) throw new InvalidArgumentError(`layer directory ${lower} contains "," or ":"`);
  }
  let options = optionsWith(o.lowerDirs);
  if (options.length >= PAGE_SIZE) options = optionsWith(await linkLowerDirs(o.dir, o.lowerDirs));
  if (options.length >= PAGE_SIZE) throw new InvalidArgumentError(`too many image layers (${o.lowerDirs.length}) for one overlay mount`);
  try {
    // A volatile mount leaves this marker in its work dir, and the kernel refuses to mount over it again (it
    // cannot tell a clean unmount from a crash); our unmounts are clean, or the container is thrown away.
    await rm(join(o.dir, o.work, 'work', 'incompat', 'volatile'), { recursive: true, force: true });
    await mount({ source: 'overlay', fstype: 'overlay', data: options, target: o.target, cwd: o.dir });
  } catch (err) {
    throw wrap(err, 'overlay');
  }
}

/**
 * Unmounts target. A busy mount (a process still has a file open in it) is retried for a short while before
 * falling back to a lazy detach, which hides the mount at once and frees it when the last user is gone.
 */
export async function unmountOverlay(target: string): Promise<void> {
  for (let attempt = 0; attempt < 10 && isMountPoint(target); attempt++) {
    try {
      await unmount(target);
      continue;
    } catch (err) {
      if (errnoCode(err) !== 'EBUSY') {
        if (!isMountPoint(target)) return;
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
  if (isMountPoint(target)) {
    try {
      await unmount(target, { lazy: true });
    } catch (err) {
      if (isMountPoint(target)) throw err;
    }
  }
}
