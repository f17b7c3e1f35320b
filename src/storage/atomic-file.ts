// Whole-file writes that a crash can never leave half-done: write a temp file beside the target, fsync it,
// rename it over the target. Readers see the old file or the new one, nothing in between. A file that is made
// afresh whenever it is needed (a container's spec and /etc files, written at every start) may skip the fsync
// (durable: false): after a power loss it is rewritten before anything reads it, and the sync costs a start ~1 ms.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { wrap } from '../core/index.js';

export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o644, opts: { durable?: boolean } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      if (opts.durable ?? true) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw wrap(err, `write ${path}`);
  }
}
