// Docker's volume endpoints over the engine's named volumes (driver "local", a directory on the host). Driver
// options (tmpfs, nfs, …), other drivers and cluster volumes are refused with a 400/501, never ignored.
import { InvalidArgumentError, NotSupportedError, type VolumeRecord } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { queryBool, readJson, response, sendEmpty, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { checkFilterKeys, labelMatches, parseFilters } from './filters.js';
import { boolFilter } from './images-filters.js';

export function volumeView(v: VolumeRecord) {
  return { Name: v.name, Driver: v.driver, Mountpoint: v.mountpoint, CreatedAt: v.created, Labels: v.labels, Scope: 'local', Options: {} };
}

interface CreateBody { Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null; ClusterVolumeSpec?: unknown }

async function createVolume(r: ApiRequest): Promise<void> {
  const body = await readJson<CreateBody>(r.raw);
  if (body.Driver && body.Driver !== 'local') throw new InvalidArgumentError(`volume driver "${body.Driver}" is not supported: only "local"`);
  if (body.DriverOpts && Object.keys(body.DriverOpts).length) {
    throw new InvalidArgumentError(`volume driver options are not supported (got ${Object.keys(body.DriverOpts).join(', ')}): a volume is a plain directory`);
  }
  if (body.ClusterVolumeSpec) throw new NotSupportedError('cluster volumes are not supported');
  const v = await r.engine.volumes.create(body.Name || undefined, body.Labels ?? {});
  r.engine.events.emit('volume', 'create', v.name, { driver: v.driver });
  sendJson(response(r), 201, volumeView(v));
}

function listVolumes(engine: Engine, q: URLSearchParams) {
  const f = parseFilters(q.get('filters'));
  checkFilterKeys(f, ['name', 'label', 'dangling', 'driver'], 'volumes');
  const dangling = boolFilter(f, 'dangling');
  return engine.volumes.list().filter((v) =>
    (!f.name || f.name.some((n) => v.name.includes(n))) &&
    (!f.label || f.label.every((l) => labelMatches(v.labels, l))) &&
    (!f.driver || f.driver.includes(v.driver)) &&
    (dangling === undefined || dangling === !engine.volumeInUse(v.name)));
}

/**
 * As Docker since API 1.42: only anonymous volumes unless all=true, narrowed by label= / label!= (and until=,
 * a Bulkhead extension); the engine parses the filters (engine/sprawl) and keeps what is in use.
 */
async function pruneVolumes(engine: Engine, q: URLSearchParams) {
  const result = await engine.pruneVolumes(parseFilters(q.get('filters')), { anonymousOnly: true });
  return { VolumesDeleted: result.deleted.length ? result.deleted : null, SpaceReclaimed: result.reclaimed };
}

export function dockerVolumeRoutes(router: Router): void {
  router
    .add('POST', '/volumes/create', createVolume)
    .add('GET', '/volumes', async (r) => sendJson(response(r), 200, { Volumes: listVolumes(r.engine, r.query).map(volumeView), Warnings: [] }))
    .add('POST', '/volumes/prune', async (r) => sendJson(response(r), 200, await pruneVolumes(r.engine, r.query)))
    .add('GET', '/volumes/:name', async (r) => sendJson(response(r), 200, volumeView(r.engine.volumes.inspect(r.params.name!))))
    .add('PUT', '/volumes/:name', async () => { throw new NotSupportedError('updating a volume is only for cluster volumes, which are not supported'); })
    .add('DELETE', '/volumes/:name', async (r) => {
      const name = r.params.name!;
      const existed = r.engine.volumes.get(name) !== undefined;
      await r.engine.volumes.remove(name, (n) => r.engine.volumeInUse(n), queryBool(r.query, 'force'));
      if (existed) r.engine.events.emit('volume', 'destroy', name, {});
      sendEmpty(response(r));
    });
}
