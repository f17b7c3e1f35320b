// Completes conmon's rotations of the logs that keep more than one file (chain.ts): one inotify watch on the
// container's directory per such running container. conmon renames "<log>.tmp" over "<log>"; the watch sees that
// rename at once and the kept file is shifted into "<log>.1". Writes to the log also wake the watch (node cannot
// narrow inotify's mask), but inotify merges repeated events that are not yet read, so a busy log costs one wake-up
// per turn of the event loop at most, and only for containers with log options.
//
// While the daemon is down conmon goes on enforcing max-size; the file it replaces first stays kept, later ones are
// lost, and the next open settles the chain (resumeRunning, or recordExit for a container that exited meanwhile).
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ContainerConfig } from '../../core/index.js';
import { containerPaths, type EngineContext } from '../context.js';
import { logLimits } from './options.js';
import { settleRotation } from './chain.js';

export class LogRotator {
  private readonly watches = new Map<string, FSWatcher>();
  private closed = false;

  constructor(private readonly context: () => EngineContext) {}

  /** Just after a start (and at engine open for running containers): rotations are completed as they happen. */
  begin(id: string, config: ContainerConfig): void {
    const chain = this.chainOf(id, config);
    if (!chain || this.closed) return;
    this.unwatch(id);
    const watcher = watch(dirname(chain.log), (event, name) => {
      if (event === 'rename' && name === basename(chain.log)) this.settle(id, chain);
    });
    watcher.on('error', () => this.unwatch(id)); // the directory went away: the container is being removed
    this.watches.set(id, watcher);
    this.settle(id, chain); // a rotation before the watch existed
  }

  resumeRunning(): void {
    for (const c of this.context().state.listContainers()) {
      if (c.state.status === 'running' || c.state.status === 'paused') this.begin(c.config.id, c.config);
    }
  }

  /** The container exited: its last rotation is completed, and the watch ends. */
  end(id: string, config: ContainerConfig): void {
    this.unwatch(id);
    const chain = this.chainOf(id, config);
    if (chain) this.settle(id, chain);
  }

  unwatch(id: string): void {
    this.watches.get(id)?.close();
    this.watches.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }

  /** The log and its max-file, for a container whose log keeps more than one file. */
  private chainOf(id: string, config: ContainerConfig): { log: string; maxFile: number } | undefined {
    const limits = logLimits(config);
    return limits && limits.maxFile > 1 ? { log: containerPaths(this.context(), id).logPath, maxFile: limits.maxFile } : undefined;
  }

  private settle(id: string, chain: { log: string; maxFile: number }): void {
    try {
      settleRotation(chain.log, chain.maxFile);
    } catch (err) {
      this.context().opts.notice?.(`log rotation of ${id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
