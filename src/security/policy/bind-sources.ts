// The real host path behind each bind source, for the bindMountRoots rule: runc follows symlinks in a source
// at mount time, so "/srv/data/link" pointing at /etc must be judged as /etc. The engine calls this just before
// evaluating; a swap between this check and the mount remains possible for whoever can write under a root,
// which is why roots should be directories only the administrator writes.
import { realpath } from 'node:fs/promises';
import { errnoCode, wrap, type MountSpec } from '../../core/index.js';

/** Source → real path for every bind mount whose source exists (a missing one fails later, at mount). */
export async function resolveBindSources(mounts: readonly MountSpec[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of mounts) {
    if (m.type !== 'bind' || m.source in out) continue;
    try {
      out[m.source] = await realpath(m.source);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      throw wrap(err, `policy: resolve bind source ${m.source}`);
    }
  }
  return out;
}
