// Tar extraction that treats every archive as hostile (layer tars from anywhere, `cp` into a container).
// Decisions, following moby's go-archive:
//  - a leading "/" is dropped (as tar does); any ".." component is an error; "./" root entries are ignored;
//  - parent paths are resolved inside destDir (entry-path.ts), so `a -> /etc` then `a/passwd` writes destDir/etc/passwd;
//  - the entry itself is never followed: whatever is at its path is replaced (a directory is kept for a directory);
//  - hardlinks must name an existing non-directory inside destDir ("/x" means destDir/x);
//  - char/block devices are skipped without error (rootless engines do the same), except the overlay whiteout
//    char 0:0; FIFOs are made by native/fsutil;
//  - owner (lchown), mode incl. setuid/setgid/sticky, and mtimes are applied; xattrs are not (pax decoding in
//    tar-stream is lossy for binary values, and trusted.* from an archive must never be trusted anyway).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, realpath, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError, InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { applyFsOps, type FsOp } from '../sys/fsutil.js';
import { decompressionStages } from './decompress.js';
import { ScopedResolver, entryComponents } from './entry-path.js';
import { waitForDrain } from './stream-util.js';

export interface ExtractOptions {
  /** 'overlay': convert OCI whiteouts (.wh.NAME → char device 0:0 named NAME; .wh..wh..opq → xattr trusted.overlay.opaque=y on the dir)
   *  'literal': write .wh. files as ordinary files (docker cp semantics). */
  whiteouts: 'overlay' | 'literal';
  /** keep uid/gid from the tar (true for layers); false = files owned by root. Default true. */
  preserveOwner?: boolean;
  /** Paths below destDir (relative) where the container has another filesystem mounted (cp): an entry at or
   *  below one would land under the mount, not in it, so it is refused. */
  mountPoints?: readonly string[];
}

export interface ExtractResult {
  diffId: string; // sha256:<hex> of the uncompressed tar stream
  size: number;   // bytes written
}

const WH_PREFIX = '.wh.';
const WH_OPAQUE = '.wh..wh..opq';
const WH_META_PREFIX = '.wh..wh.'; // aufs bookkeeping (.wh..wh.plnk…): never content

type Header = Omit<tar.Header, 'pax'> & { pax?: Record<string, string> | null };

interface Owner { uid: number; gid: number }

/** One extraction's working state: the resolver, deferred directory mtimes and the native batch. */
class Extraction {
  readonly resolver: ScopedResolver;
  readonly dirTimes: Array<{ comps: string[]; mtime: Date }> = [];
  readonly fsOps: FsOp[] = [];
  size = 0;

  constructor(readonly root: string, readonly opts: Required<ExtractOptions>) {
    this.resolver = new ScopedResolver(root);
  }

  owner(h: Header): Owner {
    if (!this.opts.preserveOwner) return { uid: 0, gid: 0 };
    // tar-stream applies pax path/size but not pax uid/gid (ids above 2097151 only fit there)
    const uid = h.pax?.uid !== undefined ? Number(h.pax.uid) : h.uid ?? 0;
    const gid = h.pax?.gid !== undefined ? Number(h.pax.gid) : h.gid ?? 0;
    return { uid: Number.isSafeInteger(uid) && uid >= 0 ? uid : 0, gid: Number.isSafeInteger(gid) && gid >= 0 ? gid : 0 };
  }

  /** The real parent directory of an entry and the path for the entry itself. */
  async place(comps: string[], name: string): Promise<{ parent: string; path: string; rel: string }> {
    const parent = await this.resolver.dir(comps.slice(0, -1), true, name);
    const path = join(parent, comps[comps.length - 1]!);
    const rel = relative(this.root, path);
    const mount = this.opts.mountPoints.find((m) => rel === m || rel.startsWith(`${m}/`));
    if (mount !== undefined) {
      throw new InvalidArgumentError(`tar entry "${name}": ${mount} is a mount point in the container, which cp does not write across `
        + '(copy into a directory mount itself; a file mount cannot be replaced)');
    }
    return { parent, path, rel };
  }

  /** Removes whatever is at path, keeping a directory when a directory is about to be written there. */
  async clear(path: string, keepDir: boolean): Promise<'dir' | 'empty'> {
    const st = await lstat(path).catch((err) => { if (errnoCode(err) === 'ENOENT') return undefined; throw err; });
    if (st === undefined) return 'empty';
    if (st.isDirectory() && keepDir) return 'dir';
    this.resolver.forget();
    if (st.isDirectory()) await rm(path, { recursive: true, force: true });
    else await unlink(path);
    return 'empty';
  }
}

