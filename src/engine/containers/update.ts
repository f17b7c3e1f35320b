// `update`: changes the resource limits of a container. A running (or paused) container gets them live through
// the runtime first; only then is the config rewritten, so a limit the kernel refused (a memory limit below
// current usage) leaves both the container and its record as they were. A stopped container just keeps the new
// limits for its next start.
import { ConflictError, InvalidArgumentError, wrap, type ResourceLimits } from '../../core/index.js';
import { limitResources } from '../../specgen/resources.js';
import type { EngineContext } from '../context.js';
import { RESOURCE_FLAGS, validateResources } from '../validate-resources.js';
import { enforceUpdatePolicy } from '../policy.js';
import { checkRestartConflicts, validateRestartPolicy, type RestartPolicyRequest } from '../restart/index.js';

/** What `update` may change: what the kernel can change under a running process (as docker update). */
export const UPDATABLE: ReadonlyArray<keyof ResourceLimits> = [
  'memory', 'memoryReservation', 'memorySwap', 'cpus', 'cpuShares', 'cpuPeriod', 'cpuQuota', 'cpusetCpus', 'cpusetMems',
  'pidsLimit', 'blkioWeight',
];

export async function updateContainer(ctx: EngineContext, ref: string, req: ResourceLimits): Promise<ResourceLimits> {
  const patch = checkUpdateRequest(req);
  const id = ctx.state.lookupContainer(ref).config.id;
  const updated = await ctx.locks.run(id, async () => {
    const rec = ctx.state.lookupContainer(id);
    const context = `update container ${rec.name}`;
    if (rec.state.status === 'removing') throw new ConflictError(`${context}: it is being removed`);
    const current: ResourceLimits = { ...rec.config.resources };
    // --cpus and --cpu-period/--cpu-quota are two spellings of one limit: the one given now replaces the other.
    if (patch.cpus !== undefined) { delete current.cpuPeriod; delete current.cpuQuota; }
    if (patch.cpuPeriod !== undefined || patch.cpuQuota !== undefined) delete current.cpus;
    let resources: ResourceLimits;
    try {
      resources = validateResources({ ...current, ...patch }, { defaults: false });
    } catch (err) {
      throw wrap(err, context);
    }
    await enforceUpdatePolicy(ctx, rec.config, { ...rec.config, resources }).catch((err: unknown) => { throw wrap(err, context); });
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      if (patch.cpusetCpus !== undefined) ctx.alloc.repin(id, resources.cpusetCpus!);
      await ctx.runtime.update(id, limitResources(resources)).catch((err: unknown) => { throw wrap(err, context); });
    }
    ctx.state.saveConfig(id, { ...rec.config, resources });
    return { name: rec.name, image: rec.config.image, resources };
  });
  ctx.events.emit('container', 'update', id, { name: updated.name, image: updated.image });
  return updated.resources;
}

/**
 * `update --restart`: the container's restart policy from its next exit on (docker update --restart). Checked
 * against the rest of its config as at create: a --rm container, or one restarted by its health check, has none.
 */
export async function setRestartPolicy(ctx: EngineContext, ref: string, req: RestartPolicyRequest): Promise<void> {
  const id = ctx.state.lookupContainer(ref).config.id;
  const name = await ctx.locks.run(id, async () => {
    const rec = ctx.state.lookupContainer(id);
    let policy;
    try {
      policy = validateRestartPolicy(req);
      checkRestartConflicts(policy, { autoRemove: rec.config.autoRemove, healthOnFailure: rec.config.healthcheck?.onFailure });
    } catch (err) {
      throw wrap(err, `update container ${rec.name}`);
    }
    const { restartPolicy: _previous, ...config } = rec.config;
    ctx.state.saveConfig(id, policy ? { ...config, restartPolicy: policy } : config);
    return rec.name;
  });
  ctx.events.emit('container', 'update', id, { name });
}

/** The request's shape: an object of updatable fields, at least one; 0 means "not given" except for pids. */
function checkUpdateRequest(req: unknown): ResourceLimits {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw new InvalidArgumentError('update: the body must be a JSON object of resource limits');
  }
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    if (!(key in RESOURCE_FLAGS)) throw new InvalidArgumentError(`update: unknown field "${key}"`);
    const field = key as keyof ResourceLimits;
    if (!UPDATABLE.includes(field)) {
      throw new InvalidArgumentError(`update: ${RESOURCE_FLAGS[field]} cannot be changed on an existing container: create a new one`);
    }
    if (value === 0 && field !== 'pidsLimit') continue;
    patch[key] = value;
  }
  if (Object.keys(patch).length === 0) {
    throw new InvalidArgumentError('update: no limit given: pass at least one of --memory, --cpus, --pids-limit, …');
  }
  return patch as ResourceLimits;
}
