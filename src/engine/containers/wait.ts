// Waiting for a container to reach a condition, driven by the engine's own events so that a waiter can never
// miss an exit that happens between checking the state and subscribing.
import { InvalidArgumentError, NotFoundError } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import type { EngineEvent } from '../events.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  exitCode: number;
  oomKilled: boolean;
}

/**
 * Subscribes now and returns a promise for the condition; callers that must be sure the wait is armed before they
 * act (run: wait, then start) call this first and await the promise afterwards.
 */
export function armWait(ctx: EngineContext, id: string, condition: WaitCondition, timeoutMs?: number, signal?: AbortSignal): Promise<WaitResult> {
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
    throw new InvalidArgumentError(`invalid wait condition "${condition}": use not-running, next-exit or removed`);
  }
  return new Promise<WaitResult>((resolve, reject) => {
    let last: WaitResult | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: WaitResult | Error) => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (result instanceof Error) reject(result); else resolve(result);
    };
    const unsubscribe = ctx.events.subscribe((e: EngineEvent) => {
      if (e.type !== 'container' || e.id !== id) return;
      if (e.action === 'die') {
        last = { exitCode: Number(e.attributes.exitCode ?? 0), oomKilled: e.attributes.oomKilled === 'true' };
        if (condition !== 'removed') finish(last);
      } else if (e.action === 'destroy') {
        finish(last ?? { exitCode: Number(e.attributes.exitCode ?? 0), oomKilled: false });
      }
    });
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(new Error('timed out')), timeoutMs);
    // A waiter that gives up (its client left, or the start it waited for failed) must not stay subscribed.
    signal?.addEventListener('abort', () => finish(new Error('wait cancelled')), { once: true });
    const rec = ctx.state.getContainer(id);
    if (!rec) {
      if (condition === 'removed') finish({ exitCode: 0, oomKilled: false });
      else finish(new NotFoundError(`no such container: ${id}`));
      return;
    }
    const stopped = rec.state.status === 'created' || rec.state.status === 'exited';
    if (condition === 'not-running' && stopped) finish({ exitCode: rec.state.exitCode, oomKilled: rec.state.oomKilled });
  });
}
