// The container's mount table: the fixed kernel filesystems every container gets, the engine-written /etc
// files, then the user's binds, volumes and tmpfs mounts. A user mount on the same target replaces the default
// one (as `-v x:/dev/shm` does in Docker); user mounts are ordered parent-first so none hides another.
import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { InvalidArgumentError, NotFoundError, type MountSpec } from '../core/index.js';
import { DEFAULT_SHM_SIZE } from '../security/index.js';
import type { OciMount } from './oci-types.js';

/** Files the engine writes into the container directory and binds over the image's (see etc-files.ts). */
export const ETC_FILES = ['hosts', 'hostname', 'resolv.conf'] as const;

export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', `size=${DEFAULT_SHM_SIZE}`] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${DEFAULT_SHM_SIZE}`] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

export function etcFileMounts(etcFilesDir: string, readOnly: boolean): OciMount[] {
  return ETC_FILES.map((name) => ({
    destination: `/etc/${name}`,
    type: 'bind',
    source: join(etcFilesDir, name),
    options: ['rbind', 'rprivate', readOnly ? 'ro' : 'rw'],
  }));
}

export function userMounts(mounts: MountSpec[], volumePaths: Record<string, string>): OciMount[] {
  const seen = new Set<string>();
  const out = mounts.map((m) => {
    const destination = checkTarget(m.target);
    if (seen.has(destination)) throw new InvalidArgumentError(`duplicate mount point: ${destination}`);
    seen.add(destination);
    return toOciMount(m, destination, volumePaths);
  });
  // Stable sort by depth: /a before /a/b whatever order the user gave them in.
  return out.sort((a, b) => depth(a.destination) - depth(b.destination));
}

/** Default and /etc mounts that a user mount does not replace, then the user's. */
export function mergeMounts(defaults: OciMount[], user: OciMount[]): OciMount[] {
  const taken = new Set(user.map((m) => m.destination));
  return [...defaults.filter((m) => !taken.has(m.destination)), ...user];
}

/**
 * Gives the engine's /dev/shm tmpfs (--shm-size) a size in bytes. A user mount on /dev/shm replaced the default
 * one and is left as the user made it.
 */
export function setShmSize(mounts: OciMount[], bytes: number): void {
  const shm = mounts.find((m) => m.destination === '/dev/shm' && m.type === 'tmpfs' && m.source === 'shm');
  if (shm) shm.options = [...shm.options.filter((o) => !o.startsWith('size=')), `size=${bytes}`];
}

function toOciMount(m: MountSpec, destination: string, volumePaths: Record<string, string>): OciMount {
  const access = m.readOnly ? 'ro' : 'rw';
  switch (m.type) {
    case 'bind': {
      if (!isAbsolute(m.source)) throw new InvalidArgumentError(`invalid bind mount source "${m.source}": must be an absolute path`);
      if (!existsSync(m.source)) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
      const propagation = (m.options ?? []).filter((o) => /^r?(private|shared|slave)$/.test(o));
      return { destination, type: 'bind', source: m.source, options: ['rbind', ...(propagation.length ? propagation : ['rprivate']), access] };
    }
    case 'volume': {
      const source = volumePaths[m.source];
      if (!source) throw new NotFoundError(`volume ${m.source} not found for mount ${destination}`);
      return { destination, type: 'bind', source, options: ['rbind', 'rprivate', access] };
    }
    case 'tmpfs':
      return { destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(m.options ?? []), access] };
    default:
      throw new InvalidArgumentError(`unknown mount type "${String((m as MountSpec).type)}" for ${destination}`);
  }
}

function checkTarget(target: string): string {
  if (!isAbsolute(target)) throw new InvalidArgumentError(`invalid mount target "${target}": must be an absolute path`);
  const clean = normalize(target).replace(/\/+$/, '') || '/';
  if (clean === '/') throw new InvalidArgumentError('invalid mount target "/": cannot mount over the container root');
  return clean;
}

function depth(p: string): number {
  return p.split('/').length;
}
