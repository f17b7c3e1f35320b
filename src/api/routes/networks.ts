// Network routes (/bulkhead/networks/…): create, list, inspect, remove, prune, connect, disconnect; and the
// published ports of a container (`bulkhead port`).
import type { NetworkCreateRequest } from '../../engine/index.js';
import { readJson, response, sendEmpty, sendJson } from '../request.js';
import type { Router } from '../router.js';
import { filtersOf } from './system.js';

const P = '/bulkhead/networks';

export function networkRoutes(router: Router): void {
  router
    .add('POST', P, async (r) => sendJson(response(r), 201, await r.engine.createNetwork(await readJson<NetworkCreateRequest>(r.raw))))
    .add('GET', P, async (r) => sendJson(response(r), 200, r.engine.listNetworks()))
    .add('POST', `${P}/prune`, async (r) => sendJson(response(r), 200, { deleted: await r.engine.pruneNetworks(filtersOf(r.query)) }))
    .add('GET', `${P}/:ref`, async (r) => sendJson(response(r), 200, r.engine.inspectNetwork(r.params.ref!)))
    .add('DELETE', `${P}/:ref`, async (r) => { await r.engine.removeNetwork(r.params.ref!); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/connect`, async (r) => {
      const body = await readJson<{ container: string; aliases?: string[]; ip?: string }>(r.raw);
      await r.engine.connect(r.params.ref!, body.container, { aliases: body.aliases, ip: body.ip });
      sendEmpty(response(r));
    })
    .add('POST', `${P}/:ref/disconnect`, async (r) => {
      const body = await readJson<{ container: string }>(r.raw);
      await r.engine.disconnect(r.params.ref!, body.container);
      sendEmpty(response(r));
    })
    .add('GET', '/bulkhead/containers/:ref/ports', async (r) => sendJson(response(r), 200, r.engine.networkSettings(r.params.ref!).Ports));
}
