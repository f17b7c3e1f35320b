// `top`: the processes of a container, read from its cgroup and /proc on the host (as docker does), so it works
// on images without a `ps` binary.
import { readFile } from 'node:fs/promises';
import { ConflictError } from '../../core/index.js';
import { containerCgroupProcs } from '../../sys/cgroups.js';
import type { EngineContext } from '../context.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export async function topContainer(ctx: EngineContext, ref: string): Promise<TopResult> {
  const rec = ctx.state.lookupContainer(ref);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new ConflictError(`container "${rec.name}" is not running`);
  const pids = await containerCgroupProcs(rec.config.id);
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
