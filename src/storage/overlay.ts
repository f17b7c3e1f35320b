// Overlay mounts of a container's root filesystem. The kernel takes the whole option string in one page, so
// with many image layers absolute lowerdir paths overflow it. As containers/storage does, we give each lower
// dir a short symlink in the container directory (l/0, l/1 …) and run mount with that directory as its working
// directory, so the option string holds only short relative paths.
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { runCommand } from '../sys/run-command.js';
import { isMountPoint } from './mountinfo.js';

const PAGE_SIZE = 4096;

export interface OverlayDirs {
  dir: string;        // container dir; relative paths below are relative to it
  lowerDirs: string[]; // absolute, topmost first
  upper: string;      // 'upper'
  work: string;       // 'work'
  target: string;     // absolute mount point
}

/** (Re)creates l/<n> → lowerDirs[n]. Existing links that already point right are kept. */
export async function linkLowerDirs(dir: string, lowerDirs: string[]): Promise<string[]> {
  const linkDir = join(dir, 'l');
  await mkdir(linkDir, { recursive: true });
  const names: string[] = [];
  for (const [i, lower] of lowerDirs.entries()) {
    if (lower.includes(',') || lower.includes(':')) {
      // Through a symlink the name is never parsed, but reject it anyway: such a layer path is a bug upstream.
      throw new InvalidArgumentError(`layer directory ${lower} contains "," or ":"`);
    }
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
  const lowers = await linkLowerDirs(o.dir, o.lowerDirs);
  const options = `lowerdir=${lowers.join(':')},upperdir=${o.upper},workdir=${o.work}`;
  if (options.length >= PAGE_SIZE) throw new InvalidArgumentError(`too many image layers (${o.lowerDirs.length}) for one overlay mount`);
  try {
    await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', options, o.target], { cwd: o.dir });
  } catch (err) {
    throw wrap(err, `mount overlay at ${o.target}`);
  }
}

/**
 * Unmounts target. A busy mount (a process still has a file open in it) is retried for a short while before
 * falling back to a lazy detach, which hides the mount at once and frees it when the last user is gone.
 */
export async function unmountOverlay(target: string): Promise<void> {
  for (let attempt = 0; attempt < 10 && isMountPoint(target); attempt++) {
    const res = await runCommand('umount', [target], { allowFailure: true });
    if (res.code === 0) continue;
    if (!/busy/i.test(res.stderr)) {
      if (!isMountPoint(target)) return;
      throw new EngineError('Internal', `unmount ${target}: ${res.stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
  if (isMountPoint(target)) {
    const res = await runCommand('umount', ['-l', target], { allowFailure: true });
    if (res.code !== 0 && isMountPoint(target)) throw new EngineError('Internal', `unmount ${target}: ${res.stderr.trim()}`);
  }
}
