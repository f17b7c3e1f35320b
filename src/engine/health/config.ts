// The health check a container runs: the image's HEALTHCHECK (docker's image config, durations in ns) merged field by
// field with the user's --health-* flags (ms), as docker merges them; then defaults. Test ["NONE"] from either
// side means no health check.
import { InvalidArgumentError, type HealthcheckConfig } from '../../core/index.js';
import type { HealthcheckRequest } from '../types.js';

export const DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 } as const;
const ACTIONS: ReadonlyArray<HealthcheckConfig['onFailure']> = ['none', 'kill', 'restart', 'stop'];

/** The health check to record for a new container, or undefined for none. */
export function resolveHealthcheck(req: HealthcheckRequest | undefined, image: Record<string, unknown> | undefined): HealthcheckConfig | undefined {
  const fromImage = imageHealthcheck(image);
  const r = req ?? {};
  for (const key of ['intervalMs', 'timeoutMs', 'startPeriodMs', 'startIntervalMs', 'retries'] as const) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new InvalidArgumentError(`invalid health check: ${flagName(key)} must not be negative`);
    }
  }
  for (const key of ['intervalMs', 'timeoutMs', 'startPeriodMs', 'startIntervalMs'] as const) {
    const v = r[key];
    if (v !== undefined && v > 0 && v < 1) throw new InvalidArgumentError(`invalid health check: ${flagName(key)} cannot be less than 1ms`);
  }
  if (r.retries !== undefined && !Number.isInteger(r.retries)) throw new InvalidArgumentError('invalid health check: --health-retries must be a whole number');
  const onFailure = (r.onFailure ?? 'none') as HealthcheckConfig['onFailure'];
  if (!ACTIONS.includes(onFailure)) throw new InvalidArgumentError(`invalid --health-on-failure "${r.onFailure}": use none, kill, restart or stop`);
  const test = r.test?.length ? r.test : fromImage.test;
  if (!test?.length || test[0] === 'NONE') {
    if (onFailure !== 'none') throw new InvalidArgumentError('--health-on-failure needs a health check (--health-cmd or the image\'s HEALTHCHECK)');
    return undefined;
  }
  checkTest(test);
  const pick = (key: keyof typeof DEFAULTS) => (r[key] || fromImage[key] || DEFAULTS[key]);
  return {
    test, intervalMs: pick('intervalMs'), timeoutMs: pick('timeoutMs'), retries: pick('retries'),
    startPeriodMs: pick('startPeriodMs'), startIntervalMs: pick('startIntervalMs'), onFailure,
  };
}

/** The command a probe runs inside the container. */
export function probeCommand(test: string[]): string[] {
  return test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1]!] : test.slice(1);
}

function checkTest(test: string[]): void {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return;
  if (kind === 'CMD-SHELL' && rest.length === 1 && rest[0]) return;
  throw new InvalidArgumentError(`invalid health check test ${JSON.stringify(test)}: use ["CMD", arg…], ["CMD-SHELL", command] or ["NONE"]`);
}

/** Docker's image Healthcheck ({Test, Interval, Timeout, StartPeriod, StartInterval: ns; Retries}) in ms. */
function imageHealthcheck(hc: Record<string, unknown> | undefined): HealthcheckRequest {
  if (!hc) return {};
  const ms = (v: unknown) => (typeof v === 'number' && v > 0 ? v / 1e6 : undefined);
  return {
    test: Array.isArray(hc.Test) ? (hc.Test as string[]) : undefined,
    intervalMs: ms(hc.Interval), timeoutMs: ms(hc.Timeout), startPeriodMs: ms(hc.StartPeriod), startIntervalMs: ms(hc.StartInterval),
    retries: typeof hc.Retries === 'number' && hc.Retries > 0 ? hc.Retries : undefined,
  };
}

function flagName(key: string): string {
  return `--health-${key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
