// Whether any container, in any state, uses an image or a volume: what rmi, volume rm, the prunes and a
// container's `rm -v` ask before anything goes. One place, so that every caller counts the same containers.
import type { EngineContext } from './context.js';

export function imageInUse(ctx: EngineContext, imageId: string): boolean {
  return ctx.state.listContainers().some((c) => c.config.imageId === imageId);
}

export function volumeInUse(ctx: EngineContext, name: string): boolean {
  return ctx.state.listContainers().some((c) => c.config.mounts.some((m) => m.type === 'volume' && m.source === name));
}
