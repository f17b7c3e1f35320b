// Registry routes: pull and push answer NDJSON progress lines ({id, status, current, total}); the last line is
// {status: "done", id|digest} or {error, kind}. Errors found before the first line (a bad reference, a bad
// platform) are ordinary HTTP errors. Login and logout are plain JSON.
import type { ServerResponse } from 'node:http';
import { errorKind } from '../../core/index.js';
import type { Progress } from '../../registry/index.js';
import { readJson, response, sendJson, queryString } from '../request.js';
import type { Router } from '../router.js';

const P = '/bulkhead';

/** Opens the NDJSON stream on the first line, so early failures still get a proper status code. */
function ndjson(res: ServerResponse): { send: (line: object) => void; started: () => boolean } {
  let open = false;
  return {
    send(line) {
      if (!open) { res.writeHead(200, { 'Content-Type': 'application/x-ndjson' }); open = true; }
      if (!res.destroyed) res.write(JSON.stringify(line) + '\n');
    },
    started: () => open,
  };
}

function tlsVerify(q: URLSearchParams): boolean | undefined {
  const v = q.get('tlsVerify');
  return v === null || v === '' ? undefined : v !== 'false' && v !== '0';
}

async function streamed(res: ServerResponse, work: (progress: (p: Progress) => void) => Promise<object>): Promise<void> {
  const out = ndjson(res);
  try {
    const done = await work((p) => out.send(p));
    out.send({ status: 'done', ...done });
  } catch (err) {
    if (!out.started()) throw err;
    out.send({ error: err instanceof Error ? err.message : String(err), kind: errorKind(err) });
  }
  res.end();
}

export function registryRoutes(router: Router): void {
  router
    .add('POST', `${P}/images/pull`, async (r) => {
      const ref = queryString(r.query, 'ref');
      const platform = r.query.get('platform') || undefined;
      r.engine.registry.validatePull(ref, platform);
      await streamed(response(r), async (progress) => {
        const image = await r.engine.registry.pull(ref, { platform, tlsVerify: tlsVerify(r.query), progress });
        r.engine.events.emit('image', 'pull', image.id, { name: ref });
        return { id: image.id };
      });
    })
    .add('POST', `${P}/images/push`, async (r) => {
      const ref = queryString(r.query, 'ref');
      r.engine.images.resolve(ref); // 404 before any line
      await streamed(response(r), async (progress) => {
        const digest = await r.engine.registry.push(ref, { tlsVerify: tlsVerify(r.query), progress });
        r.engine.events.emit('image', 'push', r.engine.images.resolve(ref).id, { name: ref });
        return { digest };
      });
    })
    .add('POST', `${P}/registry/login`, async (r) => {
      const body = await readJson<{ registry?: string; username?: string; password?: string; tlsVerify?: boolean }>(r.raw);
      await r.engine.registry.login(body.registry ?? '', { username: body.username ?? '', password: body.password ?? '' }, { tlsVerify: body.tlsVerify });
      sendJson(response(r), 200, { status: 'Login Succeeded' });
    })
    .add('POST', `${P}/registry/logout`, async (r) => {
      const body = await readJson<{ registry?: string }>(r.raw);
      await r.engine.registry.logout(body.registry ?? '');
      sendJson(response(r), 200, { status: `Removed login credentials for ${body.registry ?? ''}` });
    });
}
