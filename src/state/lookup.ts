// Resolution of what users type for a container (full id, unique id prefix, or name), shared by every store.
import { InvalidArgumentError, NotFoundError, type ContainerRecord } from '../core/index.js';

export function lookupByRef(ref: string, byName: (name: string) => ContainerRecord | undefined,
  byIdPrefix: (prefix: string) => ContainerRecord[]): ContainerRecord {
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const named = byName(name);
  if (named) return named;
  if (/^[0-9a-f]{1,64}$/.test(ref)) {
    const matches = byIdPrefix(ref);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new InvalidArgumentError(`container id prefix "${ref}" is ambiguous: ${matches.length} containers match`);
  }
  throw new NotFoundError(`no such container: ${ref}`);
}
