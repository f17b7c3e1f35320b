// Container routes of Bulkhead's own API (/bulkhead/containers/…).
import { pipeline } from 'node:stream/promises';
import { StateInvalidError } from '../../core/index.js';
import type { CreateRequest, ExecRequest, WaitCondition } from '../../engine/index.js';
import { queryBool, queryInt, queryJson, queryString, readJson, response, sendEmpty, sendJson, upgraded, uploadBody } from '../request.js';
import type { Router } from '../router.js';
import { clientGone, forwardOutput, hijackResponse, pumpSession } from '../streams.js';
import { CONTAINER_ID_HEADER, frame, STDERR, STDOUT, SYSTEM } from '../wire.js';
import { containerView } from '../views.js';

const P = '/bulkhead/containers';

export function containerRoutes(router: Router): void {
  router
    .add('POST', P, async (r) => sendJson(response(r), 201, await r.engine.create(await readJson<CreateRequest>(r.raw))))
    // `bulkhead run` in one request (engine/containers/run.ts). With detach=1 the answer is the container's id and
    // name once it runs. Otherwise it is the container's output, framed even with a terminal, then one SYSTEM frame
    // with its exit: {exitCode, oomKilled}, or {exitCode: -1, error} when the wait failed.
    .add('POST', `${P}/run`, async (r) => {
      const req = await readJson<CreateRequest>(r.raw);
      const out = response(r);
      if (queryBool(r.query, 'detach')) {
        return sendJson(out, 201, await r.engine.runDetached(req));
      }
      const run = await r.engine.runAttached(req);
      out.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream', [CONTAINER_ID_HEADER]: run.id });
      // Now, not with the first output: the client needs the id to pass Ctrl-C on to a container still silent.
      out.flushHeaders();
      clientGone(out).addEventListener('abort', () => run.session.close());
      await forwardOutput(out, run.session, false);
      const exit = await run.exit.catch((err: unknown) => ({ exitCode: -1, error: err instanceof Error ? err.message : String(err) }));
      out.end(frame(SYSTEM, Buffer.from(JSON.stringify(exit))));
    })
    .add('GET', P, async (r) => {
      const filters = queryJson<Record<string, string[]>>(r.query, 'filters');
      sendJson(response(r), 200, r.engine.list({ all: queryBool(r.query, 'all'), filters }).map(containerView));
    })
    .add('GET', `${P}/:ref`, async (r) => sendJson(response(r), 200, containerView(r.engine.inspect(r.params.ref!))))
    .add('POST', `${P}/:ref/start`, async (r) => { await r.engine.start(r.params.ref!); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/stop`, async (r) => { await r.engine.stop(r.params.ref!, queryInt(r.query, 't')); sendEmpty(response(r)); })
    // Re-creates the container from its re-verified image (engine/containers/replace.ts): {id, name, replaced, started}.
    .add('POST', `${P}/:ref/replace`, async (r) => sendJson(response(r), 200, await r.engine.replace(r.params.ref!, { timeoutSeconds: queryInt(r.query, 't') })))
    .add('POST', `${P}/:ref/restart`, async (r) => { await r.engine.restart(r.params.ref!, queryInt(r.query, 't')); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/kill`, async (r) => { await r.engine.kill(r.params.ref!, r.query.get('signal') || undefined); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/pause`, async (r) => { await r.engine.pause(r.params.ref!); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/unpause`, async (r) => { await r.engine.unpause(r.params.ref!); sendEmpty(response(r)); })
    .add('POST', `${P}/:ref/rename`, async (r) => { r.engine.rename(r.params.ref!, queryString(r.query, 'name')); sendEmpty(response(r)); })
    .add('DELETE', `${P}/:ref`, async (r) => {
      await r.engine.remove(r.params.ref!, { force: queryBool(r.query, 'force'), volumes: queryBool(r.query, 'volumes') });
      sendEmpty(response(r));
    })
    .add('POST', `${P}/:ref/wait`, async (r) => {
      // Headers go out once the wait is armed, so a client may start the container as soon as it sees them.
      const out = response(r);
      const done = r.engine.wait(r.params.ref!, (r.query.get('condition') || 'not-running') as WaitCondition, clientGone(out));
      out.writeHead(200, { 'Content-Type': 'application/json' });
      out.flushHeaders();
      const result = await done.catch((err: unknown) => ({ exitCode: -1, error: err instanceof Error ? err.message : String(err) }));
      out.end(JSON.stringify(result));
    })
    .add('POST', `${P}/:ref/resize`, async (r) => {
      await r.engine.resize(r.params.ref!, queryInt(r.query, 'h') ?? 0, queryInt(r.query, 'w') ?? 0);
      sendEmpty(response(r));
    })
    .add('POST', `${P}/:ref/attach`, async (r) => {
      const { socket, head } = upgraded(r);
      const stdin = queryBool(r.query, 'stdin');
      const handle = await r.engine.attach(r.params.ref!, { stdin });
      hijackResponse(socket, handle.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
      socket.on('close', () => handle.cancel());
      const session = await handle.session;
      socket.on('close', () => session.close());
      await pumpSession(socket, head, session, handle.tty, stdin);
      socket.end();
    })
    .add('GET', `${P}/:ref/logs`, async (r) => {
      const q = r.query;
      const tailText = q.get('tail');
      const tail = tailText && tailText !== 'all' ? queryInt(q, 'tail') : undefined;
      const tty = r.engine.inspect(r.params.ref!).config.tty;
      const abort = new AbortController();
      r.raw.on('close', () => abort.abort());
      const entries = r.engine.logs(r.params.ref!, { follow: queryBool(q, 'follow'), tail, since: queryInt(q, 'since'),
        timestamps: queryBool(q, 'timestamps'), stdout: queryBool(q, 'stdout', true), stderr: queryBool(q, 'stderr', true) }, abort.signal);
      const out = response(r);
      let started = false;
      for await (const e of entries) {
        if (!started) { out.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' }); started = true; }
        const line = Buffer.from(queryBool(q, 'timestamps') ? `${e.time} ${e.text}` : e.text);
        out.write(tty ? line : frame(e.stream === 'stdout' ? STDOUT : STDERR, line));
      }
      if (!started) out.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      out.end();
    })
    .add('POST', `${P}/:ref/exec`, async (r) => {
      sendJson(response(r), 201, { id: (await r.engine.createExec(r.params.ref!, await readJson<ExecRequest>(r.raw))).id });
    })
    .add('GET', `${P}/:ref/top`, async (r) => sendJson(response(r), 200, await r.engine.top(r.params.ref!)))
    .add('GET', `${P}/:ref/changes`, async (r) => sendJson(response(r), 200, await r.engine.diff(r.params.ref!)))
    .add('GET', `${P}/:ref/export`, async (r) => {
      const stream = await r.engine.export(r.params.ref!);
      response(r).writeHead(200, { 'Content-Type': 'application/x-tar' });
      await pipeline(stream, response(r));
    })
    .add('GET', `${P}/:ref/archive`, async (r) => {
      const { stream, stat } = await r.engine.copyFrom(r.params.ref!, queryString(r.query, 'path'));
      response(r).writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Bulkhead-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') });
      await pipeline(stream, response(r));
    })
    .add('HEAD', `${P}/:ref/archive`, async (r) => {
      const stat = await r.engine.statPath(r.params.ref!, queryString(r.query, 'path'));
      response(r).writeHead(200, { 'X-Bulkhead-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') });
      response(r).end();
    })
    .add('PUT', `${P}/:ref/archive`, async (r) => {
      await r.engine.copyTo(r.params.ref!, queryString(r.query, 'path'), uploadBody(r));
      sendEmpty(response(r), 200);
    })
    .add('POST', `${P}/:ref/commit`, async (r) => {
      const image = await r.engine.commit(r.params.ref!, await readJson(r.raw));
      sendJson(response(r), 201, { id: image.id });
    });

  router
    .add('POST', '/bulkhead/exec/:id/start', async (r) => {
      const { socket, head } = upgraded(r);
      const inst = r.engine.inspectExec(r.params.id!);
      const session = await r.engine.startExec(r.params.id!);
      const tty = inst.request.tty ?? false;
      hijackResponse(socket, tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
      socket.on('close', () => session.close());
      await pumpSession(socket, head, session, tty, inst.request.stdin ?? false);
      await session.exitCode.catch(() => undefined);
      socket.end();
    })
    .add('POST', '/bulkhead/exec/:id/resize', async (r) => {
      const session = r.engine.inspectExec(r.params.id!).session;
      if (!session) throw new StateInvalidError('exec instance has not started');
      await session.resize(queryInt(r.query, 'h') ?? 0, queryInt(r.query, 'w') ?? 0);
      sendEmpty(response(r));
    })
    .add('GET', '/bulkhead/exec/:id', async (r) => {
      const inst = r.engine.inspectExec(r.params.id!);
      sendJson(response(r), 200, { id: inst.id, containerId: inst.containerId, running: inst.running, exitCode: inst.exitCode });
    });
}
