// Reads /proc/self/mountinfo: the kernel's own view of what is mounted where, the only reliable answer to "is
// this rootfs mounted" after a crash (a state file can lie; the kernel cannot).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAddon } from '../sys/addon.js';

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;   // per-mount options followed by the superblock options
}

export function readMountInfo(path = '/proc/self/mountinfo'): MountInfo[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map(parseLine);
}

/**
 * True when `dir` itself is a mount point. The kernel answers for one path (statx, through the addon) where it can;
 * otherwise the mount table is read, which grows with every running container.
 */
export function isMountPoint(dir: string): boolean {
  const target = resolve(dir);
  return loadAddon()?.isMountRoot(target) ?? readMountInfo().some((m) => m.mountPoint === target);
}

function parseLine(line: string): MountInfo {
  // id parent major:minor root mountpoint options [optional fields…] - fstype source superoptions
  const [left = '', right = ''] = line.split(' - ');
  const l = left.split(' ');
  const r = right.split(' ');
  return { mountPoint: unescape(l[4] ?? ''), fsType: r[0] ?? '', source: unescape(r[1] ?? ''), options: `${l[5] ?? ''},${r[2] ?? ''}` };
}

/** mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
