// The engine's wiring, shared by the operation modules under engine/containers/. Holding it in one object keeps
// each operation a plain function of (context, arguments) that a test can call directly.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
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

/** The container's directory under the root, on disk: its log, and storage's upper, work and rootfs dirs. */
export function containerDir(ctx: EngineContext, id: string): string {
  return join(ctx.opts.root, 'containers', id);
}

function runDirIn(ctx: EngineContext, id: string): string {
  return join(ctx.opts.runRoot, 'containers', id);
}

/**
 * The files of the container's current run: its bundle (config.json, conmon's attach socket and control fifos),
 * conmon's pid files and the /etc files bind-mounted into it. They live in the run root (a tmpfs: see
 * storage/run-root.ts), so a reboot clears them; a start writes them all again. A container started by an engine
 * older than this layout keeps them in its container directory until its next start.
 */
export function runDir(ctx: EngineContext, id: string): string {
  const dir = runDirIn(ctx, id);
  return !existsSync(join(dir, 'bundle')) && hasLegacyRunFiles(ctx, id) ? containerDir(ctx, id) : dir;
}

function hasLegacyRunFiles(ctx: EngineContext, id: string): boolean {
  return existsSync(join(containerDir(ctx, id), 'bundle'));
}

/**
 * The last run's conmon may still be writing the exit and oom files of its process (one that `rm -f` just killed,
 * or whose exit a restart policy answers at once), so a directory that fills again while it is emptied is tried
 * again.
 */
const RUN_DIR_RM = { recursive: true, force: true, maxRetries: 5, retryDelay: 20 } as const;

/**
 * A start's run directory: in the run root, empty (a start writes every file again; an earlier run's sockets and pid
 * files would only mislead), and with what an older engine left in the container directory gone.
 */
export async function freshRunDir(ctx: EngineContext, id: string): Promise<string> {
  if (hasLegacyRunFiles(ctx, id)) {
    await Promise.all(LEGACY_RUN_FILES.map((name) => rm(join(containerDir(ctx, id), name), { recursive: true, force: true })));
  }
  const dir = runDirIn(ctx, id);
  await rm(dir, RUN_DIR_RM);
  await mkdir(join(dir, 'userdata'), { recursive: true });
  return dir;
}

/** Removes the run directory, after the container's runtime record is deleted. */
export function removeRunDir(ctx: EngineContext, id: string): Promise<void> {
  return rm(runDirIn(ctx, id), RUN_DIR_RM);
}

/** The names of the run files that engines before the run-root layout kept in the container directory. */
const LEGACY_RUN_FILES = ['bundle', 'userdata', 'hosts', 'hostname', 'resolv.conf'];

export function exitDir(runRoot: string): string {
  return join(runRoot, 'exits');
}

/** The runtime's paths of a container; dir is its run directory when the caller has it already. */
export function containerPaths(ctx: EngineContext, id: string, dir = runDir(ctx, id)): ContainerPaths {
  return {
    bundle: join(dir, 'bundle'),
    userdata: join(dir, 'userdata'),
    logPath: join(containerDir(ctx, id), 'ctr.log'),
    exitDir: exitDir(ctx.opts.runRoot),
    persistDir: join(dir, 'userdata'),
  };
}

/** Where docker inspect's LogPath, HostsPath, HostnamePath and ResolvConfPath are. */
export function containerFiles(ctx: EngineContext, id: string): { log: string; hosts: string; hostname: string; resolvConf: string } {
  const dir = runDir(ctx, id);
  return { log: join(containerDir(ctx, id), 'ctr.log'), hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'),
    resolvConf: join(dir, 'resolv.conf') };
}
