// Removing a container: refuses a running one unless forced, then releases everything it holds (runtime record,
// mounts, its directory, anonymous volumes with -v) before the record itself goes, so a crash midway leaves a
// record that the next `rm` or reconcile finishes, never an orphan that nothing knows about.
import { ConflictError, wrap } from '../../core/index.js';
import { removeRunDir, type EngineContext } from '../context.js';
import { teardownContainerNetwork } from '../networks/index.js';
import { volumeInUse } from '../in-use.js';

export interface RemoveOptions {
  force: boolean;
  volumes: boolean;
}

export async function removeContainer(ctx: EngineContext, ref: string, opts: RemoveOptions): Promise<void> {
  const id = ctx.state.lookupContainer(ref).config.id;
  await ctx.locks.run(id, () => removeLocked(ctx, id, opts));
}

/**
 * SIGKILL and wait for the process to go: `runc delete --force` on a running container polls for the death in
 * 100 ms steps, while a stopped container deletes at once, so killing first makes `rm -f` several times faster.
 */
async function killAndReap(ctx: EngineContext, id: string, pid: number): Promise<void> {
  await ctx.runtime.kill(id, 'SIGKILL', true).catch(() => undefined);
  const alive = () => { try { process.kill(pid, 0); return pid > 0; } catch { return false; } };
  for (const deadline = Date.now() + 5000; alive() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 5));
}

export async function removeLocked(ctx: EngineContext, id: string, opts: RemoveOptions): Promise<void> {
  const rec = ctx.state.getContainer(id);
  if (!rec) return;
  const active = rec.state.status === 'running' || rec.state.status === 'paused';
  if (active && !opts.force) {
    throw new ConflictError(`cannot remove container "${rec.name}": it is ${rec.state.status}; stop it first or use --force`);
  }
  ctx.restart.forget(id);
  ctx.health.stop(id);
  ctx.logRotation.unwatch(id);
  try {
    // Written ahead of the removal (durably), so that a crash or power loss midway leaves a record that reconcile
    // finishes removing; a --rm container's exit wrote it already.
    if (rec.state.status !== 'removing') ctx.state.saveState(id, { ...rec.state, status: 'removing' });
    if (active) await killAndReap(ctx, id, rec.state.pid);
    // Nothing of the container runs any more: its runtime record, network and storage are independent of each
    // other, and `run --rm` waits for all three (docker's condition=removed), so they go at once.
    const results = await Promise.allSettled([ctx.runtime.delete(id, true).then(() => removeRunDir(ctx, id)),
      teardownContainerNetwork(ctx, id), ctx.storage.remove(id)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    ctx.alloc.release(id);
    if (failed) throw failed.reason;
    // No fsync: if a power loss undoes the deletion, the record is back as 'removing' and reconcile removes it
    // again before the API serves.
    ctx.state.removeContainer(id, { durable: false });
  } catch (err) {
    throw wrap(err, `remove container ${rec.name}`);
  }
  if (active) {
    ctx.events.emit('container', 'die', id, { name: rec.name, image: rec.config.image, exitCode: '137', oomKilled: 'false' });
  }
  if (opts.volumes) {
    // A volume another container still mounts (--volumes-from) stays, as in docker.
    for (const m of rec.config.mounts) {
      if (m.type === 'volume' && m.anonymous) await ctx.volumes.remove(m.source, (n) => volumeInUse(ctx, n), true).catch(() => undefined);
    }
  }
  ctx.events.emit('container', 'destroy', id, { name: rec.name, image: rec.config.image, exitCode: String(rec.state.exitCode) });
}
