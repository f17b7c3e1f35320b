// `top`: the processes of a container, read from its cgroup and /proc on the host (as docker does), so it works
// on images without a `ps` binary.
import { readFile } from 'node:fs/promises';
import { ConflictError, errorKind } from '../../core/index.js';
import { cgroupProcs, processCgroupDirs } from '../../sys/cgroup-paths.js';
import type { EngineContext } from '../context.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export async function topContainer(ctx: EngineContext, ref: string): Promise<TopResult> {
  const rec = ctx.state.lookupContainer(ref);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new ConflictError(`container "${rec.name}" is not running`);
  // The cgroup the init process is in: right whatever parent the container was started under.
  let pids: number[];
  try {
    pids = await cgroupProcs(processCgroupDirs(rec.state.pid));
  } catch (err) {
    if (errorKind(err) === 'NotFound') throw new ConflictError(`container "${rec.name}" is not running`);
    throw err;
  }
  const rows = await Promise.all(pids.map(async (pid) => {
    const [status, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    ]);
    if (!status) return undefined;
    const field = (k: string) => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
    const cmd = cmdline.split('\0').filter(Boolean).join(' ') || `[${field('Name')}]`;
    return [field('Uid'), String(pid), field('PPid'), field('State'), cmd];
  }));
  return { Titles: ['UID', 'PID', 'PPID', 'STAT', 'CMD'], Processes: rows.filter((r): r is string[] => r !== undefined) };
}