type Body = AsyncIterable<unknown>; // tar-stream entries are streamx Readables of Buffers

async function drain(entry: Body): Promise<void> {
  for await (const _ of entry) { /* discard */ }
}

async function writeFile(x: Extraction, path: string, h: Header, entry: Body): Promise<void> {
  await x.clear(path, false);
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of entry) {
      await fh.write(chunk as Buffer);
      x.size += (chunk as Buffer).length;
    }
    const { uid, gid } = x.owner(h);
    await fh.chown(uid, gid);
    await fh.chmod((h.mode ?? 0o644) & 0o7777); // after chown, which clears setuid/setgid
    const mtime = h.mtime ?? new Date();
    await fh.utimes(mtime, mtime);
  } finally {
    await fh.close();
  }
}

async function writeDir(x: Extraction, comps: string[], path: string, h: Header): Promise<void> {
  if ((await x.clear(path, true)) === 'empty') await mkdir(path, { mode: 0o700 });
  const { uid, gid } = x.owner(h);
  await chown(path, uid, gid); // just checked or created as a real directory, not a link
  await chmod(path, (h.mode ?? 0o755) & 0o7777);
  x.dirTimes.push({ comps, mtime: h.mtime ?? new Date() });
}

async function writeSymlink(x: Extraction, path: string, h: Header): Promise<void> {
  await x.clear(path, false);
  x.resolver.forget();
  await symlink(h.linkname ?? '', path);
  const { uid, gid } = x.owner(h);
  await lchown(path, uid, gid);
  const mtime = h.mtime ?? new Date();
  await lutimes(path, mtime, mtime);
}

async function writeHardlink(x: Extraction, path: string, h: Header, name: string): Promise<void> {
  const targetComps = entryComponents(h.linkname ?? '', `hardlink "${name}" target`);
  if (targetComps.length === 0) throw new InvalidArgumentError(`tar entry "${name}": hardlink to the destination root`);
  const targetDir = await x.resolver.dir(targetComps.slice(0, -1), false, name);
  const target = join(targetDir, targetComps[targetComps.length - 1]!);
  const st = await lstat(target).catch(() => undefined);
  if (st === undefined || st.isDirectory()) {
    throw new InvalidArgumentError(`tar entry "${name}": hardlink target "${h.linkname}" is not a file in the archive`);
  }
  if (target === path) return;
  await x.clear(path, false);
  await link(target, path); // link(2) does not follow a symlink target
}

/** Overlay-mode handling of ".wh." names; returns false when the entry is an ordinary file after all. */
async function handleWhiteout(x: Extraction, comps: string[], name: string): Promise<boolean> {
  const base = comps[comps.length - 1]!;
  if (!base.startsWith(WH_PREFIX)) return false;
  const dirComps = comps.slice(0, -1);
  if (base === WH_OPAQUE) {
    const dir = await x.resolver.dir(dirComps, true, name);
    x.fsOps.push({ op: 'opaque', path: relative(x.root, dir) || '.' });
    return true;
  }
  if (base.startsWith(WH_META_PREFIX)) return true;
  const hidden = base.slice(WH_PREFIX.length);
  if (hidden === '' || hidden === '.' || hidden === '..') {
    throw new InvalidArgumentError(`tar entry "${name}": invalid whiteout name`);
  }
  const { path, rel } = await x.place([...dirComps, hidden], name);
  await x.clear(path, false);
  x.fsOps.push({ op: 'whiteout', path: rel });
  return true;
}

