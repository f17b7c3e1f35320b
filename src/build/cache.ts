// The build cache: step key → image id, in one small JSON index under <root>/build-cache/index.json (written to
// a temp file and renamed, so a crash leaves the old index or the new one, never half of one). The key hashes the
// parent image id, the instruction after substitution and, for COPY/ADD, the digest of the files it reads. A hit
// is used only while its image still exists, so images removed by `rmi`/`prune` simply stop being hits.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../core/index.js';

export function cacheKey(parentId: string, instruction: string, contentDigest = ''): string {
  return createHash('sha256').update(`${parentId}\n${instruction}\n${contentDigest}`).digest('hex');
}

export class BuildCache {
  private entries: Record<string, string> | undefined;
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'build-cache');
  }

  private async load(): Promise<Record<string, string>> {
    if (this.entries) return this.entries;
    try {
      this.entries = JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as Record<string, string>;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
      this.entries = {};
    }
    return this.entries;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.load())[key];
  }

  async put(key: string, imageId: string, exists: (id: string) => boolean): Promise<void> {
    const entries = await this.load();
    entries[key] = imageId;
    // drop entries whose image is gone, so the index does not grow without bound
    for (const [k, id] of Object.entries(entries)) if (!exists(id)) delete entries[k];
    await this.save(entries);
  }

  /** The step images the cache answers with (each once). */
  async imageIds(): Promise<string[]> {
    return [...new Set(Object.values(await this.load()))];
  }

  /** `builder prune`: forgets every entry whose image `drop` picks; returns the image ids forgotten. */
  async forget(drop: (imageId: string) => boolean): Promise<string[]> {
    const entries = await this.load();
    const gone = new Set<string>();
    for (const [k, id] of Object.entries(entries)) if (drop(id)) { delete entries[k]; gone.add(id); }
    if (gone.size) await this.save(entries);
    return [...gone];
  }

  private async save(entries: Record<string, string>): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `index.json.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    await writeFile(tmp, JSON.stringify(entries), { mode: 0o600 });
    await rename(tmp, join(this.dir, 'index.json'));
  }
}
