// The restart policy at work: the exit path asks it whether to bring a container back, and it keeps one back-off
// timer per container. Timers and back-off delays live in memory, as in docker's restart manager; what must survive
// the daemon (restarting, the count, a manual stop) is in the container's state, so a restart the daemon's exit
// interrupted is carried out at the next start (recoverAtOpen).
import type { EngineContext } from '../context.js';
import { startLocked } from '../containers/start.js';
import { decideRestart, restartsAtBoot } from './decision.js';

export class RestartManager {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();
  // Until the engine has opened (reconcile records exits before the networks are back), decisions are only
  // recorded; recoverAtOpen carries them out.
  private armed = false;
  private closed = false;

  constructor(private readonly context: () => EngineContext) {}

  /** After an exit is recorded and released; the caller holds the container's lock. */
  onExit(id: string): void {
    const ctx = this.context();
    const rec = ctx.state.getContainer(id);
    const policy = rec?.config.restartPolicy;
    if (!rec || !policy || rec.state.status !== 'exited' || rec.config.autoRemove) return;
    const ranMs = Date.parse(rec.state.finishedAt) - Date.parse(rec.state.startedAt);
    const decision = decideRestart(policy, {
      exitCode: rec.state.exitCode, manuallyStopped: rec.state.manuallyStopped ?? false, restartCount: rec.state.restartCount,
      ranMs: Number.isFinite(ranMs) ? ranMs : 0, previousDelayMs: this.delays.get(id) ?? 0,
    });
    this.delays.set(id, decision.delayMs);
    if (!decision.restart) return;
    ctx.state.saveState(id, { ...rec.state, restarting: true, restartCount: rec.state.restartCount + 1 });
    if (this.armed && !this.closed) this.arm(id, decision.delayMs);
  }

  /** A manual start (start, restart): a pending restart is dropped, and the back-off and the count start over. */
  manualStart(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
    const ctx = this.context();
    const rec = ctx.state.getContainer(id);
    if (!rec || rec.state.status === 'running' || rec.state.status === 'paused') return;
    if (rec.state.manuallyStopped || rec.state.restarting || rec.state.restartCount) {
      ctx.state.saveState(id, { ...rec.state, manuallyStopped: false, restarting: false, restartCount: 0 });
    }
  }

  /** A manual stop or kill (docker's "hasBeenManuallyStopped"): no policy restarts it until it is started again. */
  manualStop(id: string): void {
    this.cancel(id);
    const ctx = this.context();
    const rec = ctx.state.getContainer(id);
    if (rec) ctx.state.saveState(id, { ...rec.state, manuallyStopped: true, restarting: false });
  }

  /** Drops the pending restart of a container (rm); its delay too. */
  forget(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
  }

  /**
   * At engine start, after reconcile: starts the exited containers whose policy wants them back (restarts the
   * previous daemon left pending included). Returns the names started; failures become notices.
   */
  async recoverAtOpen(): Promise<string[]> {
    const ctx = this.context();
    this.armed = true;
    const started: string[] = [];
    for (const c of ctx.state.listContainers()) {
      const s = c.state;
      if (s.status !== 'exited' || c.config.autoRemove) continue;
      if (!s.restarting && !restartsAtBoot(c.config.restartPolicy, { exitCode: s.exitCode, manuallyStopped: s.manuallyStopped ?? false, restartCount: s.restartCount })) continue;
      if (await this.startNow(c.config.id)) started.push(c.name);
    }
    return started;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private cancel(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  private arm(id: string, delayMs: number): void {
    this.cancel(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.startNow(id, true);
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  /** Starts it under its lock if it is still exited (and, for a timer, still waiting for this restart). */
  private async startNow(id: string, onlyPending = false): Promise<boolean> {
    const ctx = this.context();
    return ctx.locks.run(id, async () => {
      if (this.closed) return false;
      const rec = ctx.state.getContainer(id);
      if (!rec || rec.state.status !== 'exited' || (onlyPending && !rec.state.restarting)) return false;
      try {
        await startLocked(ctx, id);
        return true;
      } catch (err) {
        // As docker: a restart that cannot start ends the policy's attempts; the error is on the container.
        ctx.opts.notice?.(`restart policy: starting ${rec.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        const now = ctx.state.getContainer(id);
        if (now) ctx.state.saveState(id, { ...now.state, restarting: false });
        return false;
      }
    }).catch(() => false);
  }
}
