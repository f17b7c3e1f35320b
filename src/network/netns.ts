// Network namespaces the engine makes for its containers: a file under <runRoot>/netns/<id> with the namespace
// bind-mounted on it (what `ip netns add` does, but in the engine's own run root so that nothing depends on
// /run/netns being shared with other tools). It is made, given loopback up (as runc would do for a namespace of
// its own) and pinned in-process, without a fork (sys/mount.ts). A user-namespaced container's namespace is made
// by runc (so that its user namespace owns it) and pinned here after create.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode, wrap } from '../core/index.js';
import { createNetnsAt, mount, unmount } from '../sys/mount.js';
import { runCommand } from '../sys/run-command.js';
import { isMountPoint } from '../storage/index.js';

export function netnsPath(runRoot: string, containerId: string): string {
  return join(runRoot, 'netns', containerId);
}

/** Makes the namespace, with loopback up. */
export async function createNetns(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '', { flag: 'w' });
  try {
    await createNetnsAt(path);
  } catch (err) {
    await removeNetns(path).catch(() => undefined);
    throw wrap(err, `create network namespace ${path}`);
  }
}

/** Pins the network namespace of a created container (its runtime made it) on the file, for CNI and teardown. */
export async function pinNetns(path: string, pid: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '', { flag: 'w' });
  try {
    await mount({ source: `/proc/${pid}/ns/net`, target: path, bind: true });
  } catch (err) {
    await removeNetns(path).catch(() => undefined);
    throw wrap(err, `pin the network namespace of process ${pid}`);
  }
}

/**
 * Whether no TCP socket is left in the namespace. A closed connection lingers in TIME_WAIT for a minute, and
 * /proc/net/tcp would show its addresses and ports to whoever gets the namespace next; such a namespace is not
 * handed on. Read from inside (nsenter), since /proc/net is the reader's own namespace.
 */
export async function netnsHasNoSockets(path: string): Promise<boolean> {
  const r = await runCommand('nsenter', [`--net=${path}`, '--', 'cat', '/proc/net/tcp', '/proc/net/tcp6'], { allowFailure: true });
  if (r.code !== 0) return false;
  return r.stdout.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('sl '));
}

/** Unmounts and deletes the file; not an error when it is already gone. */
export async function removeNetns(path: string): Promise<void> {
  if (isMountPoint(path)) {
    await unmount(path).catch(() => unmount(path, { lazy: true })).catch(() => undefined);
  }
  try {
    await rm(path, { force: true });
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw wrap(err, `remove network namespace ${path}`);
  }
}
