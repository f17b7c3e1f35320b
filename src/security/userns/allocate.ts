// Picks a container's id range: the lowest 65536-id block inside the subuid and subgid entries that overlaps no
// range already held by a container. Uid and gid blocks are chosen together (same offset into each pool) so
// `hostUid - hostGid` is the same for every container and the pool cannot fragment differently on each side.
import { InvalidArgumentError } from '../../core/index.js';
import type { SubIdRange } from './subid-file.js';

/** Every container gets uids/gids 0..65535 (what images assume: nobody is 65534). */
export const CONTAINER_RANGE_SIZE = 65536;

export interface IdMapping {
  hostUid: number;
  hostGid: number;
  size: number;
}

export type UsedRange = IdMapping;

interface Pool {
  file: string;
  ranges: SubIdRange[];
}

/** The first free block; pool exhaustion is a one-line error naming both files. */
export function allocateIdMap(uids: Pool, gids: Pool, used: UsedRange[], size = CONTAINER_RANGE_SIZE): IdMapping {
  const uidBlocks = blocks(uids.ranges, size);
  const gidBlocks = blocks(gids.ranges, size);
  const n = Math.min(uidBlocks.length, gidBlocks.length);
  for (let i = 0; i < n; i++) {
    const hostUid = uidBlocks[i]!;
    const hostGid = gidBlocks[i]!;
    const taken = used.some((u) => overlaps(u.hostUid, u.size, hostUid, size) || overlaps(u.hostGid, u.size, hostGid, size));
    if (!taken) return { hostUid, hostGid, size };
  }
  if (n === 0) {
    throw new InvalidArgumentError(`--userns=auto: the bulkhead entries in ${uids.file} and ${gids.file} hold fewer than ${size} ids: ` +
      `give each at least ${size} (e.g. "bulkhead:1000000:65536000")`);
  }
  throw new InvalidArgumentError(`--userns=auto: all ${n} id ranges of ${size} in ${uids.file} and ${gids.file} are in use: ` +
    `remove a container or enlarge the bulkhead entries of both files`);
}

function blocks(ranges: SubIdRange[], size: number): number[] {
  const out: number[] = [];
  for (const r of ranges) for (let s = r.start; s + size <= r.start + r.count; s += size) out.push(s);
  return out;
}

function overlaps(a: number, aLen: number, b: number, bLen: number): boolean {
  return a < b + bLen && b < a + aLen;
}
