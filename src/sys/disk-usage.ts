// Bytes used by a directory tree, counted without following symlinks (hard links counted once per tree).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function diskUsage(path: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (p: string): Promise<number> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) return 0;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
    if (!st.isDirectory()) return st.blocks * 512;
    const names = await readdir(p).catch(() => [] as string[]);
    let total = st.blocks * 512;
    for (const n of names) total += await walk(join(p, n));
    return total;
  };
  return walk(path);
}
