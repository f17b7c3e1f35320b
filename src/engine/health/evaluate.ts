// What one probe result does to the health state: docker's rules, pure. A success makes the container healthy and
// clears the streak; a failure lengthens the streak (except while still "starting" inside the start period) and
// `retries` failures in a row make it unhealthy. The log keeps the last five results.
import type { HealthResult, HealthState } from '../../core/index.js';

export const LOG_ENTRIES = 5;
export const OUTPUT_LIMIT = 4096;

export function startingHealth(previous?: HealthState): HealthState {
  return { status: 'starting', failingStreak: 0, log: previous?.log ?? [] };
}

export function applyProbe(state: HealthState, result: HealthResult, opts: { retries: number; inStartPeriod: boolean }): HealthState {
  const log = [...state.log, result].slice(-LOG_ENTRIES);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  if (state.status === 'starting' && opts.inStartPeriod) return { ...state, log };
  const failingStreak = state.failingStreak + 1;
  return { status: failingStreak >= opts.retries ? 'unhealthy' : state.status, failingStreak, log };
}
