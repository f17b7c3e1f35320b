// A container's filesystem as its processes see it, for `cp`: the root filesystem with the container's mounts
// laid over it (the engine's /etc files, binds, volumes). A container path belongs to the mount with the longest
// destination that is a prefix of it, and lives under that mount's host source. Symlinks are resolved as the
// container sees them (resolveComponents), so a link inside a volume that points to "/" names the container's
// root, never the host's.
import { posix, resolve } from 'node:path';
import { NotSupportedError } from '../core/index.js';
import { resolveComponents } from './secure-path.js';

export interface ViewMount {
  destination: string;   // clean absolute path in the container
  /** Host path of what is mounted there; absent for a tmpfs, which exists only in the container's mount namespace. */
  source?: string;
  readOnly: boolean;
}

export interface ContainerView {
  rootfs: string;        // the mounted root filesystem on the host
  mounts: ViewMount[];
}

/** Where a resolved container path lives: on the host, and in which mount (none: the root filesystem). */
export interface ViewPath {
  containerPath: string;
  hostPath: string;
  /** The host directory (or file) the path cannot leave: the mount's source or the rootfs. */
  base: string;
  mount?: ViewMount;
}

/**
 * The view of `mounts` (in the order the runtime mounts them, parents first) over `rootfs`. Each destination is
 * taken where the runtime put it: resolved through the rootfs and the mounts before it, as runc follows symlinks
 * (an image's /var/run -> /run puts a mount at /var/run/x on /run/x).
 */
export async function buildView(rootfs: string, mounts: readonly ViewMount[]): Promise<ContainerView> {
  const view: ContainerView = { rootfs, mounts: [] };
  for (const m of mounts) {
    const destination = await resolveInView(view, m.destination, true).then((at) => at.containerPath, () => m.destination);
    view.mounts.push({ ...m, destination });
  }
  return view;
}

/** The mount holding a clean container path: the longest destination that is the path or one of its parents. */
export function mountOf(view: ContainerView, containerPath: string): ViewMount | undefined {
  let best: ViewMount | undefined;
  for (const m of view.mounts) {
    const holds = containerPath === m.destination || containerPath.startsWith(m.destination === '/' ? '/' : `${m.destination}/`);
    if (holds && (!best || m.destination.length > best.destination.length)) best = m;
  }
  return best;
}

/** Maps a clean container path to the host. A tmpfs has no host side: that is an error, not the rootfs below it. */
export function locate(view: ContainerView, containerPath: string): ViewPath {
  const mount = mountOf(view, containerPath);
  if (!mount) return { containerPath, hostPath: resolve(view.rootfs, `.${containerPath}`), base: resolve(view.rootfs) };
  if (mount.source === undefined) {
    throw new NotSupportedError(`cannot copy ${containerPath}: ${mount.destination} is a tmpfs mount, whose files exist only `
      + 'inside the running container (use exec with tar instead)');
  }
  const rest = posix.relative(mount.destination, containerPath);
  return { containerPath, hostPath: resolve(mount.source, rest), base: resolve(mount.source), mount };
}

/**
 * Resolves a container path through the view, following symlinks as the container would. The last component is
 * followed only when `followLast` is set (docker cp follows it for "dir/" and "dir/." only).
 */
export async function resolveInView(view: ContainerView, containerPath: string, followLast: boolean): Promise<ViewPath> {
  const hostOf = (parts: string[]) => locate(view, `/${parts.join('/')}`).hostPath;
  const clean = posix.normalize(`/${containerPath}`);
  if (followLast || clean === '/') return locate(view, `/${(await resolveComponents(hostOf, clean)).join('/')}`);
  const parent = await resolveComponents(hostOf, posix.dirname(clean));
  return locate(view, `/${[...parent, posix.basename(clean)].join('/')}`);
}
