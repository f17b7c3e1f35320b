// Staging makes imports all-or-nothing. Blobs and unpacked layers are written under root/tmp/ingest-*, every
// digest is checked there, and only commit() renames them into the store (rename is atomic on one filesystem).
// Metadata is recorded by the caller after commit(), so a failure at any point leaves no partial image, no
// layer directory and no blob behind: abort() (or init() after a crash) removes the staging directory.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { InvalidArgumentError, StateInvalidError, errnoCode, wrap } from '../core/index.js';
import { decompressionStages, extractTar } from '../archive/index.js';
import { digestFile, digestHex, type StorePaths } from './store-paths.js';

export interface BlobInfo { digest: string; size: number }
export interface LayerInfo { diffId: string; size: number }

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, (err) => {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  });
}

function checkExpected(actual: BlobInfo, expected: Partial<BlobInfo> | undefined, what: string): void {
  if (expected?.digest !== undefined && expected.digest !== actual.digest) {
    throw new InvalidArgumentError(`${what}: digest mismatch: declared ${expected.digest}, content is ${actual.digest}`);
  }
  if (expected?.size !== undefined && expected.size !== actual.size) {
    throw new InvalidArgumentError(`${what}: size mismatch: declared ${expected.size} bytes, content is ${actual.size}`);
  }
}

export class Staging {
  private readonly blobs = new Map<string, string>();   // digest → staged file (only blobs not yet in the store)
  private readonly layers = new Map<string, string>();  // diffId → staged layer dir (only new layers)
  private counter = 0;

  private constructor(private readonly paths: StorePaths, readonly dir: string) {}

  static async open(paths: StorePaths): Promise<Staging> {
    await mkdir(paths.tmp, { recursive: true });
    return new Staging(paths, await mkdtemp(join(paths.tmp, 'ingest-')));
  }

  /** A fresh path inside the staging dir, for callers that need scratch files. */
  scratch(label: string): string {
    return join(this.dir, `${label}-${this.counter++}`);
  }

  /** Takes a file already inside the staging dir as a blob (moved, not copied). */
  async adoptBlobFile(file: string, expected?: Partial<BlobInfo>, what = 'blob'): Promise<BlobInfo> {
    const info = await digestFile(file);
    checkExpected(info, expected, what);
    return this.adopt(file, info);
  }

  private async adopt(file: string, info: BlobInfo): Promise<BlobInfo> {
    if (!this.blobs.has(info.digest) && !(await exists(this.paths.blob(info.digest)))) {
      const staged = this.scratch('blob');
      await rename(file, staged);
      this.blobs.set(info.digest, staged);
    }
    return info;
  }

  async putBlobStream(input: Readable, expected?: Partial<BlobInfo>, what = 'blob'): Promise<BlobInfo> {
    const file = this.scratch('upload');
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); size += chunk.length; cb(null, chunk); } });
    await pipeline(input, tap, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    const info = { digest: `sha256:${hash.digest('hex')}`, size };
    checkExpected(info, expected, what);
    return this.adopt(file, info);
  }

  async putBlobBytes(data: Buffer, what = 'blob'): Promise<BlobInfo> {
    const file = this.scratch('bytes');
    await writeFile(file, data, { flag: 'wx', mode: 0o600 });
    return this.adoptBlobFile(file, undefined, what);
  }

  /** Takes a blob file the caller already verified while it streamed in (registry pulls): no second read. */
  async adoptVerifiedBlob(file: string, info: BlobInfo): Promise<BlobInfo> {
    return this.adopt(file, info);
  }

  /** Takes a layer the caller unpacked into dir/diff as it streamed; one already stored or staged wins. */
  async adoptUnpackedLayer(dir: string, layer: LayerInfo): Promise<LayerInfo> {
    if (this.layers.has(layer.diffId) || (await exists(this.paths.layerMeta(layer.diffId)))) {
      await rm(dir, { recursive: true, force: true });
      return { diffId: layer.diffId, size: await this.layerSize(layer.diffId) };
    }
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ diffId: layer.diffId, size: layer.size }));
    this.layers.set(layer.diffId, dir);
    return layer;
  }

  /** Where a blob's bytes are now: staged or already in the store. */
  blobPath(digest: string): string {
    return this.blobs.get(digest) ?? this.paths.blob(digest);
  }

  /**
   * Unpacks a layer blob, unless a layer with the same diff id is already stored or staged; then the blob is
   * only hashed, so a wrong declared diff id is still caught.
   */
  async unpackLayer(blobDigest: string, expectedDiffId?: string, what = `layer ${blobDigest}`): Promise<LayerInfo> {
    if (expectedDiffId !== undefined) {
      digestHex(expectedDiffId, 'diff id');
      const known = this.layers.has(expectedDiffId) || (await exists(this.paths.layerMeta(expectedDiffId)));
      if (known) {
        const diffId = await plainDigest(this.blobPath(blobDigest));
        checkDiffId(diffId, expectedDiffId, what);
        return { diffId, size: await this.layerSize(diffId) };
      }
    }
    const dir = this.scratch('layer');
    await mkdir(join(dir, 'diff'), { recursive: true, mode: 0o755 });
    const result = await extractTar(createReadStream(this.blobPath(blobDigest)), join(dir, 'diff'), { whiteouts: 'overlay' })
      .catch((err) => { throw wrap(err, `unpack ${what}`); });
    if (expectedDiffId !== undefined) checkDiffId(result.diffId, expectedDiffId, what);
    if (this.layers.has(result.diffId) || (await exists(this.paths.layerMeta(result.diffId)))) {
      await rm(dir, { recursive: true, force: true });
      return { diffId: result.diffId, size: await this.layerSize(result.diffId) };
    }
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ diffId: result.diffId, size: result.size }));
    this.layers.set(result.diffId, dir);
    return { diffId: result.diffId, size: result.size };
  }

  private async layerSize(diffId: string): Promise<number> {
    const meta = join(this.layers.get(diffId) ?? this.paths.layer(diffId), 'meta.json');
    return (JSON.parse(await readFile(meta, 'utf8')) as LayerInfo).size;
  }

  /** Moves everything staged into the store. Something that appeared meanwhile with the same digest is kept. */
  async commit(): Promise<void> {
    await mkdir(this.paths.blobs, { recursive: true });
    await mkdir(this.paths.layers, { recursive: true });
    for (const [digest, file] of this.blobs) {
      await rename(file, this.paths.blob(digest));
    }
    for (const [diffId, dir] of this.layers) {
      await rename(dir, this.paths.layer(diffId)).catch((err) => {
        if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
      });
    }
    this.blobs.clear();
    this.layers.clear();
    await this.abort();
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

function checkDiffId(actual: string, expected: string, what: string): void {
  if (actual !== expected) {
    throw new InvalidArgumentError(`${what}: diff id mismatch: the image config declares ${expected}, the layer content is ${actual}`);
  }
}

/** sha256 of a layer blob after decompression, without unpacking it. */
export async function plainDigest(path: string): Promise<string> {
  const input = createReadStream(path);
  const hash = createHash('sha256');
  const stages = await decompressionStages(input);
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { hash.update(chunk); cb(); } });
  await pipeline([input, ...stages, sink]).catch((err) => {
    throw new StateInvalidError(`layer blob ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  return `sha256:${hash.digest('hex')}`;
}
