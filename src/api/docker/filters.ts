// Docker's `filters` query parameter: JSON of key → values, sent either as {"key":{"value":true}} (every client
// since API 1.22) or as {"key":["value"]} (older ones). Both become key → string[].
import { InvalidArgumentError } from '../../core/index.js';

export type Filters = Record<string, string[]>;

export function parseFilters(text: string | null): Filters {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('invalid filters: not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidArgumentError('invalid filters: expected a JSON object');
  const out: Filters = {};
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value)) out[key] = value.map(String);
    else if (value !== null && typeof value === 'object') out[key] = Object.entries(value).filter(([, on]) => on).map(([v]) => v);
    else throw new InvalidArgumentError(`invalid filter "${key}": expected a list of values`);
  }
  return out;
}

/** Refuses filter keys outside `allowed`, naming them, so a typo is not silently an empty result. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`invalid filter "${key}" for ${what}: supported are ${allowed.join(', ')}`);
  }
}

/** label=key or label=key=value against a label map. */
export function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq === -1 ? want in labels : labels[want.slice(0, eq)] === want.slice(eq + 1);
}
