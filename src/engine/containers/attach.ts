// Attaching to a container's stdio through conmon, and terminal resize.
import { ConflictError, InvalidArgumentError } from '../../core/index.js';
import type { AttachSession } from '../../runtime/types.js';
import { containerPaths, type EngineContext } from '../context.js';

export interface AttachHandle {
  tty: boolean;
  /** Resolves once the session is connected (immediately for a running container, at start for a created one). */
  session: Promise<AttachSession>;
  cancel(): void;
}

export async function attachContainer(ctx: EngineContext, ref: string, opts: { stdin: boolean }): Promise<AttachHandle> {
  const rec = ctx.state.lookupContainer(ref);
  const id = rec.config.id;
  const stdin = opts.stdin && rec.config.openStdin;
  if (rec.state.status === 'created') {
    const parked = ctx.attach.waitForStart(id, stdin);
    return { tty: rec.config.tty, session: parked.session, cancel: parked.cancel };
  }
  if (rec.state.status !== 'running') {
    throw new ConflictError(`cannot attach to container "${rec.name}": it is ${rec.state.status}; start it first`);
  }
  const session = ctx.runtime.attach(containerPaths(ctx, id), { stdin });
  return { tty: rec.config.tty, session, cancel: () => void session.then((s) => s.close(), () => undefined) };
}

export async function resizeContainer(ctx: EngineContext, ref: string, rows: number, cols: number): Promise<void> {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 10000 || cols > 10000) {
    throw new InvalidArgumentError(`invalid terminal size ${rows}x${cols}`);
  }
  const rec = ctx.state.lookupContainer(ref);
  if (!rec.config.tty) throw new ConflictError(`container "${rec.name}" has no terminal to resize`);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') return;
  await ctx.runtime.resize(containerPaths(ctx, rec.config.id), rows, cols);
}
