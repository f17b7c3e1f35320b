// mount(2), umount2(2) and new network namespaces, made in the daemon's own process through the native addon
// (native/addon, built by `npm run build`). Each container's life mounts and unmounts its root filesystem, and
// spawning mount(8) for that costs a fork of the whole daemon, during which its event loop stands still (3-4 ms);
// the addon makes the system call on a libuv pool thread instead. Without the addon (a tree built with
// a bare `tsc`) the same calls spawn mount(8), umount(8) and unshare(1) as before, after a one-time warning.
import { EngineError } from '../core/index.js';
import { loadAddon } from './addon.js';
import { runCommand } from './run-command.js';

/** Whether mounts are made in-process (the addon is built and loads). */
export function inProcessMounts(): boolean {
  return loadAddon() !== null;
}

/** A failed mount or unmount; `code` is the errno name (EBUSY, EINVAL, ENOENT…) so callers can tell causes apart. */
export class MountError extends EngineError {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(code === 'ENOENT' ? 'NotFound' : 'Internal', message, options);
  }
}

function fromAddon(err: unknown, what: string): MountError {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  const syscall = err instanceof Error && 'syscall' in err && typeof err.syscall === 'string' ? err.syscall : 'mount';
  const text = err instanceof Error ? err.message : String(err);
  return new MountError(code, `${what}: ${syscall}: ${text}`, { cause: err });
}

/** mount(8)'s and umount(8)'s words for the errors callers tell apart. */
function fromStderr(stderr: string, code: number, what: string): MountError {
  // util-linux adds a line pointing at dmesg(1) to every failed mount: the cause is in the lines before it.
  const text = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('dmesg(1)')).join('; ') || `exit status ${code}`;
  const errno = /busy/i.test(text) ? 'EBUSY' : /not mounted/i.test(text) ? 'EINVAL' : /no such file|does not exist/i.test(text) ? 'ENOENT' : 'EIO';
  return new MountError(errno, `${what}: ${text}`);
}

export interface MountRequest {
  source: string;
  target: string;
  /** Omitted for a bind mount. */
  fstype?: string;
  bind?: boolean;
  readonly?: boolean;
  /** The filesystem's option string (overlay: lowerdir=…,upperdir=…,workdir=…). */
  data?: string;
  /** Relative paths in source and data are resolved from here (only for this call: the process's cwd stays). */
  cwd?: string;
}

export async function mount(req: MountRequest): Promise<void> {
  const what = `mount ${req.target}`;
  const a = loadAddon();
  if (a) {
    const flags = (req.bind ? a.flags.MS_BIND : 0) | (req.readonly ? a.flags.MS_RDONLY : 0);
    try {
      await a.mount(req.source, req.target, req.fstype ?? null, flags, req.data ?? null, req.cwd ?? null);
    } catch (err) {
      throw fromAddon(err, what);
    }
    return;
  }
  const opts = [...(req.readonly ? ['ro'] : []), ...(req.data ? [req.data] : [])].join(',');
  const args = [...(req.bind ? ['--bind'] : []), ...(req.fstype ? ['-t', req.fstype] : []), ...(opts ? ['-o', opts] : []), req.source, req.target];
  const r = await runCommand('mount', args, { cwd: req.cwd, allowFailure: true });
  if (r.code !== 0) throw fromStderr(r.stderr, r.code, what);
}

/** Unmounts target; with lazy, detaches it at once and frees it when its last user is gone (MNT_DETACH). */
export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  const what = `unmount ${target}`;
  const a = loadAddon();
  if (a) {
    try {
      await a.umount(target, opts.lazy ? a.flags.MNT_DETACH : 0);
    } catch (err) {
      throw fromAddon(err, what);
    }
    return;
  }
  const r = await runCommand('umount', [...(opts.lazy ? ['-l'] : []), target], { allowFailure: true });
  if (r.code !== 0) throw fromStderr(r.stderr, r.code, what);
}

/**
 * Makes a new network namespace with loopback up and binds it onto path (an existing empty file), so that it
 * lives on with no process in it: what `ip netns add` does, plus the `ip link set lo up` a runtime would do.
 */
export async function createNetnsAt(path: string): Promise<void> {
  const a = loadAddon();
  if (a) {
    try {
      await a.createNetns(path);
    } catch (err) {
      throw fromAddon(err, 'new network namespace');
    }
    return;
  }
  await runCommand('unshare', [`--net=${path}`, '--', 'ip', 'link', 'set', 'lo', 'up']);
}
