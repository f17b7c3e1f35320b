// Docker container streams: logs (framed unless tty), attach (hijacked or plain), tty resize and stats.
import { InvalidArgumentError } from '../../core/index.js';
import { queryBool, queryInt, response, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { frame, STDERR, STDOUT } from '../wire.js';
import { parseDockerTime } from './events.js';
import { beginStream, endSession, onClientGone, pumpStream } from './hijack.js';
import { dockerStats } from './stats-view.js';

const ref = (r: ApiRequest) => r.params.ref!;

export function dockerContainerIoRoutes(router: Router): void {
  router
    .add('GET', '/containers/:ref/logs', async (r) => {
      const q = r.query;
      const stdout = queryBool(q, 'stdout');
      const stderr = queryBool(q, 'stderr');
      if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
      const tailText = q.get('tail');
      const tail = tailText && tailText !== 'all' ? queryInt(q, 'tail') : undefined;
      const until = parseDockerTime(q.get('until'), 'until');
      const timestamps = queryBool(q, 'timestamps');
      const tty = r.engine.inspect(ref(r)).config.tty;
      const abort = new AbortController();
      r.raw.on('close', () => abort.abort());
      const entries = r.engine.logs(ref(r), { follow: queryBool(q, 'follow'), tail, since: parseDockerTime(q.get('since'), 'since'),
        timestamps, stdout, stderr }, abort.signal);
      const res = response(r);
      res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
      res.flushHeaders();
      for await (const e of entries) {
        if (until !== undefined && Date.parse(e.time) / 1000 > until) break;
        const line = Buffer.from(timestamps ? `${rfc3339Utc(e.time)} ${e.text}` : e.text);
        res.write(tty ? line : frame(e.stream === 'stdout' ? STDOUT : STDERR, line));
      }
      res.end();
    })
    .add('POST', '/containers/:ref/attach', async (r) => {
      // stdin flows only over a hijacked connection; a plain response carries output only.
      const stdin = queryBool(r.query, 'stdin') && r.upgrade !== undefined;
      if (!queryBool(r.query, 'stream')) throw new InvalidArgumentError('attach: only stream=1 is supported (use logs to read past output)');
      const handle = await r.engine.attach(ref(r), { stdin });
      beginStream(r, handle.tty);
      onClientGone(r, () => handle.cancel());
      // The stream is already open: a start that fails (or a client that left) just ends it; docker run reads
      // the start error from the start call itself.
      const session = await handle.session.catch(() => undefined);
      if (!session) return endSession(r);
      await pumpStream(r, session, { tty: handle.tty, stdin });
      endSession(r);
    })
    .add('POST', '/containers/:ref/resize', async (r) => {
      await r.engine.resize(ref(r), queryInt(r.query, 'h') ?? 0, queryInt(r.query, 'w') ?? 0);
      sendJson(response(r), 200, {});
    })
    .add('GET', '/containers/:ref/stats', async (r) => {
      const rec = r.engine.inspect(ref(r));
      if (!queryBool(r.query, 'stream', true) || queryBool(r.query, 'one-shot')) {
        return sendJson(response(r), 200, dockerStats(rec, await r.engine.stats(ref(r))));
      }
      const abort = new AbortController();
      r.raw.on('close', () => abort.abort());
      response(r).on('close', () => abort.abort());
      const samples = r.engine.statsStream(ref(r), abort.signal);
      // The first sample is read before the headers, so a stopped container is an ordinary error answer.
      const first = await samples.next();
      const res = response(r);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!first.done) res.write(JSON.stringify(dockerStats(rec, first.value)) + '\n');
      for await (const s of samples) res.write(JSON.stringify(dockerStats(rec, s)) + '\n');
      res.end();
    });
}

/** conmon writes local RFC 3339 times; docker clients expect UTC with a Z. */
function rfc3339Utc(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m || m[3] === 'Z' || m[3] === '+00:00') return m ? `${m[1]}${m[2] ?? ''}Z` : time;
  const ms = Date.parse(time);
  return `${new Date(ms).toISOString().slice(0, 19)}${m[2] ?? ''}Z`;
}
