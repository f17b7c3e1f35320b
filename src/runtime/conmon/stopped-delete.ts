// Deleting the record of a runc container whose process is gone, without running `runc delete`. For a stopped
// container that command only removes the container's cgroups (one directory per hierarchy, named in its
// state.json) and its state directory; doing that here saves a fork of the daemon and a Go program's start-up on
// every container's way out (the critical path of `run --rm`). Anything beyond that plain case (a live or
// unknown init, hooks to run, a systemd-managed or shared-PID container, a cgroup that will not go) is left to
// `runc delete`: the caller falls back to it whenever this answers false.
import { readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../core/index.js';

interface RuncState {
  init_process_pid?: number;
  init_process_start?: number;
  cgroup_paths?: Record<string, string>;
  intel_rdt_path?: string;
  config?: {
    hooks?: Record<string, unknown[]> | null;
    cgroups?: { systemd?: boolean };
    namespaces?: Array<{ type: string; path?: string }>;
  };
}

/** Whether the process runc started as this container's init still exists (same pid, same start time). */
async function initAlive(pid: number, startTime: number): Promise<boolean> {
  if (!(pid > 0)) return false;
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // After "pid (comm) ": field 3 is the state, field 22 the start time in clock ticks (as runc compares it).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return Number(fields[19]) === startTime;
}

/** The plain case: runc would only remove cgroups and the state dir (no hooks, no RDT, own PID namespace, fs driver). */
function plain(s: RuncState): boolean {
  const hooks = Object.values(s.config?.hooks ?? {}).some((list) => Array.isArray(list) && list.length > 0);
  // With a shared PID namespace runc first kills whatever is left in the cgroup; with its own, the kernel did.
  const ownPidNs = s.config?.namespaces?.some((n) => n.type === 'NEWPID' && !n.path) ?? false;
  return !hooks && !s.intel_rdt_path && s.config?.cgroups?.systemd !== true && ownPidNs;
}

/**
 * Removes the runc record in stateDir of a container whose init has exited. Resolves true when the record is
 * gone, false when `runc delete` must do it.
 */
export async function deleteStoppedRecord(stateDir: string): Promise<boolean> {
  let state: RuncState;
  try {
    state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as RuncState;
  } catch (err) {
    // No state file: `runc delete --force` would remove the directory (an aborted create leaves one) and succeed.
    if (errnoCode(err) !== 'ENOENT') return false;
    await rm(stateDir, { recursive: true, force: true });
    return true;
  }
  if (!plain(state) || await initAlive(state.init_process_pid ?? 0, state.init_process_start ?? 0)) return false;
  // One directory per hierarchy, independent of each other (v1 names a joint hierarchy such as cpu,cpuacct twice).
  const removed = await Promise.all([...new Set(Object.values(state.cgroup_paths ?? {}))].map((path) =>
    // Busy (a process still exiting, or a child cgroup): runc retries and recurses; let it.
    rmdir(path).then(() => true, (err: unknown) => errnoCode(err) === 'ENOENT')));
  if (removed.includes(false)) return false;
  await rm(stateDir, { recursive: true, force: true });
  return true;
}
