// Resolution of what users type for a container or network (full id, unique id prefix, or name), shared by every
// store.
import { InvalidArgumentError, NotFoundError } from '../core/index.js';

export function lookupByRef<T>(ref: string, byName: (name: string) => T | undefined, byIdPrefix: (prefix: string) => T[],
  what = 'container'): T {
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const named = byName(name);
  if (named) return named;
  if (/^[0-9a-f]{1,64}$/.test(ref)) {
    const matches = byIdPrefix(ref);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new InvalidArgumentError(`${what} id prefix "${ref}" is ambiguous: ${matches.length} ${what}s match`);
  }
  throw new NotFoundError(`no such ${what}: ${ref}`);
}
