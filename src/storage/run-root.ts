// The run root holds what a reboot may clear: runc's state, conmon's exit files, the pinned network namespaces and
// each container's run directory (bundle, conmon's sockets and pid files, the /etc files it bind-mounts). A
// container start and removal make and delete ~15 of these files. On a disk filesystem every file creation pays
// for the inodes freed before it (ext4 without a journal skips every inode freed in the last minutes), which made
// 50 concurrent starts a fifth slower on this project's VM. Podman keeps the same files in its runroot under /run,
// a tmpfs on most hosts; where the run root is not on one (a host whose /run is a disk directory, or an engine
// with a root of its own), the engine mounts a tmpfs there itself.
//
// It does so only over a directory that holds nothing a container still needs: an engine upgraded while its
// containers run keeps their files where they are, on disk, and says so; the tmpfs comes at the first daemon start
// after they are gone. Files older than the host's boot are no one's: a reboot ended every process that used them
// (a host whose /run is a disk directory keeps them across reboots).
import { lstat, readFile, readdir, rm, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mount } from '../sys/mount.js';
import { readMountInfo } from './mountinfo.js';

const TMPFS_MAGIC = 0x01021994;

export type RunRootKind = 'tmpfs' | 'mounted-tmpfs' | 'disk';

/**
 * Makes dir (which must exist) a tmpfs if it is not one and nothing in it is needed. Mode 0711: user-namespaced
 * containers' mapped root must traverse it to their /etc files, but nobody may list it.
 */
export async function prepareRunRoot(dir: string, notice?: (message: string) => void): Promise<RunRootKind> {
  const target = resolve(dir);
  if (await onTmpfs(target)) return 'tmpfs';
  const needed = await neededEntry(target);
  if (needed) {
    notice?.(`run root ${target} stays on disk: ${needed} is still in use (it becomes a tmpfs at a daemon start after that is gone)`);
    return 'disk';
  }
  // What is left is empty directories and the stale pid file and sockets of an earlier daemon: nothing to hide.
  for (const name of await readdir(target)) await rm(join(target, name), { recursive: true, force: true });
  try {
    await mount({ source: 'bulkhead-run', target, fstype: 'tmpfs', data: 'mode=0711' });
  } catch (err) {
    // An engine inside a container, or under a policy that forbids mounts: slower, but it works.
    notice?.(`run root ${target} stays on disk: ${err instanceof Error ? err.message : String(err)}`);
    return 'disk';
  }
  return 'mounted-tmpfs';
}

/** Whether dir is on a tmpfs (info shows it: a run root on disk makes every start slower). */
export async function onTmpfs(dir: string): Promise<boolean> {
  return (await statfs(dir)).type === TMPFS_MAGIC;
}

/**
 * The first thing under dir that something may still use: a mount, or any file made since the boot but a socket
 * or a pid file.
 */
async function neededEntry(dir: string): Promise<string | undefined> {
  const mounted = readMountInfo().find((m) => m.mountPoint.startsWith(`${dir}/`));
  if (mounted) return mounted.mountPoint;
  const bootMs = await bootTimeMs();
  const walk = async (d: string): Promise<string | undefined> => {
    for (const name of await readdir(d)) {
      const path = join(d, name);
      const st = await lstat(path);
      if (st.isDirectory()) {
        const found = await walk(path);
        if (found) return found;
      } else if (!st.isSocket() && !(d === dir && name === 'daemon.pid') && st.mtimeMs >= bootMs) {
        return path;
      }
    }
    return undefined;
  };
  return walk(dir);
}

/** When the host booted: /proc/stat's btime (whole seconds, so one more is allowed for). */
async function bootTimeMs(): Promise<number> {
  const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1];
  return btime ? (Number(btime) - 1) * 1000 : 0;
}
