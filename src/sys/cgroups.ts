// Host cgroup facts. Bulkhead drives cgroups through the OCI runtime with the cgroupfs driver; what it needs to
// know is the layout: pure v1, pure v2 (unified), or "hybrid" — v1 controllers plus a cgroup2 tree mounted
// beside them (usually /sys/fs/cgroup/unified), which some runtimes (crun 1.8) refuse. Everything reads from a
// root path so tests can describe a host as a fake tree (root/proc/self/mountinfo).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotSupportedError, errnoCode, wrap } from '../core/index.js';

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupInfo {
  mode: CgroupMode;
  version: 1 | 2;                         // the version controllers are managed with (hybrid: 1)
  driver: 'cgroupfs';
  v1Controllers: string[];                // sorted, e.g. ["blkio","cpu","cpuacct",…]
  v1Mounts: Record<string, string>;       // controller → mount point
  unifiedMount?: string;                  // where the cgroup2 tree is mounted, if anywhere
}

interface MountEntry { mountPoint: string; fsType: string; superOptions: string[] }

// Super-block options of a v1 cgroup mount that are not controller names.
const NOT_CONTROLLERS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode', 'favordynmods']);

/** Parses /proc/self/mountinfo lines: "… mountpoint opts … - fstype source superopts". */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) continue;
    entries.push({ mountPoint: unescapeOctal(left[4]!), fsType: right[0]!, superOptions: right[2]!.split(',') });
  }
  return entries;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

let hostLayout: CgroupInfo | undefined;

/**
 * Classifies the host's cgroup layout from root/proc/self/mountinfo. The real host's (root "/") is read once: its
 * cgroup mounts do not change under a running engine, while the mount table grows with every running container
 * (its root filesystem, its namespaces), and the engine asks at every container start. A fake tree is read each time.
 */
export function detectCgroups(root = '/'): Readonly<CgroupInfo> {
  if (root !== '/') return readCgroupLayout(root);
  return (hostLayout ??= readCgroupLayout(root));
}

function readCgroupLayout(root: string): CgroupInfo {
  let text: string;
  try {
    text = readFileSync(join(root, 'proc/self/mountinfo'), 'utf8');
  } catch (err) {
    throw wrap(err, 'detect cgroup mode: read /proc/self/mountinfo');
  }
  const mounts = parseMountinfo(text);
  const v1Mounts: Record<string, string> = {};
  for (const m of mounts.filter((e) => e.fsType === 'cgroup')) {
    for (const opt of m.superOptions) {
      if (NOT_CONTROLLERS.has(opt) || opt.startsWith('name=') || opt.includes('=')) continue;
      v1Mounts[opt] ??= m.mountPoint;
    }
  }
  const unified = mounts.find((e) => e.fsType === 'cgroup2');
  const v1Controllers = Object.keys(v1Mounts).sort();
  const base = { driver: 'cgroupfs' as const, v1Controllers, v1Mounts, ...(unified ? { unifiedMount: unified.mountPoint } : {}) };
  if (v1Controllers.length > 0) return { ...base, mode: unified ? 'hybrid' : 'v1', version: 1 };
  if (unified) return { ...base, mode: 'v2', version: 2 };
  throw new NotSupportedError('no cgroup filesystem is mounted: containers need cgroups (mount cgroup2 on /sys/fs/cgroup)');
}

/** Shorthand for detectCgroups(root).mode. */
export function cgroupMode(root = '/'): CgroupMode {
  return detectCgroups(root).mode;
}
