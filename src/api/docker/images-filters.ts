// Filter values the image and volume lists and prunes read beyond what filters.ts parses: true/false
// switches (dangling, all), Docker's image reference patterns, and `until` times.
import { InvalidArgumentError, parseDuration } from '../../core/index.js';
import type { Filters } from './filters.js';

/** A true/false filter (dangling, all); undefined when absent. */
export function boolFilter(f: Filters, key: string): boolean | undefined {
  const values = f[key];
  if (!values) return undefined;
  const parsed = values.map((v) => {
    const lower = v.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    throw new InvalidArgumentError(`invalid filter '${key}=${v}': use true or false`);
  });
  if (parsed.some((p) => p !== parsed[0])) throw new InvalidArgumentError(`invalid filter '${key}': both true and false given`);
  return parsed[0];
}

/** Go's path.Match: `*` and `?` stop at "/", `[…]` is a class. Used for reference= patterns. */
export function globMatch(pattern: string, text: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) throw new InvalidArgumentError(`invalid reference filter "${pattern}": unclosed [`);
      // Go negates a class with "^", as JavaScript does; only backslashes need escaping.
      re += `[${pattern.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(text);
}

/** An `until` value as unix milliseconds: a Go duration before now ("24h"), unix seconds, or an RFC 3339 time. */
export function untilMillis(f: Filters): number | undefined {
  const values = f.until;
  if (!values) return undefined;
  if (values.length > 1) throw new InvalidArgumentError('invalid filter \'until\': give one value');
  const v = values[0]!;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (!Number.isNaN(date) && /^\d{4}-/.test(v)) return date;
  return Date.now() - parseDuration(v, "filter 'until'");
}
