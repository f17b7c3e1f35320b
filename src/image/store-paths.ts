// The on-disk layout of the image store, in one place:
//   root/content/blobs/sha256/<hex>   blobs by digest: layer tars as shipped, config JSON
//   root/layers/<diffId-hex>/diff     each layer unpacked once, shared read-only as an overlay lowerdir
//   root/layers/<diffId-hex>/meta.json { diffId, size }: unpacked size, kept so a shared layer is never re-read
//   root/tmp/                         staging for imports; anything here after a crash is garbage
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../core/index.js';

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

/** The hex of a sha256 digest; anything else (including path tricks from an archive) is refused. */
export function digestHex(digest: string, what = 'digest'): string {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new InvalidArgumentError(`invalid ${what} "${digest}": expected sha256: and 64 lowercase hex digits`);
  return m[1]!;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function digestFile(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

export class StorePaths {
  readonly blobs: string;
  readonly layers: string;
  readonly tmp: string;

  constructor(readonly root: string) {
    this.blobs = join(root, 'content', 'blobs', 'sha256');
    this.layers = join(root, 'layers');
    this.tmp = join(root, 'tmp');
  }

  blob(digest: string): string {
    return join(this.blobs, digestHex(digest));
  }

  layer(diffId: string): string {
    return join(this.layers, digestHex(diffId, 'diff id'));
  }

  layerDiff(diffId: string): string {
    return join(this.layer(diffId), 'diff');
  }

  layerMeta(diffId: string): string {
    return join(this.layer(diffId), 'meta.json');
  }
}
