// The layer a COPY/ADD makes, written straight as a tar (no container needed, so it works on FROM scratch too).
// planCopy decides every entry and a digest of exactly what will be copied (names, modes, owners, link targets
// and file contents) — that digest is the step's cache key; copyLayerTar then streams the planned entries.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { wrap } from '../core/index.js';
import { decompressionStages } from '../archive/index.js';
import type { IgnoreMatcher } from './ignore.js';

export interface Owner { uid: number; gid: number }

type EntryHeader = Partial<tar.Header> & { name: string };

interface Entry {
  name: string;                 // tar path, no leading "/"
  kind: 'dir' | 'file' | 'symlink' | 'archive';
  src?: string;
  mode: number;
  owner: Owner;
  mtime: Date;
  linkname?: string;
  size?: number;
}

export interface CopyPlan { entries: Entry[]; digest: string }

export interface PlanOptions {
  root: string;
  sources: string[];            // relative to root, from resolveSources
  dest: string;                 // absolute path in the image; a trailing "/" means a directory
  ignore?: IgnoreMatcher;
  owner?: Owner;
  chmod?: number;
  extractArchives: boolean;     // ADD
  imageHas: (path: string) => Promise<'dir' | 'other' | undefined>;
}

export async function planCopy(o: PlanOptions): Promise<CopyPlan> {
  const entries: Entry[] = [];
  const destDir = o.dest.endsWith('/') || o.sources.length > 1 || (await o.imageHas(o.dest)) === 'dir';
  const dest = posix.normalize(o.dest).replace(/^\/+|\/+$/g, '');
  const own = (_st: Stats): Owner => o.owner ?? { uid: 0, gid: 0 };
  const mode = (st: Stats) => o.chmod ?? (st.mode & 0o7777);
  const walk = async (abs: string, rel: string, name: string): Promise<void> => {
    if (o.ignore?.ignored(rel)) return;
    const st = await lstat(abs);
    if (st.isDirectory()) {
      if (name !== '') entries.push({ name, kind: 'dir', mode: mode(st), owner: own(st), mtime: st.mtime });
      for (const c of (await readdir(abs)).sort()) await walk(join(abs, c), rel === '.' ? c : `${rel}/${c}`, name === '' ? c : `${name}/${c}`);
    } else if (st.isSymbolicLink()) {
      entries.push({ name, kind: 'symlink', mode: 0o777, owner: own(st), mtime: st.mtime, linkname: await readlink(abs) });
    } else if (st.isFile()) {
      entries.push({ name, kind: 'file', src: abs, mode: mode(st), owner: own(st), mtime: st.mtime, size: st.size });
    }
  };
  for (const rel of o.sources) {
    const abs = join(o.root, rel);
    const st = await lstat(abs);
    if (st.isDirectory()) {
      for (const c of (await readdir(abs)).sort()) await walk(join(abs, c), rel === '.' ? c : `${rel}/${c}`, dest === '' ? c : `${dest}/${c}`);
    } else if (o.extractArchives && st.isFile() && (await isArchive(abs))) {
      entries.push({ name: dest, kind: 'archive', src: abs, mode: 0o755, owner: own(st), mtime: st.mtime });
    } else {
      await walk(abs, rel, destDir ? posix.join(dest, posix.basename(rel)) : dest);
    }
  }
  // parents the image does not have yet (the destination itself included) are created, owned like the copy
  const parents = new Set<string>();
  for (const e of entries) {
    const parts = e.name.split('/');
    for (let i = 1; i < parts.length + (e.kind === 'archive' ? 1 : 0); i++) parents.add(parts.slice(0, i).join('/'));
  }
  const have = new Set(entries.filter((e) => e.kind === 'dir').map((e) => e.name));
  const created: Entry[] = [];
  for (const p of [...parents].sort()) {
    if (p === '' || have.has(p) || (await o.imageHas(`/${p}`)) !== undefined) continue;
    created.push({ name: p, kind: 'dir', mode: 0o755, owner: o.owner ?? { uid: 0, gid: 0 }, mtime: new Date(0) });
  }
  const all = [...created, ...entries];
  return { entries: all, digest: await digestPlan(all) };
}

async function digestPlan(entries: Entry[]): Promise<string> {
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(`${e.name}\0${e.kind}\0${e.mode}\0${e.owner.uid}:${e.owner.gid}\0${e.linkname ?? ''}\0`);
    if (e.src) await pipeline(createReadStream(e.src), async function* (src) { for await (const c of src) h.update(c as Buffer); });
  }
  return `sha256:${h.digest('hex')}`;
}

/** A plain tar, or a compressed one, recognised by content rather than by name (as ADD does). */
async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    if (bytesRead >= 262 && buf.toString('latin1', 257, 262) === 'ustar') return true;
    return bytesRead >= 2 && ((buf[0] === 0x1f && buf[1] === 0x8b) || (buf[0] === 0x42 && buf[1] === 0x5a) || (buf[0] === 0xfd && buf[1] === 0x37));
  } finally {
    await fh.close();
  }
}

export function copyLayerTar(plan: CopyPlan): Readable {
  const pack = tar.pack();
  void (async () => {
    for (const e of plan.entries) {
      const base = { name: e.name, mode: e.mode, uid: e.owner.uid, gid: e.owner.gid, mtime: e.mtime };
      if (e.kind === 'dir') await entry(pack, { ...base, type: 'directory' });
      else if (e.kind === 'symlink') await entry(pack, { ...base, type: 'symlink', linkname: e.linkname });
      else if (e.kind === 'file') await fileEntry(pack, { ...base, type: 'file', size: e.size }, e.src!);
      else await repackArchive(pack, e.src!, e.name);
    }
    pack.finalize();
  })().catch((err) => pack.destroy(wrap(err, 'write COPY layer')));
  return Readable.from(pack, { objectMode: false });
}

function entry(pack: tar.Pack, header: EntryHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

async function fileEntry(pack: tar.Pack, header: EntryHeader, src: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    const input = createReadStream(src);
    input.on('error', reject);
    input.on('data', (c) => { if (!sink.write(c)) { input.pause(); sink.once('drain', () => input.resume()); } });
    input.on('end', () => sink.end(undefined));
  });
}

/** ADD of a local archive: its entries, under the destination directory. */
async function repackArchive(pack: tar.Pack, src: string, dest: string): Promise<void> {
  const input = createReadStream(src);
  const stages = await decompressionStages(input);
  const plain = new PassThrough();
  const piping = pipeline([input, ...stages, plain]);
  const extract = tar.extract();
  plain.pipe(extract);
  const prefix = (n: string) => posix.join(dest, posix.normalize(`/${n}`)).replace(/^\/+/, '');
  for await (const item of extract) {
    const h = item.header;
    const header: EntryHeader = { ...(h as EntryHeader), name: prefix(h.name), ...(h.type === 'link' && h.linkname ? { linkname: prefix(h.linkname) } : {}) };
    if (h.type === 'file' || h.type === 'contiguous-file') {
      const chunks: Buffer[] = [];
      for await (const c of item) chunks.push(c as Buffer);
      await entry(pack, header, Buffer.concat(chunks));
    } else {
      item.resume();
      await entry(pack, header);
    }
  }
  await piping;
}
