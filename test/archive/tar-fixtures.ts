// Builds tar archives in memory for tests, hostile ones included (tar-stream writes whatever header it is given).
import type { Readable } from 'node:stream';
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

/** Every entry of a tar stream by name: its type, its body as text and its link target. */
export async function readTar(stream: Readable): Promise<Map<string, { type: string; body: string; linkname: string | null }>> {
  const entries = new Map<string, { type: string; body: string; linkname: string | null }>();
  const extract = tar.extract();
  extract.on('entry', (h, s, next) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    s.on('end', () => { entries.set(h.name, { type: h.type ?? 'file', body: Buffer.concat(chunks).toString(), linkname: h.linkname ?? null }); next(); });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  return entries;
}
