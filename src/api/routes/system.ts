// System routes: version, info, events, disk usage, prune, and daemon shutdown. (/_ping is the Docker API's, src/api/docker.)
import { API_VERSION, ENGINE_VERSION, diskUsageReport, engineInfo, systemPrune, pruneContainers } from '../../engine/index.js';
import { queryBool, queryInt, queryJson, response, sendJson } from '../request.js';
import type { Router } from '../router.js';

export function systemRoutes(router: Router, shutdown: () => void): void {
  router
    .add('GET', '/bulkhead/version', async (r) => sendJson(response(r), 200, {
      version: ENGINE_VERSION, apiVersion: API_VERSION, node: process.version, os: process.platform, arch: process.arch,
      runtime: r.engine.runtime.name,
    }))
    .add('GET', '/bulkhead/info', async (r) => sendJson(response(r), 200, await engineInfo(r.engine)))
    .add('GET', '/bulkhead/system/df', async (r) => sendJson(response(r), 200, await diskUsageReport(r.engine)))
    .add('POST', '/bulkhead/system/prune', async (r) => sendJson(response(r), 200,
      await systemPrune(r.engine, { all: queryBool(r.query, 'all'), volumes: queryBool(r.query, 'volumes'), filters: filtersOf(r.query) })))
    .add('POST', '/bulkhead/containers/prune', async (r) => sendJson(response(r), 200, await pruneContainers(r.engine, filtersOf(r.query))))
    .add('POST', '/bulkhead/build/prune', async (r) => sendJson(response(r), 200, await r.engine.pruneBuildCache(filtersOf(r.query))))
    .add('GET', '/bulkhead/events', async (r) => {
      const res = response(r);
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.flushHeaders();
      const until = queryInt(r.query, 'until');
      const unsubscribe = r.engine.events.subscribe((e) => {
        if (until !== undefined && e.time > until) return;
        res.write(JSON.stringify(e) + '\n');
      }, queryInt(r.query, 'since'));
      r.raw.on('close', unsubscribe);
      if (until !== undefined) {
        // Replay, then stream live until that moment (docker's --until).
        const finish = () => { unsubscribe(); res.end(); };
        const ms = until * 1000 - Date.now();
        if (ms <= 0) finish(); else setTimeout(finish, ms).unref();
      }
    })
    .add('POST', '/bulkhead/daemon/stop', async (r) => {
      sendJson(response(r), 200, { stopping: true, pid: process.pid });
      setImmediate(shutdown);
    });
}

/** The `filters` query parameter of the prunes: JSON of key → values, as the CLI's repeated --filter gives them. */
export function filtersOf(q: URLSearchParams): Record<string, string[]> | undefined {
  return queryJson<Record<string, string[]>>(q, 'filters');
}
