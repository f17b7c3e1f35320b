// `replace`: re-creates a container from its image, re-verified, with the same configuration, name, networks
// (aliases, static addresses), ports, volumes, labels and resources. Everything that can refuse is done while
// the old container is untouched: resolving and verifying the image down to the unpacked layers (a tampered
// layer store is refused, naming the layer and the first differing path), validating the re-create request,
// its --link targets (they must still run) and the engine policy. Only then is the old container stopped (its
// stop signal and timeout) and removed, and the new one created under the same name and started if the old one
// was running.
//
// Volumes: named volumes are kept, and so are the old container's anonymous ones (`-v /data`, image VOLUMEs),
// as docker-compose's recreate keeps them: replacing the container is not a reason to lose its data. They stay
// anonymous, so `rm -v` of the replacement removes them. The container's own filesystem changes (its upper
// dir, what `diff` shows) are discarded: the replacement starts from the verified image.
//
// Failures after the old container is gone: a create that fails leaves nothing (create is all-or-nothing); a
// start that fails leaves the replacement created, with its full configuration, and says so: removing it too
// would lose the only record of that configuration, while `start` retries it once the cause is fixed.
import { ConflictError, shortId, wrap, type ContainerConfig, type ContainerRecord, type ImageRecord } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import type { CreateRequest } from '../types.js';
import { buildContainerConfig } from '../validate-create.js';
import { enforceCreatePolicy } from '../policy.js';
import { DEFAULT_NETWORK } from '../networks/index.js';
import { createContainer } from './create.js';
import { linkFacts } from './links.js';
import { removeContainer } from './remove.js';
import { startContainer } from './start.js';
import { stopContainer } from './stop.js';

export interface ReplaceOptions {
  /** Seconds to wait for the old container to stop before SIGKILL (default: its own stop timeout). */
  timeoutSeconds?: number;
}

export interface ReplaceResult {
  id: string;
  name: string;
  /** The id of the container that was replaced. */
  replaced: string;
  started: boolean;
}

export async function replaceContainer(ctx: EngineContext, ref: string, opts: ReplaceOptions = {}): Promise<ReplaceResult> {
  const old = ctx.state.lookupContainer(ref);
  // Two replaces of one container would race for its name: the second waits and then finds it replaced.
  return ctx.locks.run(`replace:${old.name}`, () => replaceLocked(ctx, old.config.id, opts));
}

async function replaceLocked(ctx: EngineContext, oldId: string, opts: ReplaceOptions): Promise<ReplaceResult> {
  const old = ctx.state.lookupContainer(oldId);
  const context = `replace container ${old.name}`;
  if (old.state.status === 'removing') throw new ConflictError(`${context}: it is being removed`);
  const req = await preflight(ctx, old).catch((err: unknown) => { throw wrap(err, context); });

  // From here the old container goes away. Whether it runs is read now: the checks above take a while.
  const status = ctx.state.getContainer(oldId)?.state.status;
  const wasActive = status === 'running' || status === 'paused';
  await stopContainer(ctx, oldId, opts.timeoutSeconds).catch((err: unknown) => { throw wrap(err, context); });
  // An --rm container may have removed itself on stopping.
  if (ctx.state.getContainer(oldId)) {
    await removeContainer(ctx, oldId, { force: true, volumes: false }).catch((err: unknown) => { throw wrap(err, context); });
  }
  // An --rm container's exit removes its anonymous volumes with it: create makes fresh (anonymous) ones instead.
  req.mounts = req.mounts!.map((m, i) => (old.config.mounts[i]!.anonymous && !ctx.volumes.get(m.source) ? { ...m, source: '' } : m));
  const gone = `${context}: the old container ${shortId(oldId)} was removed, but`;
  let made: { id: string; name: string } | undefined;
  try {
    made = await createContainer(ctx, req);
    const id = made.id;
    await ctx.locks.run(id, async () => pinConfig(ctx, id, old.config));
  } catch (err) {
    // No half-made replacement is left. Until pinConfig succeeded only the anonymous volumes create made anew are
    // marked anonymous in its config, so -v removes those and keeps the old container's.
    if (made) await removeContainer(ctx, made.id, { force: true, volumes: true }).catch(() => undefined);
    throw wrap(err, `${gone} its replacement could not be created`);
  }
  const { id, name } = made;
  if (wasActive) {
    await startContainer(ctx, id).catch((err: unknown) => {
      throw wrap(err, `${gone} its replacement ${shortId(id)} did not start (it is kept as created: fix the cause, then "bulkhead start ${name}")`);
    });
  }
  return { id, name, replaced: oldId, started: wasActive };
}

