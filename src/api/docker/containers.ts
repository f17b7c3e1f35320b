// Docker container endpoints: create, lifecycle, list, inspect, wait, rename, update, prune, top, changes, export
// and the archive endpoints of `docker cp`. Streams (logs, attach, stats, resize) are in container-io.ts.
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type ContainerRecord } from '../../core/index.js';
import type { WaitCondition } from '../../engine/index.js';
import { queryBool, queryInt, queryString, readJson, response, sendEmpty, sendJson, uploadBody } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { translateCreate, type DockerCreateBody } from './create.js';
import { checkFilterKeys, parseFilters } from './filters.js';
import { resourcesFromDocker } from './resources.js';
import { containerInspect, containerSummary } from './views.js';
import { pathStatHeader } from './path-stat.js';
import { clientGone } from '../streams.js';

// health as docker has it; stale (no CPU used, no output, for a duration) is Bulkhead's own, as in `bulkhead ps`.
const LIST_FILTERS = ['name', 'id', 'status', 'label', 'ancestor', 'exited', 'health', 'stale', 'before', 'since'];
const CHANGE_KIND = { C: 0, A: 1, D: 2 } as const;

const ref = (r: ApiRequest) => r.params.ref!;
const isActive = (c: ContainerRecord) => c.state.status === 'running' || c.state.status === 'paused';

