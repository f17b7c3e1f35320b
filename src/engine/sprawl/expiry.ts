// `--expire DURATION`: a container's time to live, counted from its creation (docker has no such flag). The
// deadline is written into the container's config at create (config.expiresAt), so the records are the only
// truth: one timer waits for the earliest deadline of all records, and is re-armed after every create, at
// every expiry and at Engine.open — where a deadline that passed while the daemon was down fires at once.
// An expired container is stopped (its stop signal and timeout), removed with its anonymous volumes, and an
// `expire` event says why it went.
import { errorKind, parseDuration, InvalidArgumentError } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import { stopContainer } from '../containers/stop.js';
import { removeContainer } from '../containers/remove.js';

/** setTimeout's ceiling (about 24.8 days); a later deadline is simply waited for in several steps. */
const MAX_DELAY = 2 ** 31 - 1;
/** A container whose expiry failed (it could not be stopped or removed) is tried again this much later. */
const RETRY_MS = 30_000;

/** The absolute deadline for `--expire DURATION` given at `created` (ISO); one-line errors for bad durations. */
export function expiryDeadline(expire: string, created: string): string {
  const ms = parseDuration(expire, '--expire');
  if (!(ms >= 1000)) throw new InvalidArgumentError(`invalid --expire "${expire}": give at least one second, such as 30s, 10m or 24h`);
  return new Date(Date.parse(created) + ms).toISOString();
}

export class ExpiryScheduler {
  private timer?: NodeJS.Timeout;
  private closed = false;
  private running = false;
  /** Failed expiries: id → not before (ms). */
  private readonly retryAfter = new Map<string, number>();

  constructor(private readonly ctx: EngineContext) {}

  /** Arms the timer for the earliest deadline among the records (call after a create, and at open). */
  schedule(): void {
    if (this.closed || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = Math.min(...this.deadlines().map((d) => d.at));
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => void this.fire(), Math.min(MAX_DELAY, Math.max(0, next - Date.now())));
    this.timer.unref(); // the daemon's own server keeps it alive; an engine in a test must not be held open
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private deadlines(): Array<{ id: string; at: number }> {
    return this.ctx.state.listContainers().filter((c) => c.config.expiresAt && c.state.status !== 'removing')
      .map((c) => ({ id: c.config.id, at: Math.max(Date.parse(c.config.expiresAt!), this.retryAfter.get(c.config.id) ?? 0) }));
  }

  private async fire(): Promise<void> {
    this.running = true;
    try {
      for (const { id, at } of this.deadlines()) {
        if (this.closed) return;
        if (at <= Date.now()) await this.expire(id);
      }
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async expire(id: string): Promise<void> {
    const rec = this.ctx.state.getContainer(id);
    if (!rec) return;
    this.ctx.events.emit('container', 'expire', id, { name: rec.name, image: rec.config.image, expiresAt: rec.config.expiresAt ?? '' });
    try {
      if (rec.state.status === 'running' || rec.state.status === 'paused') await stopContainer(this.ctx, id);
      await removeContainer(this.ctx, id, { force: true, volumes: true });
      this.retryAfter.delete(id);
    } catch (err) {
      if (errorKind(err) === 'NotFound') { this.retryAfter.delete(id); return; }
      this.retryAfter.set(id, Date.now() + RETRY_MS);
      this.ctx.opts.notice?.(`expire container ${rec.name}: ${err instanceof Error ? err.message : String(err)} (trying again in ${RETRY_MS / 1000}s)`);
    }
  }
}
