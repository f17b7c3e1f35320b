// Allocation and interference routes: the CPU and memory allocation map, the static interference graph, and a
// measurement run. A measurement takes minutes, so it answers NDJSON: {progress} lines as it goes, then
// {report} or {error, kind}; a client that goes away abandons it and the engine removes its probe containers.
import { errorKind } from '../../core/index.js';
import type { MeasureOptions } from '../../analysis/measure/index.js';
import { queryInt, readJson, response, sendJson } from '../request.js';
import type { Router } from '../router.js';
import { startNdjson } from '../streams.js';

export function allocationRoutes(router: Router): void {
  router
    .add('GET', '/bulkhead/alloc', async (r) => sendJson(response(r), 200, r.engine.allocation()))
    .add('GET', '/bulkhead/interference', async (r) => {
      const focus = r.query.getAll('container').filter(Boolean);
      sendJson(response(r), 200, await r.engine.interference(focus, queryInt(r.query, 'top')));
    })
    .add('POST', '/bulkhead/interference/measure', async (r) => {
      const body = await readJson<Partial<MeasureOptions>>(r.raw);
      const res = response(r);
      const { send, signal } = startNdjson(res);
      try {
        send({ report: await r.engine.measureInterference(body, (progress) => send({ progress }), signal) });
      } catch (err) {
        send({ error: err instanceof Error ? err.message : String(err), kind: errorKind(err) });
      }
      res.end();
    });
}
