// What a container's log takes on disk: its files (ctr.log, the rotated ctr.log.N and the engine's ctr.log.keep
// link) and their bytes, each file counted once however many names it has, as du counts them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function logOnDisk(root: string, id: string): { files: number; bytes: number; names: string[] } {
  const dir = join(root, 'containers', id);
  const names = readdirSync(dir).filter((n) => /^ctr\.log(\.\d+|\.keep)?$/.test(n)).sort();
  const inodes = new Map<number, number>();
  for (const n of names) {
    const st = statSync(join(dir, n));
    inodes.set(st.ino, st.size);
  }
  return { files: inodes.size, bytes: [...inodes.values()].reduce((a, b) => a + b, 0), names };
}
