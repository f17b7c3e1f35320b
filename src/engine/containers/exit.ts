// What happens when a container's process ends: conmon has written the exit code; the engine records it,
// releases the runtime record and the mounts, tells waiters, and removes --rm containers.
import type { EngineContext } from '../context.js';
import { containerPaths } from '../context.js';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { removeLocked } from './remove.js';
import { teardownContainerNetwork } from '../networks/index.js';

/** Handles an exit file for id; safe to call more than once and for containers that are not running. */
export async function handleExit(ctx: EngineContext, id: string): Promise<void> {
  await ctx.locks.run(id, async () => {
    const rec = ctx.state.getContainer(id);
    const paths = containerPaths(ctx, id);
    if (!rec || (rec.state.status !== 'running' && rec.state.status !== 'paused')) {
      // Not ours to handle now (already recorded, or a leftover of a removed container): just drop the file.
      if (!rec) await unlink(join(paths.exitDir, id)).catch(() => undefined);
      return;
    }
    const code = await ctx.runtime.readExitCode(id, paths);
    if (code === null) return; // conmon has not finished writing it; the next event or sweep brings it back
    await recordExit(ctx, id, code);
  });
}

/** Records an exit whose code is known; the caller holds the container lock. */
export async function recordExit(ctx: EngineContext, id: string, exitCode: number, error = ''): Promise<void> {
  const rec = ctx.state.getContainer(id);
  if (!rec) return;
  const paths = containerPaths(ctx, id);
  ctx.health.stop(id);
  ctx.logRotation.end(id, rec.config);
  const oomKilled = await ctx.runtime.oomKilled(paths).catch(() => false);
  // Record and announce the exit first: waiters (a `run` in the foreground) get the code without also waiting
  // for the cleanup below. A crash between the two is finished by reconcile (releaseExited).
  const exited = { ...rec.state, status: 'exited' as const, pid: 0, conmonPid: 0, exitCode, oomKilled,
    finishedAt: new Date().toISOString(), error };
  // A --rm container goes straight to 'removing', in one write that needs no fsync: if a power loss undoes it,
  // reconcile finds the container running with no process and removes it all the same.
  if (rec.config.autoRemove) ctx.state.saveState(id, { ...exited, status: 'removing' }, { durable: false });
  else ctx.state.saveState(id, exited);
  if (oomKilled) ctx.events.emit('container', 'oom', id, { name: rec.name, image: rec.config.image });
  ctx.events.emit('container', 'die', id, { name: rec.name, image: rec.config.image, exitCode: String(exitCode), oomKilled: String(oomKilled) });
  if (rec.config.autoRemove) await removeLocked(ctx, id, { force: true, volumes: true });
  else {
    await releaseExited(ctx, id);
    ctx.restart.onExit(id); // the restart policy decides on the exit as recorded above
  }
}

/** Releases what an exited container no longer needs: the runtime's record, its network, the mount, the exit file. */
export async function releaseExited(ctx: EngineContext, id: string): Promise<void> {
  await ctx.runtime.delete(id, true).catch(() => undefined);
  ctx.alloc.release(id);
  await teardownContainerNetwork(ctx, id).catch((err) => ctx.opts.notice?.(`network teardown of ${id.slice(0, 12)}: ${String(err)}`));
  await ctx.storage.unmount(id).catch(() => undefined);
  await unlink(join(containerPaths(ctx, id).exitDir, id)).catch(() => undefined);
}
