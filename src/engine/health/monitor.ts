// One probe loop per running container with a health check. A loop is a chain of timers (never two probes of one
// container at once); each loop has its own identity, so a probe that finishes after its container exited, was
// removed or was started again records nothing. Results are saved under the container's lock, which the probe
// itself does not hold while it runs (a slow probe never delays stop or rm).
import type { HealthcheckConfig, HealthStatus } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import { restartContainer, stopContainer } from '../containers/stop.js';
import { applyProbe, startingHealth } from './evaluate.js';
import { runProbe } from './probe.js';

interface Loop { timer?: NodeJS.Timeout }

export class HealthMonitor {
  private readonly loops = new Map<string, Loop>();
  private closed = false;

  constructor(private readonly context: () => EngineContext) {}

  /** Just after a start, with the container's lock held: health is "starting" again and the probes begin. */
  begin(id: string): void {
    const ctx = this.context();
    const rec = ctx.state.getContainer(id);
    if (!rec?.config.healthcheck || this.closed) return;
    ctx.state.saveState(id, { ...rec.state, health: startingHealth(rec.state.health) });
    this.loop(id);
  }

  /** At engine open: the running containers keep the health they had and are probed again. */
  resumeRunning(): void {
    const ctx = this.context();
    for (const c of ctx.state.listContainers()) {
      if (!c.config.healthcheck || (c.state.status !== 'running' && c.state.status !== 'paused')) continue;
      if (!c.state.health) ctx.state.saveState(c.config.id, { ...c.state, health: startingHealth() });
      this.loop(c.config.id);
    }
  }

  /** The container exited or is being removed: no more probes (the last health stays on the record). */
  stop(id: string): void {
    const loop = this.loops.get(id);
    if (loop?.timer) clearTimeout(loop.timer);
    this.loops.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.loops.keys()]) this.stop(id);
  }

  private loop(id: string): void {
    this.stop(id);
    const loop: Loop = {};
    this.loops.set(id, loop);
    this.schedule(id, loop);
  }

  private schedule(id: string, loop: Loop): void {
    const rec = this.context().state.getContainer(id);
    const hc = rec?.config.healthcheck;
    if (!rec || !hc || this.loops.get(id) !== loop) return;
    // docker: while still "starting" inside the start period, probe at the start interval.
    const starting = rec.state.health?.status === 'starting' && Date.now() - Date.parse(rec.state.startedAt) < hc.startPeriodMs;
    loop.timer = setTimeout(() => void this.probe(id, loop, hc), starting ? hc.startIntervalMs : hc.intervalMs);
    loop.timer.unref();
  }

  private async probe(id: string, loop: Loop, hc: HealthcheckConfig): Promise<void> {
    const ctx = this.context();
    const current = () => this.loops.get(id) === loop && !this.closed;
    const rec = ctx.state.getContainer(id);
    if (!current() || !rec) return;
    if (rec.state.status !== 'running') { this.schedule(id, loop); return; } // paused: no probe, as its exec could not run
    const result = await runProbe(ctx, rec, hc);
    let became: HealthStatus | undefined;
    await ctx.locks.run(id, async () => {
      if (!current()) return; // stopped meanwhile (exit, rm, the engine's close): this result belongs to nobody
      const now = ctx.state.getContainer(id);
      if (!now || now.state.status !== 'running') return;
      const before = now.state.health ?? startingHealth();
      const inStartPeriod = Date.parse(result.start) - Date.parse(now.state.startedAt) < hc.startPeriodMs;
      const after = applyProbe(before, result, { retries: hc.retries, inStartPeriod });
      ctx.state.saveState(id, { ...now.state, health: after });
      if (after.status !== before.status) became = after.status;
    });
    if (became) {
      ctx.events.emit('container', `health_status: ${became}`, id, { name: rec.name, image: rec.config.image });
      if (became === 'unhealthy') await this.onUnhealthy(ctx, id, rec.name, hc.onFailure);
    }
    this.schedule(id, loop);
  }

  /** podman's --health-on-failure: kill lets the restart policy act; stop is a manual stop; restart is `restart`. */
  private async onUnhealthy(ctx: EngineContext, id: string, name: string, action: HealthcheckConfig['onFailure']): Promise<void> {
    try {
      if (action === 'kill') await ctx.runtime.kill(id, 'SIGKILL', true);
      else if (action === 'stop') await stopContainer(ctx, id);
      else if (action === 'restart') await restartContainer(ctx, id);
    } catch (err) {
      ctx.opts.notice?.(`health check of ${name}: --health-on-failure=${action} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
