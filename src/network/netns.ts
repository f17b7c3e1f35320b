// Network namespaces the engine makes for its containers: a file under <runRoot>/netns/<id> with the namespace
// bind-mounted on it (what `ip netns add` does, but in the engine's own run root so that nothing depends on
// /run/netns being shared with other tools). `unshare --net=FILE` creates and pins it in one exec; `ip link set
// lo up` runs inside, as runc would do for a namespace of its own.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { runCommand } from '../sys/run-command.js';
import { isMountPoint } from '../storage/index.js';

export function netnsPath(runRoot: string, containerId: string): string {
  return join(runRoot, 'netns', containerId);
}

/** Makes the namespace with loopback up and the given net.* sysctls written (for user-namespaced containers). */
export async function createNetns(path: string, sysctls: Record<string, string> = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '', { flag: 'w' });
  const writes = Object.entries(sysctls).map(([k, v]) => {
    if (!/^net\.[a-zA-Z0-9_.-]+$/.test(k)) throw new InvalidArgumentError(`invalid sysctl "${k}"`);
    return `printf '%s' '${v.replace(/'/g, '')}' > /proc/sys/${k.replace(/\./g, '/')}`;
  });
  const inside = writes.length ? ['sh', '-c', ['ip link set lo up', ...writes].join(' && ')] : ['ip', 'link', 'set', 'lo', 'up'];
  try {
    await runCommand('unshare', [`--net=${path}`, '--', ...inside]);
  } catch (err) {
    await removeNetns(path).catch(() => undefined);
    throw wrap(err, `create network namespace ${path}`);
  }
}

/** Unmounts and deletes the file; not an error when it is already gone. */
export async function removeNetns(path: string): Promise<void> {
  if (isMountPoint(path)) {
    const r = await runCommand('umount', [path], { allowFailure: true });
    if (r.code !== 0) await runCommand('umount', ['-l', path], { allowFailure: true });
  }
  try {
    await rm(path, { force: true });
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw wrap(err, `remove network namespace ${path}`);
  }
}
