// --volumes-from CONTAINER[:ro|rw] (docker's HostConfig.VolumesFrom): the new container mounts the source
// container's volumes and bind mounts at the same paths. Docker's rules (moby daemon/volumes.go
// registerMountPoints): the mode defaults to each mount's own, ":ro" makes them read-only, ":rw" keeps them as
// they are; a later --volumes-from replaces an earlier one on the same path, and the container's own -v/--mount
// on a path wins over any. tmpfs mounts are not volumes and are not shared. The mounts are copied into the new
// config at create time (a snapshot, as docker's mount points are); the specs are kept as given for inspect.
import { InvalidArgumentError, isNotFound, type ContainerConfig, type MountSpec } from '../../core/index.js';
import type { EngineContext } from '../context.js';

export function applyVolumesFrom(ctx: EngineContext, config: ContainerConfig, specs: string[]): void {
  if (specs.length === 0) return;
  const inherited = new Map<string, MountSpec>();
  for (const spec of specs) {
    const { ref, mode } = parseVolumesFrom(spec);
    const source = lookupSource(ctx, ref, spec);
    for (const m of source.config.mounts) {
      if (m.type === 'tmpfs') continue;
      // Not anonymous here: the volume belongs to the source, so `rm -v` of this container never removes it.
      const { anonymous: _owner, ...shared } = m;
      inherited.set(m.target, { ...shared, readOnly: m.readOnly || mode === 'ro' });
    }
  }
  for (const m of config.mounts) inherited.delete(m.target);
  config.mounts = [...inherited.values(), ...config.mounts];
  config.volumesFrom = [...specs];
}

/**
 * A missing source is a bad argument (400), not a 404: docker's CLI takes a 404 from create for a missing image
 * and would pull it before reporting the real cause.
 */
function lookupSource(ctx: EngineContext, ref: string, spec: string) {
  try {
    return ctx.state.lookupContainer(ref);
  } catch (err) {
    if (isNotFound(err)) throw new InvalidArgumentError(`invalid volumes-from "${spec}": no such container: ${ref}`);
    throw err;
  }
}

function parseVolumesFrom(spec: string): { ref: string; mode: 'ro' | 'rw' | '' } {
  const [ref, mode = '', ...extra] = spec.split(':');
  if (!ref || extra.length > 0) throw new InvalidArgumentError(`invalid volumes-from "${spec}": expected CONTAINER[:ro|rw]`);
  if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw new InvalidArgumentError(`invalid mode for volumes-from: ${mode}`);
  return { ref, mode };
}
