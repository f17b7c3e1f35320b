// Per-container root filesystems: an overlay of the image's layer dirs (read-only, shared) under the
// container's own upper dir. Layout, under <root>/containers/<id>/ (the engine keeps its bundle and logs in the
// same directory, so removing a container removes everything at once):
//   upper/   the container's writes (overlay upperdir)   work/  overlay's scratch dir
//   rootfs/  the merged mount point                      l/N    short links to the lower dirs (overlay.ts)
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, StateInvalidError, wrap } from '../core/index.js';
import { packPath } from '../archive/index.js';
import { computeChanges, type Change } from './changes.js';
import { upperLayerTar } from './layer-tar.js';
import { isMountPoint } from './mountinfo.js';
import { mountOverlay, unmountOverlay } from './overlay.js';

export interface ContainerStorageOptions {
  root: string;
}

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export class ContainerStorage {
  readonly root: string;

  constructor(opts: ContainerStorageOptions) {
    this.root = opts.root;
  }

  dir(id: string): string {
    // The id becomes a path: a "../x" here would let a caller bug reach outside the storage root.
    if (!ID_RE.test(id)) throw new InvalidArgumentError(`invalid container id "${id}"`);
    return join(this.root, 'containers', id);
  }

  rootfsPath(id: string): string {
    return join(this.dir(id), 'rootfs');
  }

  upperPath(id: string): string {
    return join(this.dir(id), 'upper');
  }

  /** Creates the container's directories (idempotent) and returns where its rootfs will be mounted. */
  async prepare(id: string, lowerDirs: string[]): Promise<string> {
    if (lowerDirs.length === 0) throw new InvalidArgumentError(`container ${id}: image has no layers`);
    const dir = this.dir(id);
    try {
      for (const sub of ['upper', 'work', 'rootfs']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw wrap(err, `prepare storage for container ${id}`);
    }
    return this.rootfsPath(id);
  }

  /** Mounts the rootfs (preparing it if needed); a no-op when the kernel says it is already mounted. */
  async mount(id: string, lowerDirs: string[]): Promise<string> {
    const rootfs = await this.prepare(id, lowerDirs);
    if (isMountPoint(rootfs)) return rootfs;
    await mountOverlay({ dir: this.dir(id), lowerDirs, upper: 'upper', work: 'work', target: rootfs });
    return rootfs;
  }

  async unmount(id: string): Promise<void> {
    await unmountOverlay(this.rootfsPath(id));
  }

  isMounted(id: string): boolean {
    return isMountPoint(this.rootfsPath(id));
  }

  /** Unmounts and deletes everything of the container; deleting one that is gone is not an error. */
  async remove(id: string): Promise<void> {
    await this.unmount(id);
    // rm -rf must never run through a live mount: it would delete the image layers (or worse) below it.
    if (this.isMounted(id)) throw new StateInvalidError(`container ${id}: root filesystem is still mounted`);
    try {
      await rm(this.dir(id), { recursive: true, force: true });
    } catch (err) {
      throw wrap(err, `remove storage of container ${id}`);
    }
  }

  /** `docker diff`: the container's changes, sorted by path. */
  async changes(id: string, lowerDirs: string[]): Promise<Change[]> {
    return computeChanges(this.upperPath(id), lowerDirs);
  }

  /** `docker export`: the whole merged filesystem. The rootfs must be mounted. */
  exportRootfs(id: string): Readable {
    const rootfs = this.rootfsPath(id);
    if (!isMountPoint(rootfs)) throw new StateInvalidError(`container ${id}: root filesystem is not mounted`);
    return packPath(rootfs, { rebaseName: '.' });
  }

  /** The container's changes as an OCI layer tar (for `commit`). */
  layerTar(id: string): Readable {
    return upperLayerTar(this.upperPath(id));
  }
}
