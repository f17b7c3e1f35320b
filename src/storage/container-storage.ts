// Per-container root filesystems: an overlay of the image's layer dirs (read-only, shared) under the
// container's own upper dir. Layout, under <root>/containers/<id>/ (the engine keeps its bundle and logs in the
// same directory, so removing a container removes everything at once):
//   upper/   the container's writes (overlay upperdir)   work/  overlay's scratch dir
//   rootfs/  the merged mount point                      l/N    short links to the lower dirs (overlay.ts)
//   idmap    for a user-namespaced container: its range (JSON), so removal knows which shifted cache it used
// A removed container's directory is renamed into <root>/trash/ and its files deleted there in the background,
// so a removal (the last step of `run --rm`) does not wait for them; sweepTrash() finishes what a crash cut short.
// A user-namespaced container mounts shifted copies of the layers (id-shift.ts) and owns its upper dir as the
// mapped root; its runc init runs as that unprivileged host uid, so every directory on the way to the rootfs
// must be searchable by others (0711: search, not list).
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, StateInvalidError, errnoCode, wrap } from '../core/index.js';
import { packPath } from '../archive/index.js';
import { computeChanges, type Change } from './changes.js';
import { upperLayerTar } from './layer-tar.js';
import { isMountPoint } from './mountinfo.js';
import { mountOverlay, unmountOverlay } from './overlay.js';
import { removeShifted, shiftedLowerDirs, type IdMap } from './id-shift.js';

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

  /**
   * Creates the container's directories (idempotent) and returns where its rootfs will be mounted. With an
   * idMap the shifted layer copies are built here too, so a create fails (and is undone) rather than a start.
   */
  async prepare(id: string, lowerDirs: string[], idMap?: IdMap): Promise<string> {
    if (lowerDirs.length === 0) throw new InvalidArgumentError(`container ${id}: image has no layers`);
    const dir = this.dir(id);
    try {
      const fresh = !existsSync(join(dir, 'upper'));
      for (const sub of ['upper', 'work', 'rootfs']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
      if (fresh) {
        // overlayfs shows the upper dir's own mode and owner as the container's "/": give it the image's, or a
        // non-root user could not even look up /etc. Only once: later changes to "/" belong to the container.
        const top = await stat(lowerDirs[0]!);
        await chmod(join(dir, 'upper'), top.mode & 0o7777);
        await chown(join(dir, 'upper'), top.uid, top.gid);
      }
      if (idMap) await this.prepareIdMapped(id, lowerDirs, idMap);
    } catch (err) {
      throw wrap(err, `prepare storage for container ${id}`);
    }
    return this.rootfsPath(id);
  }

  /**
   * Mounts the rootfs (preparing it if needed); a no-op when the kernel says it is already mounted. `volatile`
   * skips every sync of the upper dir (podman does this for --rm containers, whose files nobody keeps).
   */
  async mount(id: string, lowerDirs: string[], idMap?: IdMap, opts: { volatile?: boolean } = {}): Promise<string> {
    const rootfs = await this.prepare(id, lowerDirs, idMap);
    if (isMountPoint(rootfs)) return rootfs;
    const lowers = idMap ? await shiftedLowerDirs(this.root, lowerDirs, idMap) : lowerDirs;
    await mountOverlay({ dir: this.dir(id), lowerDirs: lowers, upper: 'upper', work: 'work', target: rootfs, volatile: opts.volatile });
    return rootfs;
  }

  private async prepareIdMapped(id: string, lowerDirs: string[], idMap: IdMap): Promise<void> {
    const dir = this.dir(id);
    // The marker first: if the shifting below fails, remove() still finds and frees the half-used cache.
    await writeFile(join(dir, 'idmap'), JSON.stringify(idMap));
    await searchable(this.root);
    await searchable(join(this.root, 'containers'));
    await chmod(dir, 0o711);
    // The upper dir's root is the container's "/": the mapped root must own it to write there.
    for (const sub of ['upper', 'work']) await chown(join(dir, sub), idMap.hostUid, idMap.hostGid);
    await shiftedLowerDirs(this.root, lowerDirs, idMap);
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
      const idMap = await this.idMapOf(id);
      await this.discard(this.dir(id));
      if (idMap && !(await this.rangeInUse(idMap.hostUid))) await removeShifted(this.root, idMap.hostUid);
    } catch (err) {
      throw wrap(err, `remove storage of container ${id}`);
    }
  }

  /** Moves dir out of the way at once (same filesystem: a rename) and deletes it in the background. */
  private async discard(dir: string): Promise<void> {
    const trash = join(this.root, 'trash');
    const doomed = join(trash, randomBytes(8).toString('hex'));
    await mkdir(trash, { recursive: true });
    try {
      await rename(dir, doomed);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return; // removed already
      throw err;
    }
    void rm(doomed, { recursive: true, force: true }).catch(() => undefined); // sweepTrash() retries at next start
  }

  /** Deletes what a removal left in the trash (the daemon stopped before its background delete finished). */
  async sweepTrash(): Promise<void> {
    await rm(join(this.root, 'trash'), { recursive: true, force: true });
  }

  private async idMapOf(id: string): Promise<IdMap | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir(id), 'idmap'), 'utf8')) as IdMap;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Whether any container directory left still uses the shifted cache of hostUid. */
  private async rangeInUse(hostUid: number): Promise<boolean> {
    let ids: string[];
    try {
      ids = await readdir(join(this.root, 'containers'));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    for (const other of ids) {
      if (!ID_RE.test(other)) continue;
      const map = await this.idMapOf(other).catch(() => undefined);
      if (map?.hostUid === hostUid) return true;
    }
    return false;
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

/**
 * Adds search permission for others to dir, and checks its ancestors have it: the mapped root of a user
 * namespace is "others" to everything the engine owns, and runc's init must walk down to the rootfs.
 */
async function searchable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const st = await stat(dir);
  if ((st.mode & 0o001) === 0) await chmod(dir, (st.mode & 0o7777) | 0o011);
  for (let p = dirname(dir); ; p = dirname(p)) {
    const mode = (await stat(p)).mode;
    if ((mode & 0o001) === 0) {
      throw new InvalidArgumentError(`--userns=auto: ${p} (mode ${(mode & 0o7777).toString(8)}) is not searchable by others, so a ` +
        `user-namespaced container cannot reach its root filesystem under it: chmod o+x ${p}`);
    }
    if (p === '/') break;
  }
}
