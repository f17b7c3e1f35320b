// The restart decision, kept pure so every policy and the back-off can be tested without a container: given what
// the policy says and how the container ended, restart or not, and after how long. Docker's restart manager
// semantics: the delay starts at 100 ms and doubles up to one minute; a run of 10 s or more resets it.
import { InvalidArgumentError, type RestartPolicy } from '../../core/index.js';

export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
/** A run at least this long counts as a success of the back-off: the next delay starts again at 100 ms. */
export const RESET_AFTER_MS = 10_000;

const NAMES: ReadonlyArray<RestartPolicy['name']> = ['no', 'on-failure', 'always', 'unless-stopped'];

export interface ExitFacts {
  exitCode: number;
  manuallyStopped: boolean;   // stop/kill by the user: no policy restarts it while the engine runs
  restartCount: number;       // restarts since the last manual start
  ranMs: number;              // how long the run that just ended lasted
  previousDelayMs: number;    // the last back-off delay used (0 when none yet)
}

export interface RestartDecision {
  restart: boolean;
  delayMs: number;            // the delay to wait (also the next `previousDelayMs`, restart or not)
}

/** The next back-off delay after `previousMs`: 100 ms, then doubling, capped at a minute; reset by a long run. */
export function nextDelay(previousMs: number, ranMs: number): number {
  const prev = ranMs >= RESET_AFTER_MS ? 0 : previousMs;
  return prev <= 0 ? FIRST_DELAY_MS : Math.min(prev * 2, MAX_DELAY_MS);
}

/** Whether the policy restarts a container that has just exited while the engine runs. */
export function decideRestart(policy: RestartPolicy | undefined, facts: ExitFacts): RestartDecision {
  const delayMs = nextDelay(facts.previousDelayMs, facts.ranMs);
  return { restart: policyWants(policy, facts), delayMs };
}

function policyWants(policy: RestartPolicy | undefined, f: ExitFacts): boolean {
  if (!policy || policy.name === 'no' || f.manuallyStopped) return false;
  if (policy.name === 'on-failure') {
    const max = policy.maximumRetryCount;
    return f.exitCode !== 0 && (max === 0 || f.restartCount < max);
  }
  return true; // always, unless-stopped
}

/**
 * Whether an exited container comes back when the engine starts: `always` even after a manual stop (docker:
 * "restarted when the daemon restarts"), `unless-stopped` unless stopped by hand, `on-failure` when its last
 * exit was a failure within its retries and nobody stopped it.
 */
export function restartsAtBoot(policy: RestartPolicy | undefined, s: { exitCode: number; manuallyStopped: boolean; restartCount: number }): boolean {
  if (!policy || policy.name === 'no') return false;
  if (policy.name === 'always') return true;
  return policyWants(policy, { ...s, ranMs: 0, previousDelayMs: 0 });
}

/** What an API asks for; the types are checked here too, so routes can pass a request body as it came. */
export interface RestartPolicyRequest { name?: unknown; maximumRetryCount?: unknown }

/** Validates a requested policy into its record form; absent or "no" is recorded as nothing. */
export function validateRestartPolicy(req: RestartPolicyRequest | undefined): RestartPolicy | undefined {
  if (req && (typeof req.name !== 'string' || (req.maximumRetryCount !== undefined && typeof req.maximumRetryCount !== 'number'))) {
    throw new InvalidArgumentError('invalid restart policy: expected {"name": string, "maximumRetryCount"?: number}');
  }
  return validPolicy(req as { name: string; maximumRetryCount?: number } | undefined);
}

/**
 * The pairs docker refuses, at create and at update alike: a container removed at its exit has nothing left to
 * restart, and one its health check restarts must not also have a policy doing it.
 */
export function checkRestartConflicts(policy: RestartPolicy | undefined, c: { autoRemove: boolean; healthOnFailure?: string }): void {
  if (!policy) return;
  if (c.autoRemove) {
    throw new InvalidArgumentError('conflicting options: --restart and --rm (--restart cannot be given to a container started '
      + 'with --rm, which is removed at its exit)');
  }
  if (c.healthOnFailure === 'restart') {
    throw new InvalidArgumentError('conflicting options: --health-on-failure=restart cannot be used with a --restart policy (use kill)');
  }
}

function validPolicy(req: { name: string; maximumRetryCount?: number } | undefined): RestartPolicy | undefined {
  if (!req || req.name === '' || req.name === 'no') {
    if (req?.maximumRetryCount) throw new InvalidArgumentError('invalid restart policy: a maximum retry count needs "on-failure"');
    return undefined;
  }
  const name = req.name as RestartPolicy['name'];
  if (!NAMES.includes(name)) throw new InvalidArgumentError(`invalid restart policy "${req.name}": use no, on-failure[:max-retries], always or unless-stopped`);
  const max = req.maximumRetryCount ?? 0;
  if (!Number.isInteger(max) || max < 0) throw new InvalidArgumentError(`invalid restart policy: maximum retry count ${String(max)} must be a whole number of 0 or more`);
  if (max > 0 && name !== 'on-failure') throw new InvalidArgumentError(`invalid restart policy: a maximum retry count cannot be used with "${name}"`);
  return { name, maximumRetryCount: max };
}
