// Starting a container: mount its root filesystem, generate its OCI bundle, let conmon create it through the
// runtime while parked attaches connect, then start the process. Any failure undoes what this start did and records
// the error on the container, which stays "created" so the user can fix the cause and start it again.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exitCodeHint, wrap, type ContainerConfig, type ContainerRecord } from '../../core/index.js';
import { generateSpec, writeBundle, writeEtcFiles } from '../../specgen/index.js';
import { containerPaths, freshRunDir, mountRootfs, type EngineContext } from '../context.js';
import { removeLocked } from './remove.js';
import { setupContainerNetwork, teardownContainerNetwork, usesEngineNetns } from '../networks/index.js';
import { containerCgroupsPath } from '../../sys/cgroup-paths.js';
import { checkRunQuotas } from '../sprawl/quotas.js';
import type { AttachConnecting } from '../attach-broker.js';
import { enforceStartUserPolicy } from '../policy.js';
import { initBinary } from '../init-binary.js';
import { logLimits, prepareLogForStart } from '../logs/index.js';
import { mergeEnv } from '../validate-create.js';
import { linkFacts, updateLinkers } from './links.js';

export async function startContainer(ctx: EngineContext, ref: string): Promise<void> {
  const id = ctx.state.lookupContainer(ref).config.id;
  await ctx.locks.run(id, () => {
    ctx.restart.manualStart(id); // a start by the user resumes the restart policy and resets its count
    return startLocked(ctx, id);
  });
}

export async function startLocked(ctx: EngineContext, id: string): Promise<void> {
  const rec = ctx.state.lookupContainer(id);
  if (rec.state.status === 'running' || rec.state.status === 'paused') return; // docker answers "not modified"
  let attaching: AttachConnecting | undefined;
  try {
    const links = linkFacts(ctx, rec);   // before anything is set up: a linked container that stopped fails the start
    const dir = await freshRunDir(ctx, id);
    const paths = containerPaths(ctx, id, dir);
    // A user-namespaced container needs a network namespace its user namespace owns (or exec could not join it,
    // nor could it mount sysfs): runc makes it at create, and the networks are attached to it before start.
    const afterCreate = rec.config.security.userns === 'auto' && usesEngineNetns(rec);
    // The root filesystem and the network do not depend on each other: prepare both at once.
    const [{ rootfs, volumePaths }, net] = await settleBoth(
      mountRootfs(ctx, rec.config).then(async (r) => ({ rootfs: r, volumePaths: await volumeDirs(ctx, rec.config, r) })),
      (async () => {
        const n = afterCreate ? { facts: {} } : await setupContainerNetwork(ctx, rec);
        await writeEtcFiles(dir, rec.config, {}, { ...n.facts, links: links.hosts });
        return n;
      })());
    // Admitted last before the spec: nothing awaited between deciding the CPUs and writing them down.
    checkRunQuotas(ctx, rec); // synchronous with the admission, which is what counts a start as running
    const admitted = ctx.alloc.admit(rec);
    // The link variables come first, so the container's own -e of the same name wins (as in docker).
    const config = { ...rec.config, env: mergeEnv(links.env, rec.config.env),
      resources: { ...rec.config.resources, cpusetCpus: admitted.cpuset } };
    const spec = await generateSpec({ config, rootfs, etcFilesDir: dir, volumePaths,
      cgroupsPath: containerCgroupsPath(id, rec.config.cgroupParent ?? ctx.opts.cgroupParent), netnsPath: net.netnsPath,
      ...(rec.config.init ? { initPath: initBinary(ctx.opts.initPath) } : {}) });
    enforceStartUserPolicy(ctx, rec.config, spec.process.user.uid);
    await writeBundle(paths.bundle, spec);
    await rm(join(paths.exitDir, id), { force: true });
    // A stale runtime record of an earlier run would make create fail; a container that never ran has none.
    if (rec.state.startedAt || rec.state.error) await ctx.runtime.delete(id, true);
    const logs = logLimits(rec.config);
    if (logs) prepareLogForStart(paths.logPath, logs);
    attaching = ctx.attach.connectPending(id, paths);
    const created = await ctx.runtime.create({ id, name: rec.name, paths, tty: rec.config.tty, stdin: rec.config.openStdin,
      logSizeMax: logs?.maxSize });
    if (admitted.placement.kind === 'shared') ctx.alloc.follow(id, created.pid, admitted.cpuset);
    if (afterCreate) {
      const joined = await setupContainerNetwork(ctx, rec, created.pid);
      // In place: the files are already bind-mounted into the created container.
      await writeEtcFiles(dir, rec.config, {}, { ...joined.facts, links: links.hosts }, { inPlace: true });
    }
    await attaching.connected;
    await ctx.runtime.start(id);
    // No fsync here: the engine's callers flush before they answer (engine.ts). A restart by the restart policy
    // answers no one; a power loss ends the container anyway.
    ctx.state.saveState(id, { ...rec.state, status: 'running', pid: created.pid, conmonPid: created.conmonPid, exitCode: 0,
      oomKilled: false, startedAt: new Date().toISOString(), finishedAt: '', error: '', restarting: false }, { durable: false });
    ctx.health.begin(id);
    ctx.logRotation.begin(id, rec.config);
  } catch (err) {
    await attaching?.abort(err);
    await undoStart(ctx, rec, err);
    // docker run --rm removes a container that could not start, so a typo leaves nothing behind.
    if (rec.config.autoRemove) await removeLocked(ctx, id, { force: true, volumes: true }).catch(() => undefined);
    throw wrap(err, `start container ${rec.name}`);
  }
  // Once it runs, with its address recorded: the containers linking to it see that address (docker does this too).
  await updateLinkers(ctx, id);
  ctx.events.emit('container', 'start', id, { name: rec.name, image: rec.config.image });
}

async function undoStart(ctx: EngineContext, rec: ContainerRecord, err: unknown): Promise<void> {
  const id = rec.config.id;
  ctx.attach.failPending(id, err);
  await ctx.runtime.delete(id, true).catch(() => undefined);
  ctx.alloc.release(id);
  await teardownContainerNetwork(ctx, id).catch(() => undefined);
  await ctx.storage.unmount(id).catch(() => undefined);
  await rm(join(containerPaths(ctx, id).exitDir, id), { force: true });
  const message = err instanceof Error ? err.message : String(err);
  ctx.state.saveState(id, { ...rec.state, status: rec.state.startedAt ? 'exited' : 'created', pid: 0, conmonPid: 0,
    exitCode: exitCodeHint(err) ?? 125, error: message });
}

/**
 * Both results, once both have settled: with Promise.all a failure of one would let undoStart run while the other
 * still mounts or attaches, and what it finished afterwards would be left behind.
 */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** Host directories of the container's volumes (created at create time); image content is copied into empty ones. */
async function volumeDirs(ctx: EngineContext, config: ContainerConfig, rootfs: string): Promise<Record<string, string>> {
  const dirs: Record<string, string> = {};
  for (const m of config.mounts) {
    if (m.type !== 'volume') continue;
    const volume = ctx.volumes.get(m.source) ?? await ctx.volumes.create(m.source); // removed meanwhile: docker recreates it
    await ctx.volumes.populateFromImage(m.source, { rootfs, path: m.target });
    dirs[m.source] = volume.mountpoint;
  }
  return dirs;
}
