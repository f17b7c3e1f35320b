// Resource routes: change a container's limits (update) and read what containers consume (stats). Streams are
// NDJSON, one sample per line, one line per second, until the client goes away or the container stops.
import type { ServerResponse } from 'node:http';
import type { ResourceLimits } from '../../core/index.js';
import { queryBool, readJson, response, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';

const P = '/bulkhead/containers';

export function resourceRoutes(router: Router): void {
  router
    .add('POST', `${P}/:ref/update`, async (r) => {
      sendJson(response(r), 200, { resources: await r.engine.update(r.params.ref!, await readJson<ResourceLimits>(r.raw)) });
    })
    .add('POST', `${P}/:ref/restart-policy`, async (r) => {
      await r.engine.setRestartPolicy(r.params.ref!, await readJson<{ name?: unknown; maximumRetryCount?: unknown }>(r.raw));
      sendJson(response(r), 200, {});
    })
    .add('GET', `${P}/:ref/stats`, async (r) => {
      if (!queryBool(r.query, 'stream', true)) return sendJson(response(r), 200, await r.engine.stats(r.params.ref!));
      const abort = closeSignal(r);
      const samples = r.engine.statsStream(r.params.ref!, abort.signal);
      // The first sample comes before the headers, so a container that is not running is a plain error answer.
      const first = await samples.next();
      const res = startStream(response(r));
      if (!first.done) res.write(JSON.stringify(first.value) + '\n');
      for await (const s of samples) res.write(JSON.stringify(s) + '\n');
      res.end();
    })
    .add('GET', '/bulkhead/stats', async (r) => {
      if (!queryBool(r.query, 'stream', false)) return sendJson(response(r), 200, await r.engine.statsAll());
      const abort = closeSignal(r);
      const res = startStream(response(r));
      while (!abort.signal.aborted) {
        const all = await r.engine.statsAll();
        if (!abort.signal.aborted) res.write(JSON.stringify(all) + '\n');
      }
      res.end();
    });
}

function closeSignal(r: ApiRequest): AbortController {
  const abort = new AbortController();
  r.raw.on('close', () => abort.abort());
  response(r).on('close', () => abort.abort());
  return abort;
}

function startStream(res: ServerResponse): ServerResponse {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  res.flushHeaders();
  return res;
}