async function handleEntry(x: Extraction, h: Header, entry: Body): Promise<void> {
  const comps = entryComponents(h.name);
  if (comps.length === 0) return drain(entry); // "./": the destination itself, left as the caller made it
  const overlay = x.opts.whiteouts === 'overlay';
  if (overlay && (await handleWhiteout(x, comps, h.name))) return drain(entry);
  switch (h.type ?? 'file') {
    case 'file':
    case 'contiguous-file': {
      const { path } = await x.place(comps, h.name);
      return writeFile(x, path, h, entry);
    }
    case 'directory': {
      const { path } = await x.place(comps, h.name);
      await writeDir(x, comps, path, h);
      return drain(entry);
    }
    case 'symlink': {
      const { path } = await x.place(comps, h.name);
      await writeSymlink(x, path, h);
      return drain(entry);
    }
    case 'link': {
      const { path } = await x.place(comps, h.name);
      await writeHardlink(x, path, h, h.name);
      return drain(entry);
    }
    case 'character-device':
      if (overlay && h.devmajor === 0 && h.devminor === 0) {
        const { path, rel } = await x.place(comps, h.name);
        await x.clear(path, false);
        x.fsOps.push({ op: 'whiteout', path: rel });
      }
      return drain(entry); // other devices: skipped by design
    case 'fifo': {
      const { path, rel } = await x.place(comps, h.name);
      await x.clear(path, false);
      x.fsOps.push({ op: 'fifo', path: rel, mode: h.mode ?? 0o644, ...x.owner(h), mtime: h.mtime ?? new Date() });
      return drain(entry);
    }
    default:
      return drain(entry); // block devices and anything unknown
  }
}

/** Directory mtimes go last, since creating entries inside a directory changes its mtime. */
async function applyDirTimes(x: Extraction): Promise<void> {
  x.resolver.forget();
  for (const { comps, mtime } of x.dirTimes) {
    const parent = await x.resolver.dir(comps.slice(0, -1), false, comps.join('/')).catch(() => undefined);
    if (parent === undefined) continue;
    const path = join(parent, comps[comps.length - 1]!);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) await utimes(path, mtime, mtime);
  }
}

/** Stream failures (bad gzip, truncated tar) are the archive's fault; filesystem errors keep their kind. */
function classify(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = errnoCode(err);
  if (code === undefined || code.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'STREAM_DESTROYED') {
    return new InvalidArgumentError(`invalid tar archive: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return wrap(err, 'extract');
}

/**
 * Pumps the plain tar into tar-stream's extractor (a streamx stream, so Node's pipeline does not apply).
 * Errors on any upstream stage (bad gzip) destroy the extractor so the entry loop sees them.
 */
async function feed(src: Readable, extract: tar.Extract, stages: Readable[], upstream: { error?: unknown }): Promise<void> {
  const onError = (err: unknown) => { upstream.error ??= err; extract.destroy(err as Error); };
  for (const s of stages) s.on('error', onError);
  try {
    for await (const chunk of src) {
      if (!extract.write(chunk)) {
        await waitForDrain(extract);
      }
      if (extract.destroyed) break;
    }
    extract.end(undefined);
  } catch (err) {
    extract.destroy(err as Error);
    throw upstream.error ?? err;
  }
  if (upstream.error) throw upstream.error;
}

/** Extracts a tar (gzip auto-detected) into destDir, which must exist. Never writes outside destDir. */
export async function extractTar(input: Readable, destDir: string, opts: ExtractOptions): Promise<ExtractResult> {
  const root = await realpath(destDir).catch((err) => { throw wrap(err, `extract into ${destDir}`); });
  const x = new Extraction(root, { whiteouts: opts.whiteouts, preserveOwner: opts.preserveOwner ?? true, mountPoints: opts.mountPoints ?? [] });
  const hash = createHash('sha256');
  const tap = new Transform({ transform(chunk: Buffer, _enc, cb) { hash.update(chunk); cb(null, chunk); } });
  const extract = tar.extract();
  let current = '';
  const upstream: { error?: unknown } = {};
  extract.on('error', (err: unknown) => { upstream.error ??= err; }); // e.g. "Unexpected end of data"
  try {
    const stages = [...(await decompressionStages(input)), tap] as Transform[];
    const plain = stages.reduce<Readable>((src, stage) => src.pipe(stage), input);
    const feeding = feed(plain, extract, [input, ...stages], upstream);
    feeding.catch(() => { /* reported through the iterator or the await below */ });
    for await (const entry of extract) {
      current = entry.header.name;
      await handleEntry(x, entry.header as Header, entry);
    }
    await feeding;
    current = '';
    await applyFsOps(root, x.fsOps);
    await applyDirTimes(x);
  } catch (err) {
    extract.destroy();
    input.destroy();
    // a broken gzip stream surfaces in the entry loop as "destroyed": report the cause
    const e = classify(upstream.error ?? err);
    throw current && !e.message.includes(current) ? wrap(e, `tar entry "${current}"`) : e;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size: x.size };
}
