// The Engine: one object that owns state and wires the domain modules together. The API server and (through it)
// the CLI call only these methods; each delegates to an operation module under engine/containers/ or to a
// domain service.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as inUse from './in-use.js';
import type { Readable } from 'node:stream';
import { wrap } from '../core/index.js';
import { containerCgroupsPath } from '../sys/cgroup-paths.js';
import { acquireDaemonLock, type DaemonLock } from './daemon-lock.js';
import { ImageService, bootstrapDebian, type DebootstrapOptions } from '../image/index.js';
import { RegistryService } from '../registry/index.js';
import { NetworkDnsServer } from '../network/dns/index.js';
import { ContainerStorage, VolumeService, prepareRunRoot } from '../storage/index.js';
import { selectRuntime } from '../runtime/index.js';
import { SqliteStateStore } from '../state/index.js';
import { AttachBroker } from './attach-broker.js';
import { containerFiles, exitDir, type EngineContext } from './context.js';
import { EventBus } from './events.js';
import { ExitWatcher } from './exit-watcher.js';
import { KeyedMutex } from './locks.js';
import type { CreateRequest, EngineOptions, ExecRequest, ListFilters, LogOptions } from './types.js';
import { createContainer } from './containers/create.js';
import { startContainer } from './containers/start.js';
import { killContainer, pauseContainer, restartContainer, stopContainer } from './containers/stop.js';
import { removeContainer, type RemoveOptions } from './containers/remove.js';
import { runAttached } from './containers/run.js';
import { armWait, type WaitCondition } from './containers/wait.js';
import { handleExit } from './containers/exit.js';
import { reconcile, type ReconcileReport } from './containers/reconcile.js';
import { attachContainer, resizeContainer } from './containers/attach.js';
import { createExec, inspectExec, startExec } from './containers/exec.js';
import { linkViews } from './containers/links.js';
import { readLogs } from './containers/logs.js';
import { listContainers } from './containers/list.js';
import { commitContainer, copyFrom, copyTo, diffContainer, exportContainer, statPath, type CommitRequest } from './containers/filesystem.js';
import { topContainer } from './containers/top.js';
import { ExpiryScheduler, parsePruneFilters, pruneBuildCache, pruneContainersFiltered, pruneImagesFiltered, pruneNetworksFiltered,
  pruneVolumesFiltered, type Filters, type PruneKind } from './sprawl/index.js';
import { setRestartPolicy, updateContainer } from './containers/update.js';
import { replaceContainer, type ReplaceOptions } from './containers/replace.js';
import { checkPolicy, showPolicy, type PolicyInput } from './policy.js';
import { allStats, containerStats, streamStats } from './containers/stats.js';
import type { ContainerRecord, ResourceLimits } from '../core/index.js';
import { runBuild, type BuildEvent, type BuildRequest } from '../build/index.js';
import { NetworkRuntime, closeNetworks, connectContainer, containerNetworkSettings, createNetwork, disconnectContainer,
  networkView, reconcileNetworks, removeNetwork } from './networks/index.js';
import type { NetworkCreateRequest } from './types.js';
import { AllocationRuntime, allocationMap, restoreAllocations } from './allocation/index.js';
import { measureInterference, staticInterference } from './interference/index.js';
import type { MeasureOptions } from '../analysis/measure/index.js';
import { RestartManager, type RestartPolicyRequest } from './restart/index.js';
import { HealthMonitor } from './health/index.js';
import { LogRotator } from './logs/index.js';

export class Engine {
  readonly reconciled: ReconcileReport;

  /** --expire deadlines (engine/sprawl/expiry.ts); armed here, so one that passed while the daemon was down fires now. */
  private readonly expiry: ExpiryScheduler;

