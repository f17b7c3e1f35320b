// Ingest for blobs that arrive as a network stream (registry pulls). A layer is hashed, written to its blob file
// and unpacked in one pass, so it is unpacked while it downloads, not after. Each layer is its own staging and
// is committed as soon as it is verified: a pull that fails later keeps the layers it finished, and the next
// pull skips them (resume). A digest or size mismatch, a truncated stream or a broken tar leaves nothing.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, wrap } from '../core/index.js';
import { extractTar } from '../archive/index.js';
import { Staging } from './staging.js';
import { sha256Digest, type StorePaths } from './store-paths.js';

export interface ExpectedBlob { digest: string; size: number }

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Whether both the blob and its unpacked layer are already in the store (a pull can skip it). */
export async function hasStoredLayer(paths: StorePaths, digest: string, diffId: string): Promise<boolean> {
  return (await exists(paths.blob(digest))) && (await exists(paths.layerMeta(diffId)));
}

/** Counts and hashes bytes as they pass, refusing more than declared and checking digest and size at the end. */
function verifier(expected: ExpectedBlob, what: string, onBytes?: (n: number) => void): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      if (size > expected.size) return cb(new InvalidArgumentError(`${what}: the registry sent more than the declared ${expected.size} bytes`));
      hash.update(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
    flush(cb) {
      if (size !== expected.size) return cb(new InvalidArgumentError(`${what}: truncated: received ${size} of ${expected.size} bytes`));
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== expected.digest) return cb(new InvalidArgumentError(`${what}: digest mismatch: expected ${expected.digest}, received ${digest}`));
      cb();
    },
  });
}

/**
 * Streams one layer blob into the store: verified against its descriptor, unpacked on the fly, diff id checked
 * against the image config, then committed. Returns the unpacked size.
 */
export async function ingestLayerStream(paths: StorePaths, input: Readable, expected: ExpectedBlob, diffId: string,
  what: string, onBytes?: (n: number) => void): Promise<{ diffId: string; size: number }> {
  const staging = await Staging.open(paths);
  try {
    const file = staging.scratch('pull');
    const dir = staging.scratch('layer');
    await mkdir(join(dir, 'diff'), { recursive: true, mode: 0o755 });
    const check = verifier(expected, what, onBytes);
    // The tar side only sees bytes the verifier passed; it ends only after the digest matched, so a bad blob
    // can never complete an extraction.
    const toTar = new PassThrough();
    const tee = new Transform({
      transform(chunk: Buffer, _e, cb) {
        if (toTar.write(chunk)) cb(null, chunk);
        else toTar.once('drain', () => cb(null, chunk));
      },
      flush(cb) { toTar.end(); cb(); },
    });
    const extracting = extractTar(toTar, join(dir, 'diff'), { whiteouts: 'overlay' });
    extracting.then(() => toTar.resume(), (err: Error) => tee.destroy(err));
    const writing = pipeline(input, check, tee, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    writing.catch((err: Error) => toTar.destroy(err));
    const [w, x] = await Promise.allSettled([writing, extracting]);
    if (w.status === 'rejected') throw w.reason;
    if (x.status === 'rejected') throw wrap(x.reason, `unpack ${what}`);
    if (x.value.diffId !== diffId) {
      throw new InvalidArgumentError(`${what}: diff id mismatch: the image config declares ${diffId}, the layer content is ${x.value.diffId}`);
    }
    await staging.adoptVerifiedBlob(file, expected);
    const layer = await staging.adoptUnpackedLayer(dir, { diffId, size: x.value.size });
    await staging.commit();
    return layer;
  } finally {
    await staging.abort();
  }
}

/** Stores a config (or any small) blob after checking it against its descriptor. */
export async function ingestConfigBlob(paths: StorePaths, bytes: Buffer, expected: ExpectedBlob, what: string): Promise<void> {
  const digest = sha256Digest(bytes);
  if (bytes.length !== expected.size) throw new InvalidArgumentError(`${what}: size mismatch: declared ${expected.size} bytes, received ${bytes.length}`);
  if (digest !== expected.digest) throw new InvalidArgumentError(`${what}: digest mismatch: expected ${expected.digest}, received ${digest}`);
  const staging = await Staging.open(paths);
  try {
    await staging.putBlobBytes(bytes, what);
    await staging.commit();
  } finally {
    await staging.abort();
  }
}