export function dockerContainerRoutes(router: Router): void {
  router
    .add('POST', '/containers/create', async (r) => {
      const req = translateCreate(await readJson<DockerCreateBody>(r.raw), r.query.get('name') ?? undefined);
      const { id } = await r.engine.create(req);
      sendJson(response(r), 201, { Id: id, Warnings: [] });
    })
    .add('GET', '/containers/json', async (r) => sendJson(response(r), 200, listContainers(r).map(containerSummary)))
    .add('GET', '/containers/:ref/json', async (r) => sendJson(response(r), 200, containerInspect(r.engine.inspect(ref(r)))))
    // Docker answers 304 (not modified) to starting a running container and stopping a stopped one.
    .add('POST', '/containers/:ref/start', async (r) => {
      if (isActive(r.engine.inspect(ref(r)))) return sendEmpty(response(r), 304);
      await r.engine.start(ref(r));
      sendEmpty(response(r));
    })
    .add('POST', '/containers/:ref/stop', async (r) => {
      if (!isActive(r.engine.inspect(ref(r)))) return sendEmpty(response(r), 304);
      await r.engine.stop(ref(r), queryInt(r.query, 't'));
      sendEmpty(response(r));
    })
    .add('POST', '/containers/:ref/restart', async (r) => { await r.engine.restart(ref(r), queryInt(r.query, 't')); sendEmpty(response(r)); })
    .add('POST', '/containers/:ref/kill', async (r) => { await r.engine.kill(ref(r), r.query.get('signal') || undefined); sendEmpty(response(r)); })
    .add('POST', '/containers/:ref/pause', async (r) => { await r.engine.pause(ref(r)); sendEmpty(response(r)); })
    .add('POST', '/containers/:ref/unpause', async (r) => { await r.engine.unpause(ref(r)); sendEmpty(response(r)); })
    .add('POST', '/containers/:ref/rename', async (r) => { r.engine.rename(ref(r), queryString(r.query, 'name').replace(/^\//, '')); sendEmpty(response(r)); })
    .add('DELETE', '/containers/:ref', async (r) => {
      await r.engine.remove(ref(r), { force: queryBool(r.query, 'force'), volumes: queryBool(r.query, 'v') });
      sendEmpty(response(r));
    })
    .add('POST', '/containers/:ref/wait', async (r) => {
      const condition = (r.query.get('condition') || 'not-running') as WaitCondition;
      // Headers go out once the wait is armed: `docker run` waits for them before it starts the container.
      const res = response(r);
      const done = r.engine.wait(ref(r), condition, clientGone(res));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const body = await done.then((w) => ({ StatusCode: w.exitCode, Error: null }),
        (err: unknown) => ({ StatusCode: -1, Error: { Message: err instanceof Error ? err.message : String(err) } }));
      res.end(JSON.stringify(body));
    })
    .add('POST', '/containers/:ref/update', async (r) => {
      const body = await readJson<Record<string, unknown>>(r.raw);
      const policy = body.RestartPolicy as { Name?: unknown; MaximumRetryCount?: unknown } | undefined;
      const resources = resourcesFromDocker(body, 'update');
      // `docker update --restart X` sends the policy and every limit as 0 ("not given"): only what is set changes.
      if (policy?.Name !== undefined) await r.engine.setRestartPolicy(ref(r), { name: policy.Name, maximumRetryCount: policy.MaximumRetryCount });
      if (policy?.Name === undefined || Object.keys(resources).length > 0) await r.engine.update(ref(r), resources);
      sendJson(response(r), 200, { Warnings: [] });
    })
    .add('POST', '/containers/prune', async (r) => {
      // until= (a duration, RFC 3339 or unix seconds), label=, label!=: parsed by the engine (engine/sprawl).
      const report = await r.engine.pruneContainers(parseFilters(r.query.get('filters')));
      sendJson(response(r), 200, { ContainersDeleted: report.deleted, SpaceReclaimed: report.reclaimed });
    })
    .add('GET', '/containers/:ref/top', async (r) => sendJson(response(r), 200, await r.engine.top(ref(r))))
    .add('GET', '/containers/:ref/changes', async (r) => {
      const changes = await r.engine.diff(ref(r));
      sendJson(response(r), 200, changes.map((c) => ({ Path: c.path, Kind: CHANGE_KIND[c.kind] })));
    })
    .add('GET', '/containers/:ref/export', async (r) => {
      const stream = await r.engine.export(ref(r));
      response(r).writeHead(200, { 'Content-Type': 'application/x-tar' });
      await pipeline(stream, response(r));
    })
    .add('HEAD', '/containers/:ref/archive', async (r) => {
      const stat = await r.engine.statPath(ref(r), queryString(r.query, 'path'));
      response(r).writeHead(200, { 'X-Docker-Container-Path-Stat': pathStatHeader(stat) });
      response(r).end();
    })
    .add('GET', '/containers/:ref/archive', async (r) => {
      const { stream, stat } = await r.engine.copyFrom(ref(r), queryString(r.query, 'path'));
      response(r).writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': pathStatHeader(stat) });
      await pipeline(stream, response(r));
    })
    .add('PUT', '/containers/:ref/archive', async (r) => {
      await r.engine.copyTo(ref(r), queryString(r.query, 'path'), uploadBody(r));
      sendEmpty(response(r), 200);
    });
}

/** containers/json: the engine's filters, plus before/since (relative to another container) and limit. */
function listContainers(r: ApiRequest): ContainerRecord[] {
  const filters = parseFilters(r.query.get('filters'));
  checkFilterKeys(filters, LIST_FILTERS, 'containers');
  const { before, since, ...engineFilters } = filters;
  const limit = queryInt(r.query, 'limit') ?? -1;
  const all = queryBool(r.query, 'all') || limit > 0 || before !== undefined || since !== undefined;
  const createdOf = (refs: string[]) => refs.map((x) => Date.parse(r.engine.inspect(x).config.created));
  const beforeT = before && Math.min(...createdOf(before));
  const sinceT = since && Math.max(...createdOf(since));
  const list = r.engine.list({ all, filters: engineFilters })
    .filter((c) => (beforeT === undefined || Date.parse(c.config.created) < beforeT) && (sinceT === undefined || Date.parse(c.config.created) > sinceT))
    .sort((a, b) => Date.parse(b.config.created) - Date.parse(a.config.created));
  return limit > 0 ? list.slice(0, limit) : list;
}
