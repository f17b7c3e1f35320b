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
