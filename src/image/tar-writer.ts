// Writes an archive (docker-archive, OCI layout) entry by entry to a Node Writable, with backpressure. tar-stream
// produces a streamx stream, so it is bridged through Readable.from.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { writeAll } from '../archive/stream-util.js';

const MTIME = new Date(0); // archive metadata entries get a fixed time so the same images give the same tar

export class TarWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;
  private readonly dirs = new Set<string>();

  constructor(out: Writable) {
    this.done = pipeline(Readable.from(this.pack, { objectMode: false }), out);
    this.done.catch(() => { /* surfaced by finish() */ });
  }

  private dirFor(name: string): Promise<void> | void {
    const slash = name.lastIndexOf('/');
    if (slash < 0) return;
    const dir = name.slice(0, slash);
    if (this.dirs.has(dir)) return;
    this.dirs.add(dir);
    return this.addDir(dir);
  }

  async addDir(name: string): Promise<void> {
    await this.dirFor(name);
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async addBytes(name: string, data: Buffer | string): Promise<void> {
    await this.dirFor(name);
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ name, mode: 0o644, mtime: MTIME }, data, (err) => (err ? reject(err) : resolve()));
    });
  }

  async addFile(name: string, path: string): Promise<void> {
    await this.dirFor(name);
    const { size } = await stat(path);
    let settle!: (err?: Error | null) => void;
    const written = new Promise<void>((resolve, reject) => { settle = (err) => (err ? reject(err) : resolve()); });
    const sink = this.pack.entry({ name, size, mode: 0o644, mtime: MTIME }, (err) => settle(err));
    await writeAll(createReadStream(path), sink);
    sink.end(undefined);
    await written;
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    await this.done;
  }

  abort(err: Error): void {
    this.pack.destroy(err);
  }
}
