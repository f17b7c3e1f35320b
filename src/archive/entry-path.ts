// Where a tar entry may land. Entry names are untrusted: they are cleaned into components (no "..", leading "/"
// dropped as tar does), and the parent directories are then walked one component at a time with lstat, resolving
// any symlink found on the way as if destDir were "/" (like a chroot), so no entry can reach outside destDir
// whatever links earlier entries created.
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../core/index.js';

const MAX_LINK_HOPS = 40; // Linux's own limit (MAXSYMLINKS)

/** Splits an entry name into path components, or throws when it tries to climb out of the destination. */
export function entryComponents(name: string, what = 'tar entry'): string[] {
  if (name.includes('\0')) throw new InvalidArgumentError(`${what} "${name}": name contains a NUL byte`);
  const comps = name.split('/').filter((c) => c !== '' && c !== '.');
  if (comps.includes('..')) {
    throw new InvalidArgumentError(`${what} "${name}": path with ".." would escape the destination`);
  }
  return comps;
}

/**
 * Resolves directories inside one extraction. `known` caches relative paths already checked to be real
 * directories; the extractor clears it whenever it removes or replaces something, because then the tree changed.
 */
export class ScopedResolver {
  private readonly known = new Set<string>();

  constructor(readonly root: string) {}

  forget(): void {
    this.known.clear();
  }

  /**
   * The real absolute directory that `dirComps` denotes inside root, creating missing directories (0755, like
   * moby does for implicit parents) when `create` is set. Symlinks are followed only within root.
   */
  async dir(dirComps: string[], create: boolean, entryName: string): Promise<string> {
    const key = dirComps.join('/');
    if (this.known.has(key)) return join(this.root, key);
    const stack: string[] = [];
    const queue = [...dirComps];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') { stack.pop(); continue; } // only ever from a symlink target: clamped at root
      const path = join(this.root, ...stack, c);
      const st = await lstat(path).catch((err) => {
        if (errnoCode(err) === 'ENOENT') return undefined;
        throw err;
      });
      if (st === undefined) {
        if (!create) throw new InvalidArgumentError(`tar entry "${entryName}": ${join(...stack, c)} does not exist`);
        await mkdir(path, { mode: 0o755 });
        stack.push(c);
      } else if (st.isSymbolicLink()) {
        if (++hops > MAX_LINK_HOPS) throw new InvalidArgumentError(`tar entry "${entryName}": too many levels of symbolic links`);
        const target = await readlink(path);
        if (target.startsWith('/')) stack.length = 0;
        queue.unshift(...target.split('/'));
      } else if (st.isDirectory()) {
        stack.push(c);
      } else {
        throw new InvalidArgumentError(`tar entry "${entryName}": ${join(...stack, c)} is not a directory`);
      }
    }
    const resolved = stack.join('/');
    if (resolved === key) this.known.add(key);
    return join(this.root, resolved);
  }
}
