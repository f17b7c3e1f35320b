// POST /bulkhead/build: the body is the context as a tar; the answer is an NDJSON stream of {stream} lines
// (step headers and step output) ending in {id} or {error, line, kind}. Query: t (repeatable), f, target,
// buildarg=K=V and label=K=V (repeatable), nocache=1.
import { InvalidArgumentError, errorKind } from '../../core/index.js';
import { queryBool, response, uploadBody } from '../request.js';
import type { Router } from '../router.js';

function pairs(values: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid ${what} "${v}": expected KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export function buildRoutes(router: Router): void {
  router.add('POST', '/bulkhead/build', async (r) => {
    const q = r.query;
    const req = {
      tags: q.getAll('t').filter(Boolean), file: q.get('f') || undefined, target: q.get('target') || undefined,
      buildArgs: pairs(q.getAll('buildarg'), 'build arg'), labels: pairs(q.getAll('label'), 'label'), noCache: queryBool(q, 'nocache'),
    };
    const res = response(r);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const send = (e: object) => { if (!res.destroyed) res.write(`${JSON.stringify(e)}\n`); };
    const context = uploadBody(r);
    try {
      const image = await r.engine.build(req, context, send);
      send({ id: image.id });
    } catch (err) {
      send({ error: err instanceof Error ? err.message : String(err), kind: errorKind(err),
        ...(err instanceof Error && 'line' in err && typeof err.line === 'number' ? { line: err.line } : {}) });
      context.destroy(); // drains what is left of the upload, so the client is not stuck writing
    }
    res.end();
  });
}
