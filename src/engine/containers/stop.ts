// Stopping, killing, restarting, pausing: signals go through the runtime; the exit itself is recorded by the
// exit path (exit.ts), so stop waits for that record instead of guessing from the signal.
import { ConflictError, InvalidArgumentError, wrap } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import { armWait } from './wait.js';
import { startContainer } from './start.js';

function mustBeActive(ctx: EngineContext, ref: string) {
  const rec = ctx.state.lookupContainer(ref);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
    throw new ConflictError(`container "${rec.name}" is not running`);
  }
  return rec;
}

export function normalizeSignal(signal: string): string {
  const s = signal.toUpperCase();
  if (/^\d+$/.test(s)) {
    if (Number(s) < 1 || Number(s) > 64) throw new InvalidArgumentError(`invalid signal "${signal}"`);
    return s;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!/^SIG(HUP|INT|QUIT|ILL|TRAP|ABRT|BUS|FPE|KILL|USR1|SEGV|USR2|PIPE|ALRM|TERM|STKFLT|CHLD|CONT|STOP|TSTP|TTIN|TTOU|URG|XCPU|XFSZ|VTALRM|PROF|WINCH|IO|PWR|SYS|RTMIN(\+\d+)?|RTMAX(-\d+)?)$/.test(name)) {
    throw new InvalidArgumentError(`invalid signal "${signal}"`);
  }
  return name;
}

export async function killContainer(ctx: EngineContext, ref: string, signal = 'SIGKILL'): Promise<void> {
  const sig = normalizeSignal(signal);
  const rec = mustBeActive(ctx, ref);
  await ctx.locks.run(rec.config.id, async () => {
    // docker: a kill with SIGKILL or the stop signal counts as a manual stop (the restart policy is suspended).
    if (sig === 'SIGKILL' || sig === normalizeSignal(rec.config.stopSignal)) ctx.restart.manualStop(rec.config.id);
    await ctx.runtime.kill(rec.config.id, sig, true).catch((err) => { throw wrap(err, `kill container ${rec.name}`); });
  });
  ctx.events.emit('container', 'kill', rec.config.id, { name: rec.name, image: rec.config.image, signal: sig });
}

/** SIGTERM (or the image's stop signal), then SIGKILL after the timeout; a stopped container is left as it is. */
export async function stopContainer(ctx: EngineContext, ref: string, timeoutSeconds?: number): Promise<void> {
  const rec = ctx.state.lookupContainer(ref);
  const id = rec.config.id;
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
    // Waiting for its restart policy's next attempt: the stop cancels it (unless that attempt just started it).
    const started = await ctx.locks.run(id, async () => {
      const now = ctx.state.getContainer(id);
      if (now?.state.status === 'running' || now?.state.status === 'paused') return true;
      if (now?.state.restarting) ctx.restart.manualStop(id);
      return false;
    });
    if (!started) return;
  }
  const timeout = timeoutSeconds ?? rec.config.stopTimeout;
  const exited = armWait(ctx, id, 'not-running');
  await ctx.locks.run(id, async () => {
    ctx.restart.manualStop(id); // before the signal: the exit it causes is not the restart policy's to undo
    if (rec.state.status === 'paused') await ctx.runtime.resume(id).catch(() => undefined);
    await ctx.runtime.kill(id, normalizeSignal(rec.config.stopSignal), false).catch(() => undefined);
  });
  const graceful = await Promise.race([exited.then(() => true), delay(timeout * 1000).then(() => false)]);
  if (!graceful) {
    await ctx.runtime.kill(id, 'SIGKILL', true).catch(() => undefined);
    await exited;
  }
  // The exit is announced before its cleanup (unmount, runtime record) finishes under the container's lock;
  // taking the lock once more means `stop` returns a fully stopped container.
  await ctx.locks.run(id, async () => undefined);
  ctx.events.emit('container', 'stop', id, { name: rec.name, image: rec.config.image });
}

export async function restartContainer(ctx: EngineContext, ref: string, timeoutSeconds?: number): Promise<void> {
  await stopContainer(ctx, ref, timeoutSeconds);
  await startContainer(ctx, ref);
  ctx.events.emit('container', 'restart', ctx.state.lookupContainer(ref).config.id, {});
}

export async function pauseContainer(ctx: EngineContext, ref: string, pause: boolean): Promise<void> {
  const rec = mustBeActive(ctx, ref);
  const id = rec.config.id;
  await ctx.locks.run(id, async () => {
    const current = ctx.state.getContainer(id)!;
    if (pause && current.state.status === 'paused') throw new ConflictError(`container "${rec.name}" is already paused`);
    if (!pause && current.state.status !== 'paused') throw new ConflictError(`container "${rec.name}" is not paused`);
    if (pause) await ctx.runtime.pause(id); else await ctx.runtime.resume(id);
    ctx.state.saveState(id, { ...current.state, status: pause ? 'paused' : 'running' });
  });
  ctx.events.emit('container', pause ? 'pause' : 'unpause', id, { name: rec.name, image: rec.config.image });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
