// The container's filesystem as cp sees it: the rootfs plus the mounts its processes see, each with the host
// path of its content. The engine's /etc files count once it has written them (at the first start; a container
// that never ran has the image's). A user mount on the same path replaces the engine's, as in the OCI spec
// (specgen mergeMounts).
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { NotFoundError, type ContainerRecord } from '../../core/index.js';
import { ETC_FILES } from '../../specgen/index.js';
import { buildView, type ContainerView, type ViewMount } from '../../storage/index.js';
import { runDir, type EngineContext } from '../context.js';

export function containerView(ctx: EngineContext, rec: ContainerRecord, rootfs: string): Promise<ContainerView> {
  const user = rec.config.mounts.map((m): ViewMount => {
    const destination = posix.normalize(m.target).replace(/(.)\/+$/, '$1');
    if (m.type === 'tmpfs') return { destination, readOnly: m.readOnly };
    if (m.type === 'bind') return { destination, source: m.source, readOnly: m.readOnly };
    const volume = ctx.volumes.get(m.source);
    if (!volume) throw new NotFoundError(`volume ${m.source} of container ${rec.name} (mounted at ${destination}) no longer exists`);
    return { destination, source: volume.mountpoint, readOnly: m.readOnly };
  });
  const taken = new Set(user.map((m) => m.destination));
  const etc = ETC_FILES
    .map((name): ViewMount => ({ destination: `/etc/${name}`, source: join(runDir(ctx, rec.config.id), name), readOnly: false }))
    .filter((m) => !taken.has(m.destination) && existsSync(m.source!));
  // Parents first, as specgen orders them for the runtime (userMounts).
  const depth = (m: ViewMount) => m.destination.split('/').length;
  return buildView(rootfs, [...etc, ...user.sort((a, b) => depth(a) - depth(b))]);
}
