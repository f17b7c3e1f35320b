// Operations on a container's filesystem: cp in and out, diff, export and commit. They work on stopped
// containers too (as in docker) by mounting the root filesystem for the duration of the call. cp sees the
// container's mounts (mount-view.ts) as its processes do.
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidArgumentError, type ImageRecord, type ImageRunConfig } from '../../core/index.js';
import { copyFromContainer, copyToContainer, statInContainer, type ViewPath } from '../../storage/index.js';
import { containerView } from './mount-view.js';
import { mountRootfs, type EngineContext } from '../context.js';

/** Runs fn with the container's rootfs mounted; unmounts afterwards only if it was not mounted before. */
async function withRootfs<T>(ctx: EngineContext, id: string, fn: (rootfs: string) => Promise<T>, holdUntil?: (v: T) => Promise<unknown>): Promise<T> {
  const rec = ctx.state.lookupContainer(id);
  const wasMounted = ctx.storage.isMounted(id);
  const rootfs = await mountRootfs(ctx, rec.config);
  const release = async () => {
    const now = ctx.state.getContainer(id)?.state.status;
    if (!wasMounted && now !== 'running' && now !== 'paused') await ctx.storage.unmount(id).catch(() => undefined);
  };
  try {
    const value = await fn(rootfs);
    if (holdUntil) void holdUntil(value).catch(() => undefined).finally(release);
    else await release();
    return value;
  } catch (err) {
    await release();
    throw err;
  }
}

export async function copyFrom(ctx: EngineContext, ref: string, path: string) {
  const rec = ctx.state.lookupContainer(ref);
  return withRootfs(ctx, rec.config.id, async (rootfs) => copyFromContainer(await containerView(ctx, rec, rootfs), path), (r) => finished(r.stream));
}

/** What is at a container path (docker cp's HEAD archive), without following a final symlink. */
export async function statPath(ctx: EngineContext, ref: string, path: string) {
  const rec = ctx.state.lookupContainer(ref);
  return withRootfs(ctx, rec.config.id, async (rootfs) => (await statInContainer(await containerView(ctx, rec, rootfs), path)).stat);
}

/** Docker's rules: never into a read-only mount; into the root filesystem only if it is writable. */
export async function copyTo(ctx: EngineContext, ref: string, path: string, tar: Readable): Promise<void> {
  const rec = ctx.state.lookupContainer(ref);
  const check = (at: ViewPath) => {
    if (at.mount?.readOnly) {
      throw new InvalidArgumentError(`cannot copy to ${path} in container "${rec.name}": mounted volume ${at.mount.destination} is marked read-only`);
    }
    if (!at.mount && rec.config.readOnlyRootfs && rec.state.status === 'running') {
      throw new InvalidArgumentError(`container "${rec.name}" has a read-only root filesystem`);
    }
  };
  await withRootfs(ctx, rec.config.id, async (rootfs) => copyToContainer(await containerView(ctx, rec, rootfs), path, tar, { check }));
}

export async function diffContainer(ctx: EngineContext, ref: string) {
  const rec = ctx.state.lookupContainer(ref);
  return ctx.storage.changes(rec.config.id, ctx.images.layerDirs(ctx.images.resolve(rec.config.imageId)));
}

export async function exportContainer(ctx: EngineContext, ref: string): Promise<Readable> {
  const id = ctx.state.lookupContainer(ref).config.id;
  return withRootfs(ctx, id, async () => ctx.storage.exportRootfs(id), (s) => finished(s));
}

export interface CommitRequest {
  reference?: string;
  comment?: string;
  author?: string;
  /** Replaces parts of the container's run config (docker commit --change CMD …). */
  changes?: Partial<ImageRunConfig>;
  pause?: boolean;
}

export async function commitContainer(ctx: EngineContext, ref: string, req: CommitRequest): Promise<ImageRecord> {
  const rec = ctx.state.lookupContainer(ref);
  const parent = ctx.images.resolve(rec.config.imageId);
  const c = rec.config;
  const config: ImageRunConfig = {
    ...(parent.config.config ?? {}),
    Env: c.env, Entrypoint: c.entrypoint.length ? c.entrypoint : null, Cmd: c.cmd.length ? c.cmd : null,
    WorkingDir: c.workingDir, User: c.user, Labels: c.labels, StopSignal: c.stopSignal,
    ...(req.changes ?? {}),
  };
  const paused = req.pause !== false && rec.state.status === 'running';
  if (paused) await ctx.runtime.pause(c.id).catch(() => undefined);
  try {
    const image = await ctx.images.commit({ parent, layerTar: ctx.storage.layerTar(c.id), config,
      reference: req.reference, comment: req.comment, author: req.author });
    ctx.events.emit('container', 'commit', c.id, { name: rec.name, image: image.id });
    return image;
  } finally {
    if (paused) await ctx.runtime.resume(c.id).catch(() => undefined);
  }
}
