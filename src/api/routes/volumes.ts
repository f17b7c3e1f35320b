// Volume routes (/bulkhead/volumes/…).
import { NotFoundError } from '../../core/index.js';
import { queryBool, readJson, response, sendEmpty, sendJson } from '../request.js';
import type { Router } from '../router.js';
import { filtersOf } from './system.js';

const P = '/bulkhead/volumes';

export function volumeRoutes(router: Router): void {
  router
    .add('POST', P, async (r) => {
      const body = await readJson<{ name?: string; labels?: Record<string, string> }>(r.raw);
      const v = await r.engine.volumes.create(body.name, body.labels);
      r.engine.events.emit('volume', 'create', v.name, {});
      sendJson(response(r), 201, v);
    })
    .add('GET', P, async (r) => sendJson(response(r), 200, r.engine.volumes.list()))
    .add('POST', `${P}/prune`, async (r) => sendJson(response(r), 200, await r.engine.pruneVolumes(filtersOf(r.query))))
    .add('GET', `${P}/:name`, async (r) => {
      const v = r.engine.volumes.get(r.params.name!);
      if (!v) throw new NotFoundError(`no such volume: ${r.params.name}`);
      sendJson(response(r), 200, v);
    })
    .add('DELETE', `${P}/:name`, async (r) => {
      await r.engine.volumes.remove(r.params.name!, (n) => r.engine.volumeInUse(n), queryBool(r.query, 'force'));
      r.engine.events.emit('volume', 'destroy', r.params.name!, {});
      sendEmpty(response(r));
    });
}
