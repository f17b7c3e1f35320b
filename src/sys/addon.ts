// The native addon (native/addon, built by `npm run build`): the system calls the daemon makes on every container's
// way, made in-process rather than by forking the daemon. mount.ts and spawn.ts use it; each falls back to
// spawning a program (mount(8), child_process) when the addon is not built (a tree built with a bare `tsc`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Addon {
  // Each call is made on a libuv pool thread: an overlay's unmount syncs its upper filesystem (5-20 ms on a
  // busy disk), which must not stall the event loop.
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): Promise<void>;
  umount(target: string, flags: number): Promise<void>;
  createNetns(path: string): Promise<void>;
  /**
   * posix_spawn (native/addon/spawn.c). args includes argv[0]; env is "KEY=VALUE" strings; stdio[i] is what the
   * child's fd i is; cwd null keeps ours. fds[i] is our end of each "pipe" (-1 otherwise). Throws (code: ENOENT, EACCES…) when the
   * program cannot be started.
   */
  spawn(file: string, args: string[], env: string[], stdio: Array<'pipe' | 'ignore'>, detached: boolean, cwd: string | null):
    { pid: number; fds: number[]; exited: Promise<{ code: number | null; signal: number | null }> };
  /** Whether path is the root of a mount (statx); undefined when this kernel cannot say. */
  isMountRoot(path: string): boolean | undefined;
  flags: { MS_RDONLY: number; MS_BIND: number; MS_REC: number; MNT_DETACH: number };
}

// dist/src/sys/addon.js → repository root is three levels up.
export const ADDON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native', 'addon', 'build', 'Release', 'bulkhead_sys.node');

let addon: Addon | null | undefined;

/** The addon, loaded on first use (a CLI client never needs it); null when it is not built. */
export function loadAddon(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    if (!existsSync(ADDON_PATH)) throw new Error('not built');
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (err) {
    addon = null;
    process.emitWarning(`native addon ${ADDON_PATH} unavailable (${err instanceof Error ? err.message : String(err)}): ` +
      'mounting through mount(8) and starting programs through child_process, one fork of the daemon per call; ' +
      'run "npm run build"', { code: 'BULKHEAD_NO_ADDON' });
  }
  return addon;
}