/** Everything that can refuse a replace, checked while the old container still runs untouched. */
async function preflight(ctx: EngineContext, old: ContainerRecord): Promise<CreateRequest> {
  const image = ctx.images.resolve(old.config.imageId);
  await ctx.images.verifyImage(image);
  let imageRef = old.config.imageId;
  try { if (ctx.images.resolve(old.config.image).id === old.config.imageId) imageRef = old.config.image; } catch { /* gone: the id */ }
  const req = recreateRequest(old, imageRef, image);
  // The same checks create makes, on the same request; the name is the old one's, so it is valid.
  const { config } = buildContainerConfig(req, image, { runtime: ctx.runtime.name, cgroupParent: ctx.opts.cgroupParent });
  for (const n of config.networks) if (n.name !== DEFAULT_NETWORK) ctx.state.lookupNetwork(n.name);
  // The links are kept (pinConfig) rather than requested again: checked here as create checks them, so a linked
  // container that no longer runs refuses the replace instead of failing the replacement's start.
  linkFacts(ctx, old);
  await enforceCreatePolicy(ctx, config, image);
  return req;
}

/**
 * The create request that yields the old container's configuration again. The config holds resolved values
 * (the image's env and labels merged in, the image's command if none was given), which are valid requests for
 * the same image; what only the engine may set (anonymous volumes, the allocated id range) is restored by
 * pinConfig afterwards. imageRef is the reference the user gave while it still names the same image, else the
 * image id: the replacement runs from the same image, not from whatever the tag points to now.
 */
export function recreateRequest(old: ContainerRecord, imageRef: string, image: ImageRecord): CreateRequest {
  const c = old.config;
  const imageEnvKeys = (image.config.config?.Env ?? []).map((e) => e.split('=')[0]!);
  const kept = new Set(c.env.map((e) => e.split('=')[0]!));
  const special = c.network === 'none' || c.network === 'host';
  return {
    image: imageRef,
    name: old.name,
    entrypoint: c.entrypoint,
    cmd: c.cmd,
    // A bare KEY unsets it: an image variable the user had unset stays unset.
    env: [...c.env, ...imageEnvKeys.filter((k) => !kept.has(k))],
    workingDir: c.workingDir,
    user: c.user,
    // A hostname that was the old id's short form was a default: the replacement gets its own.
    ...(c.network !== 'host' && c.hostname !== c.id.slice(0, 12) ? { hostname: c.hostname } : {}),
    tty: c.tty,
    openStdin: c.openStdin,
    labels: c.labels,
    mounts: c.mounts.map(({ anonymous: _engineOnly, ...m }) => ({ ...m })),
    readOnlyRootfs: c.readOnlyRootfs,
    ...(special ? { network: c.network } : { networks: c.networks.map((n) => ({ name: n.name, aliases: [...n.aliases], ...(n.ip ? { ip: n.ip } : {}) })) }),
    ports: c.ports.map((p) => ({ ...p })),
    publishAll: c.publishAll,
    dns: c.dns,
    dnsSearch: c.dnsSearch,
    dnsOptions: c.dnsOptions,
    extraHosts: c.extraHosts,
    ...(c.networkRate ? { networkOpts: { rate: `${c.networkRate.rateBits}bit`, burst: `${c.networkRate.burstBits}bit` } } : {}),
    autoRemove: c.autoRemove,
    stopSignal: c.stopSignal,
    stopTimeout: c.stopTimeout,
    runtime: c.runtime,
    ...(c.cgroupParent ? { cgroupParent: c.cgroupParent } : {}),
    resources: { ...c.resources },
    security: withoutIdMap(c.security),
    ...(c.consoleSize ? { consoleSize: c.consoleSize } : {}),
    ...(c.init ? { init: true } : {}),
    ...(c.annotations ? { annotations: { ...c.annotations } } : {}),
    ...(c.logOptions ? { logOptions: { ...c.logOptions } } : {}),
  };
}

function withoutIdMap(sec: ContainerConfig['security']): Omit<ContainerConfig['security'], 'idMap'> {
  const { idMap: _allocated, ...rest } = sec;
  return rest;
}

/**
 * Makes the replacement's config the old one's in everything but its identity (id, created, a defaulted
 * hostname, the image reference, the id range allocated for it, the names of anonymous volumes made anew).
 * That restores the anonymous-volume marks the
 * request could not carry, and keeps any field the request does not know: nothing is lost in translation.
 */
function pinConfig(ctx: EngineContext, id: string, oldConfig: ContainerConfig): void {
  const made = ctx.state.getContainer(id)!.config;
  const security = { ...oldConfig.security };
  delete security.idMap;
  if (made.security.idMap) security.idMap = made.security.idMap;
  const anonymous = new Set(oldConfig.mounts.filter((m) => m.anonymous).map((m) => m.target));
  const mounts = made.mounts.map((m) => (anonymous.has(m.target) ? { ...m, anonymous: true } : m));
  ctx.state.saveConfig(id, { ...oldConfig, id: made.id, created: made.created, hostname: made.hostname,
    image: made.image, imageId: made.imageId, security, mounts });
}
