// Named volumes (driver "local"): a directory <root>/volumes/<name>/_data plus a record in the state store.
// Directory and record are created and removed so that a crash leaves no record without a directory: the
// directory is made under a temporary name and renamed into place before the record is added; on removal it is
// renamed aside before the record goes, then deleted.
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError, NotFoundError, errnoCode, newId, validateName, wrap, type VolumeRecord,
} from '../core/index.js';
import type { VolumeStore } from '../state/types.js';
import { copyTree } from './copy-tree.js';
import { resolveInRoot } from './secure-path.js';
import { diskUsage } from './disk-usage.js';

export interface VolumeServiceOptions {
  root: string;
  store: VolumeStore;
}

/** Where image content to copy into a new volume lives: a host path, or a path inside a rootfs resolved safely. */
export type CopyUpSource = string | { rootfs: string; path: string };

export class VolumeService {
  readonly root: string;
  private readonly store: VolumeStore;

  constructor(opts: VolumeServiceOptions) {
    this.root = opts.root;
    this.store = opts.store;
  }

  /** Creates a volume; an existing one of that name is returned unchanged, as Docker does. */
  async create(name?: string, labels: Record<string, string> = {}): Promise<VolumeRecord> {
    const volName = name === undefined || name === '' ? newId() : validateName(name, 'volume');
    const existing = this.store.getVolume(volName);
    if (existing) return existing;
    const dir = this.volumeDir(volName);
    const tmp = join(this.root, 'volumes', `.creating-${volName}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(join(tmp, '_data'), { recursive: true, mode: 0o755 });
      await chmod(tmp, 0o701);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (errnoCode(err) === 'ENOTEMPTY' || errnoCode(err) === 'EEXIST') {
        // A directory without a record: left by a crash between rename and addVolume. Reuse it.
      } else {
        throw wrap(err, `create volume ${volName}`);
      }
    }
    const record: VolumeRecord = {
      name: volName, driver: 'local', mountpoint: join(dir, '_data'), labels: { ...labels }, created: new Date().toISOString(),
    };
    try {
      this.store.addVolume(record);
    } catch (err) {
      // Someone created it concurrently: theirs wins.
      const raced = this.store.getVolume(volName);
      if (raced) return raced;
      await rm(dir, { recursive: true, force: true });
      throw wrap(err, `create volume ${volName}`);
    }
    return record;
  }

  get(name: string): VolumeRecord | undefined {
    return this.store.getVolume(name);
  }

  /** Like get, but a missing volume is an error. */
  inspect(name: string): VolumeRecord {
    const v = this.store.getVolume(name);
    if (!v) throw new NotFoundError(`no such volume: ${name}`);
    return v;
  }

  list(): VolumeRecord[] {
    return this.store.listVolumes();
  }

  /**
   * Removes a volume. In use → Conflict, even with force: as in Docker, force only makes a missing volume not an
   * error (removing data under a running container is never what `-f` means).
   */
  async remove(name: string, isInUse: (name: string) => boolean, force = false): Promise<void> {
    const v = this.store.getVolume(name);
    if (!v) {
      if (force) return;
      throw new NotFoundError(`no such volume: ${name}`);
    }
    if (isInUse(name)) throw new ConflictError(`remove volume ${name}: volume is in use`);
    const dir = this.volumeDir(name);
    const trash = join(this.root, 'volumes', `.removing-${name}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(dir, trash);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw wrap(err, `remove volume ${name}`);
    }
    this.store.removeVolume(name);
    await rm(trash, { recursive: true, force: true });
  }

  /** Removes every volume not in use; reclaimed is the bytes their data took. */
  async prune(isInUse: (name: string) => boolean): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.listVolumes()) {
      if (isInUse(v.name)) continue;
      const size = await diskUsage(this.volumeDir(v.name));
      try {
        await this.remove(v.name, isInUse, true);
      } catch (err) {
        if (err instanceof ConflictError) continue; // came into use meanwhile
        throw err;
      }
      deleted.push(v.name);
      reclaimed += size;
    }
    return { deleted, reclaimed };
  }

  /**
   * Docker's copy-up: when a new volume is mounted where the image has content, that content (and the
   * directory's owner and mode) is copied into the volume. Only into an empty volume; a source that does not
   * exist or is not a directory copies nothing. Returns the bytes copied.
   */
  async populateFromImage(name: string, source: CopyUpSource): Promise<number> {
    const v = this.inspect(name);
    const src = typeof source === 'string' ? source : await resolveInRoot(source.rootfs, source.path);
    let st;
    try {
      st = await lstat(src);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 0;
      throw wrap(err, `copy image content into volume ${name}`);
    }
    if (!st.isDirectory()) return 0;
    if ((await readdir(v.mountpoint)).length > 0) return 0;
    try {
      const bytes = await copyTree(src, v.mountpoint);
      await chown(v.mountpoint, st.uid, st.gid);
      await chmod(v.mountpoint, st.mode & 0o7777);
      return bytes;
    } catch (err) {
      // Leave the volume empty rather than half-filled, so a retry copies everything.
      await emptyDir(v.mountpoint);
      throw wrap(err, `copy image content into volume ${name}`);
    }
  }

  private volumeDir(name: string): string {
    return join(this.root, 'volumes', validateName(name, 'volume'));
  }
}

async function emptyDir(dir: string): Promise<void> {
  for (const n of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, n), { recursive: true, force: true });
}
