// X-Docker-Container-Path-Stat: base64 JSON of a container path's stat, with the mode in Go's os.FileMode bits
// (the docker CLI tests Mode.IsDir() and friends on it), not the raw st_mode the engine reports.
import { constants } from 'node:fs';

interface PathStat { name: string; size: number; mode: number; mtime: string; linkTarget: string }

const GO_TYPE: Array<[number, number]> = [
  [constants.S_IFDIR, 2 ** 31], [constants.S_IFLNK, 2 ** 27], [constants.S_IFIFO, 2 ** 25], [constants.S_IFSOCK, 2 ** 24],
  [constants.S_IFBLK, 2 ** 26], [constants.S_IFCHR, 2 ** 26 + 2 ** 21],
];

export function goFileMode(mode: number): number {
  const type = mode & constants.S_IFMT;
  let go = mode & 0o777;
  for (const [unix, bits] of GO_TYPE) if (type === unix) go += bits;
  if (mode & 0o4000) go += 2 ** 23;
  if (mode & 0o2000) go += 2 ** 22;
  if (mode & 0o1000) go += 2 ** 20;
  return go;
}

export function pathStatHeader(stat: PathStat): string {
  const json = { name: stat.name, size: stat.size, mode: goFileMode(stat.mode), mtime: stat.mtime, linkTarget: stat.linkTarget };
  return Buffer.from(JSON.stringify(json)).toString('base64');
}
