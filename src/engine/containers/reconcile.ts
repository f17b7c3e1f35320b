// Start-up reconciliation: the database says what the engine believed, conmon's exit files and the runtime say
// what is true. Containers that exited while the daemon was down get their exit codes; starts that a crash cut
// short are rolled back; container directories that no record owns (a create cut short) are removed.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeShifted, shiftedRoot } from '../../storage/index.js';
import { sweepBuildContainers } from '../../build/index.js';
import { MEASURE_LABEL } from '../interference/label.js';
import type { EngineContext } from '../context.js';
import { containerPaths, removeRunDir } from '../context.js';
import { recordExit, releaseExited } from './exit.js';
import { removeLocked } from './remove.js';

const CONTAINER_ID = /^[0-9a-f]{64}$/;

export interface ReconcileReport {
  adopted: string[];      // still running, picked up again
  exited: string[];       // exited while the daemon was down
  rolledBack: string[];   // half-started, reset to created
  orphansRemoved: string[];
}

export async function reconcile(ctx: EngineContext): Promise<ReconcileReport> {
  const report: ReconcileReport = { adopted: [], exited: [], rolledBack: [], orphansRemoved: [] };
  for (const rec of ctx.state.listContainers()) {
    const id = rec.config.id;
    await ctx.locks.run(id, async () => {
      const paths = containerPaths(ctx, id);
      const code = await ctx.runtime.readExitCode(id, paths);
      const live = await ctx.runtime.state(id).catch(() => null);
      switch (rec.state.status) {
        case 'running':
        case 'paused':
          if (code !== null) {
            await recordExit(ctx, id, code);
            report.exited.push(rec.name);
          } else if (live && (live.status === 'running' || live.status === 'paused')) {
            ctx.state.saveState(id, { ...rec.state, status: live.status, pid: live.pid });
            report.adopted.push(rec.name);
          } else {
            // conmon itself is gone, so nobody recorded the exit: say so rather than invent a code.
            await recordExit(ctx, id, 255, 'container monitor exited without recording an exit code');
            report.exited.push(rec.name);
          }
          break;
        case 'created':
          // A start cut short: the runtime may hold a record and the rootfs may be mounted; undo both.
          if (live || ctx.storage.isMounted(id)) {
            await ctx.runtime.delete(id, true).catch(() => undefined);
            await ctx.storage.unmount(id).catch(() => undefined);
            report.rolledBack.push(rec.name);
          }
          break;
        case 'removing':
          await removeLocked(ctx, id, { force: true, volumes: rec.config.autoRemove });
          break;
        case 'exited':
          if (rec.config.autoRemove) await removeLocked(ctx, id, { force: true, volumes: true });
          else if (live || ctx.storage.isMounted(id)) await releaseExited(ctx, id);
          break;
      }
    });
  }
  // RUN-step containers of a build the crash cut short (the build module knows which they are).
  report.orphansRemoved.push(...await sweepBuildContainers({
    list: () => ctx.state.listContainers().map((c) => ({ id: c.config.id, name: c.name, labels: c.config.labels })),
    remove: (id) => ctx.locks.run(id, () => removeLocked(ctx, id, { force: true, volumes: true })),
  }, ctx.opts.notice));
  // Probe containers of an interference measurement the crash cut short: nobody will ever stop them.
  for (const c of ctx.state.listContainers().filter((r) => r.config.labels[MEASURE_LABEL] !== undefined)) {
    await ctx.locks.run(c.config.id, () => removeLocked(ctx, c.config.id, { force: true, volumes: true }))
      .then(() => report.orphansRemoved.push(c.name), (err) => ctx.opts.notice?.(`removing probe container ${c.name}: ${String(err)}`));
  }
  const known = new Set(ctx.state.listContainers().map((c) => c.config.id));
  const dirs = await readdir(join(ctx.opts.root, 'containers')).catch(() => [] as string[]);
  for (const id of dirs) {
    if (known.has(id) || !CONTAINER_ID.test(id)) continue;
    await ctx.runtime.delete(id, true).catch(() => undefined);
    await ctx.storage.remove(id);
    report.orphansRemoved.push(id);
  }
  // Run directories that no record owns (a crash between the steps of a removal): nothing uses them again.
  for (const id of await readdir(join(ctx.opts.runRoot, 'containers')).catch(() => [] as string[])) {
    if (!known.has(id) && CONTAINER_ID.test(id)) await removeRunDir(ctx, id);
  }
  await ctx.storage.sweepTrash().catch((err) => ctx.opts.notice?.(`emptying the storage trash: ${String(err)}`));
  // Shifted layer copies of id ranges no container holds any more (a removal the crash cut short).
  const ranges = new Set(ctx.state.listContainers().map((c) => String(c.config.security.idMap?.hostUid ?? '')));
  for (const uid of await readdir(shiftedRoot(ctx.opts.root)).catch(() => [] as string[])) {
    if (/^\d+$/.test(uid) && !ranges.has(uid)) await removeShifted(ctx.opts.root, Number(uid));
  }
  return report;
}
