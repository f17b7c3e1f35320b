// docker save and docker load: GET /images/get?names=… (or /images/{name}/get) answers a docker-archive tar;
// POST /images/load takes one and answers a JSON stream of "Loaded image" lines.
import { InvalidArgumentError } from '../../core/index.js';
import { familiarName } from '../../image/index.js';
import { response, uploadBody } from '../request.js';
import type { ApiRequest } from '../router.js';
import { jsonMessageStream } from './images-stream.js';

export async function saveImages(r: ApiRequest, names: string[]): Promise<void> {
  if (names.length === 0) throw new InvalidArgumentError('save needs at least one image (names=)');
  const images = names.map((n) => r.engine.images.resolve(n)); // every 404 before the first byte of the tar
  const res = response(r);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await r.engine.images.save(names, 'docker-archive', res);
  res.end();
  for (const i of images) r.engine.events.emit('image', 'save', i.id, {});
}

/** The images are all in the store before the first line, so a bad archive is a plain HTTP error. */
export async function loadImages(r: ApiRequest): Promise<void> {
  const images = await r.engine.images.load(uploadBody(r));
  const out = jsonMessageStream(response(r));
  for (const i of images) {
    r.engine.events.emit('image', 'load', i.id, {});
    if (i.names.length === 0) out.send({ stream: `Loaded image ID: ${i.id}\n` });
    for (const n of i.names) out.send({ stream: `Loaded image: ${familiarName(n)}\n` });
  }
  if (images.length === 0) out.send({ stream: 'No images were loaded\n' });
  response(r).end();
}
