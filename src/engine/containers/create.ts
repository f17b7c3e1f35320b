// Creating a container: validate intent into an immutable config, lay out its storage, record it, then make its
// volumes. Storage comes before the record, so a crash in between leaves only a directory that no record owns
// (reconcile removes it) and never a record without its storage; a failure after the record removes both.
import { chown } from 'node:fs/promises';
import { newId, wrap, type ContainerConfig } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import type { CreateRequest } from '../types.js';
import { buildContainerConfig } from '../validate-create.js';
import { applyUsernsDefault } from '../validate-security.js';
import { ID_MAP_LOCK, allocateContainerIdMap } from '../idmap-allocator.js';
import { checkCreateRequest } from '../request-shape.js';
import { initialState } from '../../core/index.js';
import { DEFAULT_NETWORK } from '../networks/index.js';
import { enforceCreatePolicy } from '../policy.js';
import { checkCreateQuota } from '../sprawl/quotas.js';
import { initBinary } from '../init-binary.js';
import { applyVolumesFrom } from './volumes-from.js';
import { resolveLinks } from './links.js';

export async function createContainer(ctx: EngineContext, body: CreateRequest): Promise<{ id: string; name: string }> {
  const req = checkCreateRequest(body);
  const image = ctx.images.resolve(req.image);
  // The daemon's log options fill in those the request leaves out, key by key, as dockerd's "log-opts" do.
  const logOptions = ctx.opts.logOpts || req.logOptions ? { ...ctx.opts.logOpts, ...req.logOptions } : undefined;
  const { name, config } = buildContainerConfig({ ...req, logOptions }, image, { runtime: ctx.runtime.name, cgroupParent: ctx.opts.cgroupParent });
  if (config.init) initBinary(ctx.opts.initPath); // a host without the init refuses the container now, not at start
  // Named networks must exist now (the default one is made at first start); a typo fails before anything is made.
  for (const n of config.networks) if (n.name !== DEFAULT_NETWORK) ctx.state.lookupNetwork(n.name);
  applyVolumesFrom(ctx, config, req.volumesFrom ?? []);
  if (req.links?.length) config.links = resolveLinks(ctx, { name, config }, req.links);
  addImageVolumes(config, Object.keys(image.config.config?.Volumes ?? {}));
  for (const m of config.mounts) {
    if (m.type === 'volume' && !m.source) { m.source = newId(); m.anonymous = true; }
  }
  applyUsernsDefault(config.security, req.security?.userns, ctx.opts.userns);
  await enforceCreatePolicy(ctx, config, image); // the whole config, as it would run; nothing is written yet
  const prepareAndRecord = async () => {
    try {
      await ctx.storage.prepare(config.id, ctx.images.layerDirs(image), config.security.idMap);
      checkCreateQuota(ctx); // synchronous with the insert: two creates never both take the last slot
      ctx.state.addContainer(name, config, initialState(), { durable: false }); // the engine's callers flush
    } catch (err) {
      await ctx.storage.remove(config.id).catch(() => undefined);
      throw wrap(err, `create container ${name}`);
    }
  };
  if (config.security.userns === 'auto') {
    // Held until the record exists: the record is what marks the range as taken for the next create.
    await ctx.locks.run(ID_MAP_LOCK, async () => {
      config.security.idMap = await allocateContainerIdMap(ctx);
      await prepareAndRecord();
    });
  } else {
    await prepareAndRecord();
  }
  const madeVolumes: string[] = [];
  try {
    // Volumes exist from create on, as in docker: `volume ls` shows them before the container ever starts.
    for (const m of config.mounts) {
      if (m.type !== 'volume' || ctx.volumes.get(m.source)) continue;
      const volume = await ctx.volumes.create(m.source, m.anonymous ? { 'bulkhead.anonymous': 'true' } : {});
      madeVolumes.push(m.source);
      // A new volume belongs to the container's root: with a user namespace that is the range's first host id.
      const idMap = config.security.idMap;
      if (idMap) await chown(volume.mountpoint, idMap.hostUid, idMap.hostGid);
    }
  } catch (err) {
    await ctx.storage.remove(config.id).catch(() => undefined);
    for (const v of madeVolumes) await ctx.volumes.remove(v, () => false, true).catch(() => undefined);
    ctx.state.removeContainer(config.id);
    throw wrap(err, `create container ${name}`);
  }
  ctx.events.emit('container', 'create', config.id, { name, image: req.image });
  return { id: config.id, name };
}

/** The image's VOLUME paths become anonymous volumes unless the user mounted something there. */
function addImageVolumes(config: ContainerConfig, paths: string[]): void {
  for (const target of paths) {
    if (config.mounts.some((m) => m.target === target)) continue;
    config.mounts.push({ type: 'volume', source: '', target, readOnly: false, anonymous: true });
  }
}
