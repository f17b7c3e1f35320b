// Builds tar archives in memory for tests, hostile ones included (tar-stream writes whatever header it is given).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export type FixtureEntry = Partial<tar.Header> & { name: string; body?: string | Buffer };

export async function buildTar(entries: FixtureEntry[], opts: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => { for await (const c of pack) chunks.push(c as Buffer); })();
  for (const { body, ...header } of entries) {
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    await new Promise<void>((resolve, reject) => pack.entry({ mode: 0o644, mtime: new Date(1_600_000_000_000), ...header }, data, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await collected;
  const plain = Buffer.concat(chunks);
  return opts.gzip ? gzipSync(plain) : plain;
}

/** A unique temp dir removed by the returned cleanup. */
export async function tempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `bh-test-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
