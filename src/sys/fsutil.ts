// Node cannot mknod, mkfifo or set xattrs, so layer extraction hands those operations to native/fsutil, one run
// per layer. Paths are relative to a root and fsutil walks them without following symlinks, so a batch recorded
// early in an extraction stays inside the root even if later entries reshaped the tree.
import { EngineError, wrap } from '../core/index.js';
import { nativeHelper } from './native.js';
import { runCommand } from './run-command.js';

export type FsOp =
  | { op: 'whiteout'; path: string }                 // char device 0:0, overlayfs' mark for a deleted entry
  | { op: 'opaque'; path: string }                   // trusted.overlay.opaque=y: hide the lower layers' content
  | { op: 'fifo'; path: string; mode: number; uid: number; gid: number; mtime: Date };

function encode(op: FsOp): string[] {
  switch (op.op) {
    case 'whiteout':
    case 'opaque':
      return [op.op, op.path];
    case 'fifo': {
      const ms = op.mtime.getTime();
      const sec = Math.floor(ms / 1000);
      return ['fifo', op.path, (op.mode & 0o7777).toString(8), String(op.uid), String(op.gid), String(sec),
        String((ms - sec * 1000) * 1_000_000)];
    }
  }
}

/** Applies ops under root in order with a single helper process. */
export async function applyFsOps(root: string, ops: FsOp[]): Promise<void> {
  if (ops.length === 0) return;
  const fields = ops.flatMap(encode);
  if (fields.some((f) => f.includes('\0'))) throw new EngineError('InvalidArgument', 'path contains a NUL byte');
  try {
    await runCommand(nativeHelper('fsutil'), ['batch', root], { input: Buffer.from(fields.join('\0') + '\0') });
  } catch (err) {
    throw wrap(err, `special files under ${root}`);
  }
}

/** Directories under root (relative, '.' for root itself) marked opaque for overlayfs. */
export async function listOpaqueDirs(root: string): Promise<string[]> {
  const { stdout } = await runCommand(nativeHelper('fsutil'), ['list-opaque', root]);
  return stdout.split('\0').filter((p) => p.length > 0);
}
