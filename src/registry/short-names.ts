// Short names: "busybox" or "team/app:1" name no registry. Each registry of the search list is asked in turn
// (podman's registries.conf `unqualified-search-registries`); the first that has the image wins. With only
// docker.io in the list this is exactly docker's rule ("busybox" → docker.io/library/busybox:latest).
import { DEFAULT_DOMAIN, isShortName } from '../image/reference.js';

export { isShortName };
import { parseReference, type ImageReference } from '../image/index.js';

export const DEFAULT_SEARCH_REGISTRIES = [DEFAULT_DOMAIN];

/** The fully qualified references to try for `text`, in order; one (its own) when it is not a short name. */
export function candidateReferences(text: string, search: readonly string[] = DEFAULT_SEARCH_REGISTRIES): ImageReference[] {
  const own = parseReference(text); // a bad reference fails here, before any registry is asked
  if (!isShortName(text) || search.length === 0) return [own];
  return search.map((host) => parseReference(`${host}/${text}`));
}
