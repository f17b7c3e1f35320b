// Image routes (/bulkhead/images/…). References go in the query string because they contain "/" and ":".
import { InvalidArgumentError, errorKind } from '../../core/index.js';
import { queryBool, queryJson, queryString, readJson, response, sendJson, uploadBody } from '../request.js';
import type { Router } from '../router.js';
import { filtersOf } from './system.js';
import { imageView } from '../views.js';
import { startNdjson } from '../streams.js';

const P = '/bulkhead/images';

export function imageRoutes(router: Router): void {
  router
    .add('GET', P, async (r) => sendJson(response(r), 200, r.engine.images.list().map(imageView)))
    .add('GET', `${P}/inspect`, async (r) => sendJson(response(r), 200, imageView(r.engine.images.resolve(queryString(r.query, 'ref')))))
    .add('POST', `${P}/tag`, async (r) => {
      r.engine.images.tag(queryString(r.query, 'source'), queryString(r.query, 'target'));
      r.engine.events.emit('image', 'tag', r.engine.images.resolve(queryString(r.query, 'target')).id, { name: queryString(r.query, 'target') });
      sendJson(response(r), 201, {});
    })
    .add('DELETE', P, async (r) => {
      const lines = await r.engine.images.remove(queryString(r.query, 'ref'),
        { force: queryBool(r.query, 'force'), isInUse: (id) => r.engine.imageInUse(id) });
      for (const line of lines) r.engine.events.emit('image', line.startsWith('Deleted') ? 'delete' : 'untag', line.replace(/^\w+: /, ''));
      sendJson(response(r), 200, lines);
    })
    .add('POST', `${P}/import`, async (r) => {
      const image = await r.engine.images.importTarball(uploadBody(r), {
        reference: r.query.get('reference') || undefined,
        config: queryJson(r.query, 'config'),
        message: r.query.get('message') || undefined,
      });
      r.engine.events.emit('image', 'import', image.id, {});
      sendJson(response(r), 201, { id: image.id });
    })
    .add('GET', `${P}/save`, async (r) => {
      const refs = r.query.getAll('ref');
      if (refs.length === 0) throw new InvalidArgumentError('save needs at least one image');
      const format = (r.query.get('format') || 'docker-archive') as 'docker-archive' | 'oci-archive';
      if (format !== 'docker-archive' && format !== 'oci-archive') throw new InvalidArgumentError(`unknown archive format "${format}": use docker-archive or oci-archive`);
      for (const ref of refs) r.engine.images.resolve(ref); // fail with 404 before any byte is sent
      response(r).writeHead(200, { 'Content-Type': 'application/x-tar' });
      await r.engine.images.save(refs, format, response(r));
    })
    .add('POST', `${P}/load`, async (r) => {
      const images = await r.engine.images.load(uploadBody(r));
      for (const i of images) r.engine.events.emit('image', 'load', i.id, {});
      sendJson(response(r), 200, images.map((i) => ({ id: i.id, names: i.names })));
    })
    // Re-hashes every blob and compares each unpacked layer with a fresh unpacking of its blob (image/verify.ts);
    // repair unpacks a layer that differs again in its place.
    .add('POST', `${P}/verify`, async (r) => sendJson(response(r), 200, await r.engine.images.verifyImage(r.engine.images.resolve(queryString(r.query, 'ref')))))
    .add('POST', `${P}/repair`, async (r) => sendJson(response(r), 200, await r.engine.images.repairImage(r.engine.images.resolve(queryString(r.query, 'ref')))))
    .add('POST', `${P}/prune`, async (r) => {
      sendJson(response(r), 200, await r.engine.pruneImages(filtersOf(r.query), { all: queryBool(r.query, 'all') }));
    })
    .add('POST', `${P}/bootstrap`, async (r) => {
      const body = await readJson<{ reference?: string }>(r.raw);
      const image = await r.engine.images.bootstrapBusybox(body.reference);
      sendJson(response(r), 201, { id: image.id, names: image.names });
    })
    // debian:<suite> with debootstrap: minutes of work, so NDJSON lines of its output ({stream}), then {id, names}
    // or {error, kind}. A client that goes away (Ctrl-C) aborts it; nothing is left behind.
    .add('POST', `${P}/bootstrap/debian`, async (r) => {
      const body = await readJson<{ reference?: string; name?: string }>(r.raw);
      const res = response(r);
      const { send, signal } = startNdjson(res);
      try {
        const image = await r.engine.bootstrapDebian({
          reference: body.reference ?? '', name: body.name, signal, onOutput: (line) => send({ stream: `${line}\n` }),
        });
        send({ id: image.id, names: image.names });
      } catch (err) {
        send({ error: err instanceof Error ? err.message : String(err), kind: errorKind(err) });
      }
      res.end();
    });
}
