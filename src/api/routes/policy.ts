// Security policy routes: the engine's policy (`policy show`) and which existing containers a policy would
// refuse (`policy check`). The policy to check arrives as a profile name or as a document the client read: the
// daemon never opens a file path a client names (its parse errors would quote the file back).
import { InvalidArgumentError } from '../../core/index.js';
import { readJson, response, sendJson } from '../request.js';
import type { Router } from '../router.js';

type CheckBody = { profile?: unknown; document?: unknown; source?: unknown };

export function policyRoutes(router: Router): void {
  router
    .add('GET', '/bulkhead/policy', async (r) => sendJson(response(r), 200, r.engine.policyShow()))
    .add('POST', '/bulkhead/policy/check', async (r) => {
      const body = await readJson<CheckBody>(r.raw);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('policy check: the body must be a JSON object');
      if (body.profile !== undefined && body.document !== undefined) throw new InvalidArgumentError('policy check: give a profile or a document, not both');
      if (body.profile !== undefined && typeof body.profile !== 'string') throw new InvalidArgumentError('policy check: "profile" must be a string');
      const input = body.profile !== undefined ? { profile: body.profile as string }
        : body.document !== undefined ? { document: body.document, source: typeof body.source === 'string' && body.source ? body.source : 'request' }
          : undefined;
      sendJson(response(r), 200, await r.engine.policyCheck(input));
    });
}
