// Docker's image endpoints. Image names contain "/" and go straight into the path (/images/localhost:5000/a:1/json),
// so the name is a ":name+" segment taking everything between the fixed parts. Fixed paths (/images/json,
// /images/create, …) are added first: an image called "json" is still reachable as /images/json/json.
import { NotSupportedError } from '../../core/index.js';
import { queryBool, response, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { loadImages, saveImages } from './images-archive.js';
import { Lineage } from './images-lineage.js';
import { listImages, pruneImages } from './images-list.js';
import { createImage, login, pushImage } from './images-transfer.js';
import { imageHistory, imageInspect } from './images-views.js';

function inspect(r: ApiRequest) {
  const image = r.engine.images.resolve(r.params.name!);
  return { image, lineage: new Lineage(r.engine.images.list()) };
}

/**
 * DELETE /images/{name}: the engine's "Untagged: x" / "Deleted: id" lines as Docker's objects. As in Docker, a
 * deleted image takes its untagged parents with it (a build's step images) unless noprune=1: each one that
 * nothing else is built on and no container uses.
 */
async function removeImage(r: ApiRequest): Promise<void> {
  const engine = r.engine;
  const lineage = new Lineage(engine.images.list());
  const isInUse = (id: string) => engine.imageInUse(id);
  let lines = await engine.images.remove(r.params.name!, { force: queryBool(r.query, 'force'), isInUse });
  const deletedId = lines.find((l) => l.startsWith('Deleted: '))?.slice('Deleted: '.length);
  if (deletedId && !queryBool(r.query, 'noprune')) {
    let parent = lineage.parentOf(deletedId);
    while (parent && parent.names.length === 0 && !isInUse(parent.id) && !new Lineage(engine.images.list()).hasChildren(parent)) {
      lines = [...lines, ...await engine.images.remove(parent.id, { force: false, isInUse })];
      parent = lineage.parent(parent);
    }
  }
  const out = lines.map((line) => {
    const value = line.replace(/^\w+: /, '');
    const deleted = line.startsWith('Deleted');
    engine.events.emit('image', deleted ? 'delete' : 'untag', value);
    return deleted ? { Deleted: value } : { Untagged: value };
  });
  sendJson(response(r), 200, out);
}

/** POST /images/{name}/tag?repo=…&tag=…: 201 and no body, as Docker. */
async function tagImage(r: ApiRequest): Promise<void> {
  const repo = r.query.get('repo') ?? '';
  const tag = r.query.get('tag');
  const target = tag ? `${repo}:${tag}` : repo;
  r.engine.images.tag(r.params.name!, target);
  r.engine.events.emit('image', 'tag', r.engine.images.resolve(target).id, { name: target });
  response(r).writeHead(201).end();
}

export function dockerImageRoutes(router: Router): void {
  router
    .add('GET', '/images/json', async (r) => sendJson(response(r), 200, listImages(r.engine, r.query)))
    .add('POST', '/images/create', createImage)
    .add('POST', '/images/load', loadImages)
    .add('GET', '/images/get', async (r) => saveImages(r, r.query.getAll('names')))
    .add('POST', '/images/prune', async (r) => sendJson(response(r), 200, await pruneImages(r.engine, r.query)))
    .add('GET', '/images/search', async () => {
      throw new NotSupportedError('image search is not supported by Bulkhead: search on the registry\'s own site, then docker pull');
    })
    .add('POST', '/auth', login)
    .add('GET', '/images/:name+/json', async (r) => {
      const { image, lineage } = inspect(r);
      sendJson(response(r), 200, imageInspect(image, lineage));
    })
    .add('GET', '/images/:name+/history', async (r) => {
      const { image, lineage } = inspect(r);
      sendJson(response(r), 200, imageHistory(image, lineage));
    })
    .add('GET', '/images/:name+/get', async (r) => saveImages(r, [r.params.name!]))
    .add('POST', '/images/:name+/push', pushImage)
    .add('POST', '/images/:name+/tag', tagImage)
    .add('DELETE', '/images/:name+', removeImage);
}
