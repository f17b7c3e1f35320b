// Bytes used by a directory tree (apparent sizes of regular files, each hard-linked inode once), like `du -sb`.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../core/index.js';

export async function diskUsage(path: string): Promise<number> {
  const seen = new Set<string>();
  async function walk(p: string): Promise<number> {
    let st;
    try { st = await lstat(p); } catch (err) { if (errnoCode(err) === 'ENOENT') return 0; throw err; }
    if (st.isDirectory()) {
      let total = 0;
      for (const n of await readdir(p)) total += await walk(join(p, n));
      return total;
    }
    if (!st.isFile()) return 0;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
    return st.size;
  }
  return walk(path);
}
