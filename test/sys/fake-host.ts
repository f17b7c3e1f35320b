// Fake host trees for detection tests: a bh-test- temp dir holding just the files a test describes.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function fakeHost(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bh-test-host-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const line = (id: number, mountPoint: string, fsType: string, superOpts: string) =>
  `${id} 25 0:${id} / ${mountPoint} rw,nosuid,nodev,noexec,relatime shared:${id} - ${fsType} ${fsType === 'tmpfs' ? 'tmpfs' : 'cgroup'} ${superOpts}`;

const ROOT_MOUNT = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw';
const V1 = [
  line(30, '/sys/fs/cgroup', 'tmpfs', 'rw,mode=755'),
  line(31, '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'),
  line(32, '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
  line(33, '/sys/fs/cgroup/pids', 'cgroup', 'rw,pids'),
  line(34, '/sys/fs/cgroup/systemd', 'cgroup', 'rw,xattr,name=systemd'),
];

export const MOUNTINFO = {
  v1: [ROOT_MOUNT, ...V1].join('\n') + '\n',
  hybrid: [ROOT_MOUNT, ...V1, line(35, '/sys/fs/cgroup/unified', 'cgroup2', 'rw,nsdelegate')].join('\n') + '\n',
  v2: [ROOT_MOUNT, line(30, '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate,memory_recursiveprot')].join('\n') + '\n',
  none: ROOT_MOUNT + '\n',
};

/** A mountinfo whose / is the overlay a container engine mounts, plus the usual proc and sys. */
export const OVERLAY_ROOT_MOUNTINFO = [
  '600 550 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/l/1,upperdir=/u,workdir=/w',
  '601 600 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '602 600 0:56 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro',
].join('\n') + '\n';

/** /proc/stat with the given cumulative ticks (all CPUs) for user, system, idle and steal. */
export function procStat(t: { user: number; system: number; idle: number; steal: number }): string {
  return `cpu  ${t.user} 0 ${t.system} ${t.idle} 0 0 0 ${t.steal} 0 0\n` +
    `cpu0 ${t.user} 0 ${t.system} ${t.idle} 0 0 0 ${t.steal} 0 0\nintr 1 0\nctxt 100\nbtime 1700000000\n`;
}

/** Files that describe a host where all cgroup trees and PID 1 look like a plain (non-namespaced) host. */
export const HOST_CGROUP_VIEW: Record<string, string> = {
  'proc/1/cgroup': '12:pids:/init.scope\n1:name=systemd:/init.scope\n0::/init.scope\n',
  'sys/fs/cgroup/systemd/cgroup.procs': '1\n',
  'sys/fs/cgroup/systemd/release_agent': '\n',
};
