// Allocation of --userns=auto id ranges. The state store is the ledger: a range is in use while a container
// record holds it in config.security.idMap, so a crash can never leak one. Callers hold ID_MAP_LOCK from the
// allocation until the new record is written, so two concurrent creates never pick the same free range.
import { allocateIdMap, readSubIds, type IdMapping } from '../security/userns/index.js';
import type { EngineContext } from './context.js';

export const ID_MAP_LOCK = 'userns:id-map-allocation';
export const DEFAULT_SUBUID_FILE = '/etc/subuid';
export const DEFAULT_SUBGID_FILE = '/etc/subgid';

/** A free range for a new container; the caller must hold ID_MAP_LOCK until its record is added. */
export async function allocateContainerIdMap(ctx: EngineContext): Promise<IdMapping> {
  const uidFile = ctx.opts.subuidFile ?? DEFAULT_SUBUID_FILE;
  const gidFile = ctx.opts.subgidFile ?? DEFAULT_SUBGID_FILE;
  const uids = { file: uidFile, ranges: await readSubIds(uidFile, 'uid') };
  const gids = { file: gidFile, ranges: await readSubIds(gidFile, 'gid') };
  const used = ctx.state.listContainers().flatMap((c) => (c.config.security.idMap ? [c.config.security.idMap] : []));
  return allocateIdMap(uids, gids, used);
}
