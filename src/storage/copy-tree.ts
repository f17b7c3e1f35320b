// Copies a directory tree on the host preserving owners, modes and times, never following a symlink: links are
// copied as links, so content inside an image cannot point the copy at host files. Used for volume copy-up.
// Device nodes and sockets are skipped (Node cannot create them; volumes hold data, not devices).
import { copyFile, chmod, lchown, lstat, lutimes, mkdir, readdir, readlink, symlink, utimes, link } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';

export async function copyTree(src: string, dest: string): Promise<number> {
  const inodes = new Map<string, string>();
  let bytes = 0;
  async function copyEntry(from: string, to: string): Promise<void> {
    const st = await lstat(from);
    if (st.isDirectory()) {
      await mkdir(to, { recursive: true });
      for (const name of await readdir(from)) await copyEntry(join(from, name), join(to, name));
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(key) : undefined;
      if (first) { await link(first, to); return; }
      if (st.nlink > 1) inodes.set(key, to);
      await copyFile(from, to, constants.COPYFILE_EXCL);
      bytes += st.size;
    } else {
      return;
    }
    await lchown(to, st.uid, st.gid);
    // chmod follows links, and a link's own mode means nothing on Linux, so skip it for links.
    if (!st.isSymbolicLink()) {
      await chmod(to, st.mode & 0o7777);
      await utimes(to, st.atime, st.mtime);
    } else {
      await lutimes(to, st.atime, st.mtime);
    }
  }
  for (const name of await readdir(src)) await copyEntry(join(src, name), join(dest, name));
  return bytes;
}
