// `container prune`: removes stopped containers that a caller's predicate (docker's until= and label= filters)
// selects, and says how much space went with them.
import { join } from 'node:path';
import { errorKind, type ContainerRecord } from '../../core/index.js';
import { diskUsage } from '../../storage/index.js';
import type { EngineContext } from '../context.js';
import { removeContainer } from './remove.js';

export async function pruneContainers(ctx: EngineContext, select: (c: ContainerRecord) => boolean = () => true): Promise<{ deleted: string[]; reclaimed: number }> {
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of ctx.state.listContainers()) {
    if ((c.state.status !== 'exited' && c.state.status !== 'created') || !select(c)) continue;
    const size = await diskUsage(join(ctx.opts.root, 'containers', c.config.id, 'upper'));
    // A container started meanwhile refuses removal (Conflict): it is no longer stopped, so it is kept.
    try {
      await removeContainer(ctx, c.config.id, { force: false, volumes: false });
    } catch (err) {
      if (errorKind(err) === 'Conflict' || errorKind(err) === 'NotFound') continue;
      throw err;
    }
    reclaimed += size;
    deleted.push(c.config.id);
  }
  ctx.events.emit('container', 'prune', '', { reclaimed: String(reclaimed) });
  return { deleted, reclaimed };
}