  private constructor(readonly ctx: EngineContext, reconciled: ReconcileReport, private readonly lock: DaemonLock) {
    this.reconciled = reconciled;
    this.expiry = new ExpiryScheduler(ctx);
    this.expiry.schedule();
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    for (const dir of [opts.root, join(opts.root, 'containers'), opts.runRoot]) await mkdir(dir, { recursive: true });
    containerCgroupsPath('check', opts.cgroupParent); // refuse a bad parent at start-up, not at the first container
    const lock = acquireDaemonLock(opts.root);
    let state: SqliteStateStore;
    try {
      await prepareRunRoot(opts.runRoot, opts.notice);
      state = new SqliteStateStore(join(opts.root, 'bulkhead.db'));
    } catch (err) {
      lock.release();
      throw wrap(err, 'open engine');
    }
    try {
      const images = new ImageService({ root: opts.root, store: state, searchRegistries: opts.registries?.search });
      await images.init();
      const runtime = await selectRuntime({ requested: opts.runtime, runRoot: opts.runRoot, exitDir: exitDir(opts.runRoot),
        notice: opts.notice ?? (() => undefined) });
      const exits = new ExitWatcher(exitDir(opts.runRoot), (id) => void handleExit(ctx, id).catch((err) => {
        opts.notice?.(`recording exit of ${id.slice(0, 12)} failed: ${err instanceof Error ? err.message : String(err)}`);
      }));
      const ctx: EngineContext = {
        opts, state, images, runtime, exits,
        storage: new ContainerStorage({ root: opts.root }),
        volumes: new VolumeService({ root: opts.root, store: state }),
        events: new EventBus(),
        locks: new KeyedMutex(),
        attach: new AttachBroker(runtime),
        net: new NetworkRuntime(opts),
        alloc: new AllocationRuntime(state, opts.allocation, opts.cgroupParent, opts.notice),
        restart: new RestartManager(() => ctx),
        health: new HealthMonitor(() => ctx),
        logRotation: new LogRotator(() => ctx),
      };
      ctx.net.dns = new NetworkDnsServer({ notice: opts.notice });
      const report = await reconcile(ctx);
      await reconcileNetworks(ctx);
      for (const line of restoreAllocations(ctx)) opts.notice?.(line);
      await ctx.exits.start();
      // Recovery: probes resume for running containers, then the restart policies bring back whom they want.
      ctx.health.resumeRunning();
      ctx.logRotation.resumeRunning();
      await ctx.restart.recoverAtOpen();
      return new Engine(ctx, report, lock);
    } catch (err) {
      state.close();
      lock.release();
      throw wrap(err, 'open engine');
    }
  }

  /** Stops watching, lets the network work under way and the clean-up due finish, lets go of state and lock. */
  async close(): Promise<void> {
    this.expiry.close();
    this.ctx.exits.stop();
    this.ctx.restart.close();
    this.ctx.health.close();
    this.ctx.logRotation.close();
    await closeNetworks(this.ctx).catch((err) => this.ctx.opts.notice?.(`network clean-up at stop: ${err instanceof Error ? err.message : String(err)}`));
    this.ctx.state.close();
    this.lock.release();
  }

  get images() { return this.ctx.images; }
  get volumes() { return this.ctx.volumes; }
  get events() { return this.ctx.events; }
  get runtime() { return this.ctx.runtime; }
  /** Registry pull/push/login (src/registry); made on first use, it holds no state but the credential file. */
  /** A Debian base image made with debootstrap (minutes of work); announced as an image import like `load`. */
  async bootstrapDebian(opts: DebootstrapOptions) {
    const image = await bootstrapDebian(this.ctx.images, opts);
    this.ctx.events.emit('image', 'import', image.id, {});
    return image;
  }

  get registry(): RegistryService {
    return (this.registryService ??= new RegistryService({ root: this.ctx.opts.root, images: this.ctx.images,
      searchRegistries: this.ctx.opts.registries?.search, insecureRegistries: this.ctx.opts.registries?.insecure }));
  }
  private registryService?: RegistryService;

