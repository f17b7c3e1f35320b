// Watches the directory where conmon writes exit files. conmon (not the daemon) records every exit, so an exit
// that happens while the daemon is down is still found: at start-up by reconcile, afterwards by this watcher.
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';

// inotify can drop events under load; a slow sweep makes a missed exit late, never lost.
const SWEEP_MS = 2000;

export class ExitWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(private readonly dir: string, private readonly onExitFile: (id: string) => void) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.watcher = watch(this.dir, (_event, filename) => {
      if (filename && /^[0-9a-f]{64}$/.test(filename)) this.onExitFile(filename);
    });
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** Reports every exit file present now (used at start-up and by the periodic sweep). */
  async sweep(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) if (/^[0-9a-f]{64}$/.test(name)) this.onExitFile(name);
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}
