// Images moving in and out: POST /images/create (pull with fromImage, import with fromSrc=-), POST
// /images/{name}/push and POST /auth (docker login). Pull and push answer Docker's JSON progress stream.
//
// Credentials: the engine's registry service uses the credentials it stores, which POST /auth puts there after
// checking them against the registry. The X-Registry-Auth header of pull and push is not read: the engine has
// no way to take credentials per request yet.
import { InvalidArgumentError, NotFoundError, NotSupportedError } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { familiarName, normalizeReference, parseReference, repositoryName } from '../../image/index.js';
import { readJson, response, sendJson, uploadBody } from '../request.js';
import type { ApiRequest } from '../router.js';
import { applyChanges } from './images-changes.js';
import { progressMessage, streamed } from './images-stream.js';

/** Whether the text names a tag or digest itself ("a:1", "a@sha256:…"), rather than getting ":latest". */
function hasTagOrDigest(text: string): boolean {
  return text.includes('@') || text.lastIndexOf(':') > text.lastIndexOf('/');
}

/** fromImage plus tag as one reference; a tag that is a digest joins with "@". No tag means latest (no pull -a). */
function pullReference(fromImage: string, tag: string | null): string {
  if (!tag) return fromImage;
  if (hasTagOrDigest(fromImage)) throw new InvalidArgumentError(`invalid pull: "${fromImage}" already names a tag or digest, and tag "${tag}" was given too`);
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

function idOf(engine: Engine, ref: string): string | undefined {
  try { return engine.images.resolve(ref).id; } catch { return undefined; }
}

async function pull(r: ApiRequest, fromImage: string): Promise<void> {
  const ref = pullReference(fromImage, r.query.get('tag'));
  const platform = r.query.get('platform') || undefined;
  r.engine.registry.validatePull(ref, platform); // a bad reference or platform is a 400, not a stream line
  const before = idOf(r.engine, ref);
  await streamed(response(r), async (out) => {
    const image = await r.engine.registry.pull(ref, { platform, progress: (p) => out.send(progressMessage(p)) });
    r.engine.events.emit('image', 'pull', image.id, { name: ref });
    const shown = familiarName(normalizeReference(ref));
    out.send({ status: before === image.id ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
  });
}

/** docker import: the body is a root filesystem tar; repo (maybe with a tag) and tag name the result. */
async function importImage(r: ApiRequest, fromSrc: string): Promise<void> {
  if (fromSrc !== '-') throw new NotSupportedError(`importing from "${fromSrc}" is not supported: download it and send it in the request body (docker import - or a local file)`);
  const repo = r.query.get('repo') || undefined;
  const tag = r.query.get('tag') || undefined;
  let reference: string | undefined;
  if (repo) reference = tag ? pullReference(repo, tag) : repo;
  else if (tag) throw new InvalidArgumentError('import: a tag needs a repository (repo=)');
  if (reference?.includes('@')) throw new InvalidArgumentError(`import: "${reference}" is a digest; name the image with name:tag`);
  const config = applyChanges(r.query.getAll('changes'));
  const image = await r.engine.images.importTarball(uploadBody(r), { reference, config, message: r.query.get('message') || undefined });
  r.engine.events.emit('image', 'import', image.id, {});
  await streamed(response(r), async (out) => out.send({ status: image.id }));
}

export async function createImage(r: ApiRequest): Promise<void> {
  const fromImage = r.query.get('fromImage');
  const fromSrc = r.query.get('fromSrc');
  if (fromImage && fromSrc) throw new InvalidArgumentError('give fromImage (pull) or fromSrc (import), not both');
  if (fromImage) return pull(r, fromImage);
  if (fromSrc) return importImage(r, fromSrc);
  throw new InvalidArgumentError('missing fromImage (to pull) or fromSrc (to import)');
}

/** The local names a push sends: name:tag, the name's own tag, or (no tag at all) every tag of the repository. */
function pushReferences(engine: Engine, name: string, tag: string | null): string[] {
  if (tag) return [pullReference(name, tag)];
  if (hasTagOrDigest(name)) return [name];
  const repo = repositoryName(parseReference(name));
  const refs = engine.images.list().flatMap((i) => i.names).filter((n) => repositoryName(parseReference(n)) === repo).sort();
  if (refs.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${name}`);
  return refs;
}

export async function pushImage(r: ApiRequest): Promise<void> {
  const refs = pushReferences(r.engine, r.params.name!, r.query.get('tag'));
  for (const ref of refs) {
    parseReference(ref);
    if (idOf(r.engine, ref) === undefined) throw new NotFoundError(`An image does not exist locally with the tag: ${ref}`);
  }
  await streamed(response(r), async (out) => {
    for (const ref of refs) {
      let size = 0;
      const digest = await r.engine.registry.push(ref, {
        progress: (p) => {
          const m = /digest: \S+ size: (\d+)/.exec(p.status);
          if (m) size = Number(m[1]);
          out.send(progressMessage(p));
        },
      });
      r.engine.events.emit('image', 'push', r.engine.images.resolve(ref).id, { name: ref });
      out.send({ progressDetail: {}, aux: { Tag: parseReference(ref).tag ?? 'latest', Digest: digest, Size: size } });
    }
  });
}

/** docker login: checks the credentials against the registry (the engine then keeps them for pulls and pushes). */
export async function login(r: ApiRequest): Promise<void> {
  const body = await readJson<{ username?: string; password?: string; serveraddress?: string; identitytoken?: string }>(r.raw);
  if (body.identitytoken && !body.password) throw new NotSupportedError('login with an identity token is not supported: give a username and password');
  await r.engine.registry.login(body.serveraddress || 'docker.io', { username: body.username ?? '', password: body.password ?? '' });
  sendJson(response(r), 200, { Status: 'Login Succeeded', IdentityToken: '' });
}
