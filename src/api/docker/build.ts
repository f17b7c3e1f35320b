// Docker's classic builder protocol: POST /build with the context as a tar body, answered with a JSON stream of
// {"stream": …} lines (step headers and output), {"aux": {"ID": …}} for the image, or {"error", "errorDetail"}.
// This is what `DOCKER_BUILDKIT=0 docker build` and SDKs' build calls speak. BuildKit (POST /session and
// /grpc, or version=2) is not served: those answer 501 with a message naming the classic builder. Without
// the buildx plugin the Docker CLI itself refuses a BuildKit build before it calls us, with its own message.
import { InvalidArgumentError, NotSupportedError } from '../../core/index.js';
import { hostArchitecture } from '../../image/index.js';
import { queryBool, queryJson, response, sendJson, uploadBody } from '../request.js';
import { parseFilters } from './filters.js';
import type { ApiRequest, Router } from '../router.js';
import { streamed } from './images-stream.js';

const NO_BUILDKIT = 'BuildKit is not supported by Bulkhead: use the classic builder (DOCKER_BUILDKIT=0 docker build)';

/** Parameters the classic builder takes that Bulkhead's build cannot honour: refused when set, never ignored. */
const REFUSED: Record<string, string> = {
  pull: 'pulling base images during a build is not supported: docker pull the base image first',
  extrahosts: 'extra hosts for build steps are not supported', shmsize: 'a /dev/shm size for build steps is not supported',
  memory: 'memory limits for build steps are not supported', memswap: 'memory limits for build steps are not supported',
  cpushares: 'CPU limits for build steps are not supported', cpusetcpus: 'CPU limits for build steps are not supported',
  cpusetmems: 'CPU limits for build steps are not supported', cpuperiod: 'CPU limits for build steps are not supported',
  cpuquota: 'CPU limits for build steps are not supported', cgroupparent: 'a cgroup parent for build steps is not supported',
  ulimits: 'ulimits for build steps are not supported', squash: 'squashing is not supported',
  cachefrom: 'cache-from images are not supported (the local build cache is used)', isolation: 'isolation modes are not supported',
  outputs: 'build outputs are a BuildKit feature: ' + NO_BUILDKIT,
};

/** The Docker CLI sends most of these on every build with empty or zero values: only a real value is refused. */
function isSet(value: string): boolean {
  return !['', '0', 'false', 'null', '[]', '{}', 'default'].includes(value.trim().toLowerCase());
}

/** buildargs / labels: a JSON object of strings; a null value (an unset variable the CLI could not fill) is skipped. */
function stringMap(q: URLSearchParams, key: string): Record<string, string> {
  const doc = queryJson<Record<string, unknown>>(q, key) ?? {};
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidArgumentError(`invalid ${key}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw new InvalidArgumentError(`invalid ${key}: the value of "${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function checkRequest(q: URLSearchParams): void {
  if (q.get('version') === '2') throw new NotSupportedError(NO_BUILDKIT);
  if (q.get('remote')) throw new NotSupportedError('building from a remote context (Git URL or tarball URL) is not supported: send the context as the request body');
  for (const [key, why] of Object.entries(REFUSED)) {
    const v = q.get(key);
    if (v !== null && isSet(v)) throw new InvalidArgumentError(`build ${key}=${v}: ${why}`);
  }
  const net = q.get('networkmode');
  if (net && !['default', 'bridge', ''].includes(net)) throw new InvalidArgumentError(`build networkmode=${net}: build steps use the default network; other modes are not supported`);
  const platform = q.get('platform');
  if (platform && platform !== 'linux' && platform !== `linux/${hostArchitecture()}`) {
    throw new InvalidArgumentError(`build platform "${platform}" is not supported: this engine builds for linux/${hostArchitecture()} only`);
  }
}

async function build(r: ApiRequest): Promise<void> {
  const q = r.query;
  checkRequest(q);
  const req = {
    tags: q.getAll('t').filter(Boolean),
    file: q.get('dockerfile') || 'Dockerfile',
    target: q.get('target') || undefined,
    buildArgs: stringMap(q, 'buildargs'),
    labels: stringMap(q, 'labels'),
    noCache: queryBool(q, 'nocache'),
  };
  const quiet = queryBool(q, 'q');
  const context = uploadBody(r);
  try {
    await streamed(response(r), async (out) => {
      const image = await r.engine.build(req, context, (e) => {
        if ('stream' in e && !quiet) out.send({ stream: e.stream });
      });
      out.send({ aux: { ID: image.id } });
      // With q the CLI prints the stream as the answer: Docker's daemon sends just the id.
      if (quiet) out.send({ stream: `${image.id}\n` });
    });
  } finally {
    context.destroy(); // whatever the build left unread is drained, so the client finishes its upload
  }
}

export function dockerBuildRoutes(router: Router): void {
  const buildKit = async () => { throw new NotSupportedError(NO_BUILDKIT); };
  router
    .add('POST', '/build', build)
    .add('POST', '/session', buildKit)
    .add('POST', '/grpc', buildKit)
    .add('POST', '/build/prune', async (r) => {
      // The classic builder's cache: step images the cache index points at (engine/sprawl/prune.ts). BuildKit's
      // all/keep-storage have no meaning here and are refused by the filter parser when sent as filters.
      const result = await r.engine.pruneBuildCache(parseFilters(r.query.get('filters')));
      sendJson(response(r), 200, { CachesDeleted: result.deleted.length ? result.deleted : null, SpaceReclaimed: result.reclaimed });
    });
}