  // --- containers ---
  // create and start write their records without an fsync each (containers/create.ts, start.ts): the answer waits
  // for one flush, which the writes of concurrent creates and starts share, off the event loop.
  async create(req: CreateRequest) { return this.flushed(this.createUnflushed(req)); }
  start(ref: string) { return this.flushed(startContainer(this.ctx, ref)); }
  stop(ref: string, timeoutSeconds?: number) { return stopContainer(this.ctx, ref, timeoutSeconds); }
  restart(ref: string, timeoutSeconds?: number) { return this.flushed(restartContainer(this.ctx, ref, timeoutSeconds)); }
  kill(ref: string, signal?: string) { return killContainer(this.ctx, ref, signal); }
  pause(ref: string) { return pauseContainer(this.ctx, ref, true); }
  unpause(ref: string) { return pauseContainer(this.ctx, ref, false); }
  remove(ref: string, opts: RemoveOptions) { return removeContainer(this.ctx, ref, opts); }
  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal) {
    return armWait(this.ctx, this.ctx.state.lookupContainer(ref).config.id, condition, undefined, signal);
  }
  /**
   * create, attach, wait and start as one call (containers/run.ts); `bulkhead run` without -d or -i uses it. One
   * flush, after the start, makes both records durable before the output flows.
   */
  runAttached(req: CreateRequest) {
    return runAttached({ create: (r) => this.createUnflushed(r), attach: (ref, o) => this.attach(ref, o), wait: (ref, c, s) => this.wait(ref, c, s),
      start: (ref) => startContainer(this.ctx, ref), flush: () => this.ctx.state.flush() }, req);
  }
  /** create and start, answered once both records are on disk (`run -d`). */
  async runDetached(req: CreateRequest) {
    return this.flushed(this.createUnflushed(req).then(async (made) => { await startContainer(this.ctx, made.id); return made; }));
  }
  private async createUnflushed(req: CreateRequest) {
    const made = await createContainer(this.ctx, req);
    if (req.expire !== undefined) this.expiry.schedule();
    return made;
  }
  private async flushed<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    await this.ctx.state.flush();
    return result;
  }
  /**
   * The record with its live NetworkSettings (addresses, published ports), its links under current names, and
   * where its log and /etc files are on the host.
   */
  inspect(ref: string) {
    const c = this.ctx.state.lookupContainer(ref);
    return { ...this.withNetwork(c), files: containerFiles(this.ctx, c.config.id) };
  }
  list(opts: ListFilters) { return listContainers(this.ctx, opts).map((c) => this.withNetwork(c)); }
  private withNetwork(c: ContainerRecord) {
    return { ...c, networkSettings: containerNetworkSettings(this.ctx, c), ...(c.config.links?.length ? { links: linkViews(this.ctx, c) } : {}) };
  }
  rename(ref: string, newName: string) {
    const rec = this.ctx.state.lookupContainer(ref);
    this.ctx.state.rename(rec.config.id, newName);
    this.ctx.events.emit('container', 'rename', rec.config.id, { name: newName, oldName: rec.name });
  }
  attach(ref: string, opts: { stdin: boolean }) { return attachContainer(this.ctx, ref, opts); }
  resize(ref: string, rows: number, cols: number) { return resizeContainer(this.ctx, ref, rows, cols); }
  logs(ref: string, opts: LogOptions, signal?: AbortSignal) { return readLogs(this.ctx, ref, opts, signal); }
  createExec(ref: string, req: ExecRequest) { return createExec(this.ctx, ref, req); }
  startExec(execId: string) { return startExec(this.ctx, execId); }
  inspectExec(execId: string) { return inspectExec(execId); }
  top(ref: string) { return topContainer(this.ctx, ref); }
  update(ref: string, resources: ResourceLimits) { return updateContainer(this.ctx, ref, resources); }
  setRestartPolicy(ref: string, policy: RestartPolicyRequest) { return setRestartPolicy(this.ctx, ref, policy); }
  stats(ref: string) { return containerStats(this.ctx, ref); }
  statsStream(ref: string, signal?: AbortSignal) { return streamStats(this.ctx, ref, { signal }); }
  statsAll() { return allStats(this.ctx); }
  copyFrom(ref: string, path: string) { return copyFrom(this.ctx, ref, path); }
  copyTo(ref: string, path: string, tar: Readable) { return copyTo(this.ctx, ref, path, tar); }
  statPath(ref: string, path: string) { return statPath(this.ctx, ref, path); }
  diff(ref: string) { return diffContainer(this.ctx, ref); }
  replace(ref: string, opts?: ReplaceOptions) { return this.flushed(replaceContainer(this.ctx, ref, opts)); }
  export(ref: string) { return exportContainer(this.ctx, ref); }
  commit(ref: string, req: CommitRequest) { return commitContainer(this.ctx, ref, req); }
  // --- prunes, each with docker's filters (until=, label=, label!=; engine/sprawl/prune-filters.ts) ---
  /** Parses prune filters for a caller that selects records itself (the Docker API's image lineage). */
  pruneFilter(filters: Filters | undefined, kind: PruneKind) { return parsePruneFilters(filters, kind); }
  /** Stopped containers. */
  pruneContainers(filters?: Filters) { return pruneContainersFiltered(this.ctx, filters); }
  /** Dangling images (every unused one with `all` or dangling=false). */
  pruneImages(filters?: Filters, opts: { all?: boolean } = {}) { return pruneImagesFiltered(this.ctx, filters, opts); }
  /** Unused volumes (only anonymous ones with `anonymousOnly` unless all=true, docker's default). */
  pruneVolumes(filters?: Filters, opts: { anonymousOnly?: boolean } = {}) { return pruneVolumesFiltered(this.ctx, filters, opts); }
  /** Build cache entries and their untagged, unused step images. */
  pruneBuildCache(filters?: Filters) { return pruneBuildCache(this.ctx, filters); }

  /** Builds an image from a context tar; the build drives this engine through its BuildHost port. */
  build(req: BuildRequest, context: Readable, emit: (e: BuildEvent) => void) {
    return runBuild({ images: this.ctx.images, imageStore: this.ctx.state, create: (r) => this.create(r), start: (r) => this.start(r),
      wait: (r, c) => this.wait(r, c), logs: (r, o) => this.logs(r, o), commit: (r, q) => this.commit(r, q),
      remove: (r, o) => this.remove(r, o) }, req, context, emit);
  }

  /** The engine's security policy (`policy show`), and the existing containers a policy would refuse (`policy check`). */
  policyShow() { return showPolicy(this.ctx); }
  policyCheck(policy?: PolicyInput) { return checkPolicy(this.ctx, policy); }

  /** The CPU and memory allocation map (`bulkhead alloc`). */
  allocation() { return allocationMap(this.ctx); }
  /** The static interference graph of the running containers (all, or the paths touching `focus`). */
  interference(focus: string[] = [], topPerResource?: number) { return staticInterference(this.ctx, focus, topPerResource); }
  /** A measurement run whose probes are containers of this engine (all removed at the end). */
  measureInterference(opts: Partial<MeasureOptions>, progress?: (line: string) => void, signal?: AbortSignal) {
    return measureInterference(this.ctx, opts, progress, signal);
  }

  // --- networks ---
  createNetwork(req: NetworkCreateRequest) { return createNetwork(this.ctx, req).then((n) => networkView(this.ctx, n)); }
  listNetworks() { return this.ctx.state.listNetworks().map((n) => networkView(this.ctx, n)); }
  inspectNetwork(ref: string) { return networkView(this.ctx, this.ctx.state.lookupNetwork(ref)); }
  removeNetwork(ref: string) { return removeNetwork(this.ctx, ref); }
  pruneNetworks(filters?: Filters) { return pruneNetworksFiltered(this.ctx, filters); }
  connect(network: string, container: string, opts: { aliases?: string[]; ip?: string } = {}) {
    return connectContainer(this.ctx, network, container, opts);
  }
  disconnect(network: string, container: string) { return disconnectContainer(this.ctx, network, container); }
  /** Docker's NetworkSettings of a container (addresses, published ports), for inspect and `port`. */
  networkSettings(ref: string) { return containerNetworkSettings(this.ctx, this.ctx.state.lookupContainer(ref)); }

  /** Whether any container (in any state) uses the image or the volume; those are not removed without force. */
  imageInUse(imageId: string): boolean { return inUse.imageInUse(this.ctx, imageId); }
  volumeInUse(name: string): boolean { return inUse.volumeInUse(this.ctx, name); }
}
