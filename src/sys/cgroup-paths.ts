// Where a container's cgroup lives. The runtime creates it (cgroupfs driver) at the spec's cgroupsPath under each
// v1 controller's mount, or once under the cgroup2 mount. Readers find it from the container's init process
// (/proc/<pid>/cgroup), which stays right whatever parent the engine was configured with. All reads are below
// `root`, so the v2 layout is testable as a fake tree.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, errnoCode, wrap } from '../core/index.js';
import { detectCgroups } from './cgroups.js';

/** The parent every container cgroup is created under unless the daemon config names another. */
export const DEFAULT_CGROUP_PARENT = '/bulkhead';

export type V1Controller = 'cpu' | 'cpuacct' | 'cpuset' | 'memory' | 'pids' | 'blkio';
const V1_CONTROLLERS: readonly V1Controller[] = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio'];

/** Host paths (under root) of one cgroup: per controller on v1, one directory on v2. */
export type CgroupDirs =
  | { version: 1; dirs: Partial<Record<V1Controller, string>> }
  | { version: 2; dir: string };

/** The cgroupsPath for a container: <parent>/<id>. The parent must be an absolute, clean path of our own. */
export function containerCgroupsPath(id: string, parent = DEFAULT_CGROUP_PARENT): string {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(parent) || parent.split('/').some((p) => p === '.' || p === '..')) {
    throw new InvalidArgumentError(`invalid cgroup parent "${parent}": expected an absolute path such as /bulkhead`);
  }
  return `${parent}/${id}`;
}

/**
 * A container's own --cgroup-parent as the record keeps it: absolute, a relative one taken from the root of the
 * hierarchies (as docker does with the cgroupfs driver). Empty components, "." and ".." are refused, so the
 * container's cgroup is always below the parent named and never anywhere else.
 */
export function normalizeCgroupParent(parent: string): string {
  const parts = (parent.startsWith('/') ? parent.slice(1) : parent).split('/');
  const bad = (why: string) => new InvalidArgumentError(`invalid --cgroup-parent "${parent}": ${why}`);
  if (parts.some((p) => p === '')) throw bad('empty path component (a doubled or trailing "/", or no name at all)');
  if (parts.some((p) => p === '.' || p === '..')) throw bad('"." and ".." are not allowed');
  const odd = parts.find((p) => !/^[A-Za-z0-9_.-]+$/.test(p));
  if (odd !== undefined) throw bad(`component "${odd}" may hold only letters, digits, "_", "." and "-"`);
  return `/${parts.join('/')}`;
}

/** The directories a cgroupsPath maps to on this host's layout. */
export function cgroupDirsForPath(cgroupsPath: string, root = '/'): CgroupDirs {
  const info = detectCgroups(root);
  if (info.version === 2) return { version: 2, dir: join(root, info.unifiedMount!, cgroupsPath) };
  const dirs: Partial<Record<V1Controller, string>> = {};
  for (const c of V1_CONTROLLERS) {
    const mount = info.v1Mounts[c];
    if (mount) dirs[c] = join(root, mount, cgroupsPath);
  }
  return { version: 1, dirs };
}

/** The cgroup directories of a running process, from root/proc/<pid>/cgroup. NotFound when the process is gone. */
export function processCgroupDirs(pid: number, root = '/'): CgroupDirs {
  let text: string;
  try {
    text = readFileSync(join(root, 'proc', String(pid), 'cgroup'), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ESRCH') throw new NotFoundError(`process ${pid} is not running`);
    throw wrap(err, `read the cgroup of process ${pid}`);
  }
  const info = detectCgroups(root);
  // Lines are "hierarchy-id:controller[,controller…]:path"; the v2 line has an empty controller list.
  const lines = text.split('\n').filter(Boolean).map((l) => {
    const first = l.indexOf(':');
    const second = l.indexOf(':', first + 1);
    return { controllers: l.slice(first + 1, second).split(',').filter(Boolean), path: l.slice(second + 1) };
  });
  if (info.version === 2) {
    const unified = lines.find((l) => l.controllers.length === 0);
    if (!unified) throw new NotFoundError(`process ${pid} has no cgroup v2 membership`);
    return { version: 2, dir: join(root, info.unifiedMount!, unified.path) };
  }
  const dirs: Partial<Record<V1Controller, string>> = {};
  for (const c of V1_CONTROLLERS) {
    const line = lines.find((l) => l.controllers.includes(c));
    const mount = info.v1Mounts[c];
    if (line && mount) dirs[c] = join(root, mount, line.path);
  }
  return { version: 1, dirs };
}

/**
 * The pids in a cgroup (v1: the pids hierarchy's, or memory's): found from the container's own directories, so a
 * container under its own --cgroup-parent, at any depth, is read where it is. [] when the cgroup is gone.
 */
export async function cgroupProcs(dirs: CgroupDirs): Promise<number[]> {
  const dir = dirs.version === 2 ? dirs.dir : dirs.dirs.pids ?? dirs.dirs.memory;
  if (!dir) return [];
  try {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
    return text.split('\n').filter(Boolean).map(Number);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw wrap(err, `read the processes of cgroup ${dir}`);
  }
}
