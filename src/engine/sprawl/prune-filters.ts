// Docker's prune filters, parsed once and applied the same way to every kind of record: `until` (a duration
// before now such as 10m or 24h, an RFC 3339 time, or unix seconds) keeps what was created at or after that
// moment; `label=k` / `label=k=v` must all match; `label!=k` / `label!=k=v` exclude a record when any of them
// matches (docker excludes only when all match; "any" is what a user listing two exclusions means). Bad keys
// and values fail with one line naming them, before anything is removed.
import { InvalidArgumentError, parseDuration } from '../../core/index.js';

/** key → values, as docker's `filters` JSON and the CLI's repeated `--filter key=value` give them. */
export type Filters = Record<string, string[]>;

/** What each prune accepts (docker's set, plus until= for volumes and label= for the build cache). */
export const PRUNE_FILTER_KEYS = {
  container: ['until', 'label', 'label!'],
  image: ['until', 'label', 'label!', 'dangling'],
  volume: ['until', 'label', 'label!', 'all'],
  network: ['until', 'label', 'label!'],
  'build cache': ['until', 'label', 'label!'],
  system: ['until', 'label', 'label!'],
} as const;
export type PruneKind = keyof typeof PRUNE_FILTER_KEYS;

/** A record a prune filter can judge: its labels and its creation time (ISO). */
export interface Prunable {
  labels: Record<string, string>;
  created: string;
}

export interface PruneFilter {
  /** Unix milliseconds: only records created before it are pruned. */
  until?: number;
  labels: string[];
  notLabels: string[];
  /** dangling= / all= switches, when given. */
  switches: Record<string, boolean>;
  matches(r: Prunable): boolean;
}

export function parsePruneFilters(filters: Filters | undefined, kind: PruneKind, now = Date.now()): PruneFilter {
  const f = filters ?? {};
  const allowed: readonly string[] = PRUNE_FILTER_KEYS[kind];
  for (const [key, values] of Object.entries(f)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`invalid filter "${key}" for ${kind} prune: supported are ${allowed.join(', ')}`);
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new InvalidArgumentError(`invalid filter "${key}": expected a list of strings`);
  }
  if ((f.until?.length ?? 0) > 1) throw new InvalidArgumentError(`invalid filter "until": give one value, not ${f.until!.length}`);
  const until = f.until?.length ? parseUntil(f.until[0]!, now) : undefined;
  const labels = (f.label ?? []).map((v) => checkLabel('label', v));
  const notLabels = (f['label!'] ?? []).map((v) => checkLabel('label!', v));
  const switches: Record<string, boolean> = {};
  for (const key of ['dangling', 'all']) if (f[key]?.length) switches[key] = parseSwitch(key, f[key]!);
  return {
    until, labels, notLabels, switches,
    matches: (r) => (until === undefined || Date.parse(r.created) < until)
      && labels.every((l) => labelMatches(r.labels, l))
      && !notLabels.some((l) => labelMatches(r.labels, l)),
  };
}

/**
 * docker's timestamp forms: unix seconds with an optional fraction, an RFC 3339 time or date (local time
 * without a zone), else a Go duration before now.
 */
export function parseUntil(value: string, now = Date.now()): number {
  const v = value.trim();
  const bad = () => new InvalidArgumentError(`invalid filter "until=${value}": expected a duration such as 10m or 24h, an RFC 3339 time or unix seconds`);
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    // A date alone is midnight local time, as docker reads it (Date.parse would take it as UTC).
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00`) : Date.parse(v);
    if (Number.isNaN(ms)) throw bad();
    return ms;
  }
  try {
    return now - parseDuration(v, 'until');
  } catch {
    throw bad();
  }
}

/** label=KEY or label=KEY=VALUE against a label map. */
export function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq === -1 ? Object.hasOwn(labels, want) : labels[want.slice(0, eq)] === want.slice(eq + 1);
}

function checkLabel(key: string, value: string): string {
  if (value === '' || value.startsWith('=')) throw new InvalidArgumentError(`invalid filter "${key}=${value}": expected ${key}=KEY or ${key}=KEY=VALUE`);
  return value;
}

function parseSwitch(key: string, values: string[]): boolean {
  const parsed = values.map((v) => {
    const lower = v.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    throw new InvalidArgumentError(`invalid filter "${key}=${v}": use true or false`);
  });
  if (parsed.some((p) => p !== parsed[0])) throw new InvalidArgumentError(`invalid filter "${key}": both true and false given`);
  return parsed[0]!;
}
