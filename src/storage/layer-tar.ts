// A container's upper dir as an OCI image layer (for `commit`): overlay's own markers become the OCI ones, a
// whiteout device becomes an empty ".wh.<name>" file and an opaque directory gets a ".wh..wh..opq" entry.
// Hard links inside the layer stay hard links. The tar is produced as it is read, never staged on disk.
import { createReadStream } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import tarStream from 'tar-stream';
import { wrap } from '../core/index.js';
import { walkUpper, type UpperEntry } from './overlay-upper.js';

type Pack = ReturnType<typeof tarStream.pack>;
type Header = Partial<tarStream.Header> & { name: string };

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export function upperLayerTar(upper: string): Readable {
  const pack = tarStream.pack();
  // tar-stream's streams are streamx ones; hand callers a plain Node stream.
  const out = new PassThrough();
  pack.pipe(out);
  void writeLayer(pack, upper).then(
    () => pack.finalize(),
    (err: unknown) => out.destroy(wrap(err, `build layer from ${upper}`)),
  );
  return out;
}

async function writeLayer(pack: Pack, upper: string): Promise<void> {
  const firstPathOfInode = new Map<string, string>();
  for (const e of await walkUpper(upper)) {
    if (e.whiteout) {
      const name = join(dirname(e.path), WHITEOUT_PREFIX + basename(e.path)).replace(/^\.\//, '');
      await addEntry(pack, { ...baseHeader(e), name, type: 'file', size: 0, mode: 0o600 });
      continue;
    }
    const st = e.stat;
    const header = baseHeader(e);
    if (st.isDirectory()) {
      await addEntry(pack, { ...header, name: `${e.path}/`, type: 'directory' });
      if (e.opaque) await addEntry(pack, { ...header, name: `${e.path}/${OPAQUE_MARKER}`, type: 'file', size: 0, mode: 0o600 });
    } else if (st.isSymbolicLink()) {
      await addEntry(pack, { ...header, type: 'symlink', linkname: await readlink(join(upper, e.path)) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? firstPathOfInode.get(key) : undefined;
      if (first !== undefined) {
        await addEntry(pack, { ...header, type: 'link', linkname: first, size: 0 });
        continue;
      }
      if (st.nlink > 1) firstPathOfInode.set(key, e.path);
      await addFile(pack, { ...header, type: 'file', size: st.size }, join(upper, e.path));
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = splitDev(st.rdev);
      await addEntry(pack, { ...header, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
    } else if (st.isFIFO()) {
      await addEntry(pack, { ...header, type: 'fifo' });
    }
    // Sockets cannot be stored in a tar; like Docker, they are left out.
  }
}

function baseHeader(e: UpperEntry): Header {
  return { name: e.path, mode: e.stat.mode & 0o7777, uid: e.stat.uid, gid: e.stat.gid, mtime: e.stat.mtime };
}

function addEntry(pack: Pack, header: Header): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    // A 'file' entry without a buffer waits for its body to be written; give empty ones an empty buffer.
    if (header.type === 'file') pack.entry(header, Buffer.alloc(0), done);
    else pack.entry(header, done);
  });
}

async function addFile(pack: Pack, header: Header, path: string): Promise<void> {
  let done!: Promise<void>;
  const sink = new Promise<void>((resolve, reject) => {
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    done = pipeline(createReadStream(path), entry);
  });
  await Promise.all([done, sink]);
}

/** Linux dev_t encoding (glibc's gnu_dev_major/minor). */
export function splitDev(rdev: number): { major: number; minor: number } {
  const d = BigInt(rdev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}
