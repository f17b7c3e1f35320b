// The engine's wiring, shared by the operation modules under engine/containers/. Holding it in one object keeps
// each operation a plain function of (context, arguments) that a test can call directly.
import { join } from 'node:path';
import type { ImageService } from '../image/index.js';
import type { ContainerStorage, VolumeService } from '../storage/index.js';
import type { ContainerConfig } from '../core/index.js';
import type { ContainerPaths, OciRuntime } from '../runtime/types.js';
import type { StateStore } from '../state/index.js';
import type { EngineOptions } from './types.js';
import type { EventBus } from './events.js';
import type { KeyedMutex } from './locks.js';
import type { ExitWatcher } from './exit-watcher.js';
import type { AttachBroker } from './attach-broker.js';
import type { NetworkRuntime } from './networks/runtime.js';
import type { AllocationRuntime } from './allocation/runtime.js';
import type { RestartManager } from './restart/index.js';
import type { HealthMonitor } from './health/index.js';
import type { LogRotator } from './logs/index.js';

export interface EngineContext {
  opts: EngineOptions;
  state: StateStore;
  images: ImageService;
  storage: ContainerStorage;
  volumes: VolumeService;
  runtime: OciRuntime;
  events: EventBus;
  locks: KeyedMutex;
  exits: ExitWatcher;
  attach: AttachBroker;
  net: NetworkRuntime;
  alloc: AllocationRuntime;
  restart: RestartManager;
  health: HealthMonitor;
  logRotation: LogRotator;
}

/**
 * Mounts a container's rootfs (idempotent), with its image's layers and its user-namespace mapping. A --rm
 * container's upper dir is volatile: it is deleted at exit, so syncing it (at every fsync and at unmount) is waste.
 */
export function mountRootfs(ctx: EngineContext, config: ContainerConfig): Promise<string> {
  return ctx.storage.mount(config.id, ctx.images.layerDirs(ctx.images.resolve(config.imageId)), config.security.idMap,
    { volatile: config.autoRemove });
}

export function containerDir(ctx: EngineContext, id: string): string {
  return join(ctx.opts.root, 'containers', id);
}

export function exitDir(runRoot: string): string {
  return join(runRoot, 'exits');
}

export function containerPaths(ctx: EngineContext, id: string): ContainerPaths {
  const dir = containerDir(ctx, id);
  return {
    bundle: join(dir, 'bundle'),
    userdata: join(dir, 'userdata'),
    logPath: join(dir, 'ctr.log'),
    exitDir: exitDir(ctx.opts.runRoot),
    persistDir: join(dir, 'userdata'),
  };
}
