// `ps --filter stale=DURATION`: running (or paused) containers that did nothing for that long. "Nothing" means
// no process of the container ran on a CPU and nothing was written to its log. Both are read from the kernel
// and the filesystem when asked, so no sampler runs in the daemon:
//   - the last time a thread ran is its scheduler's `se.exec_start` in /proc/<tid>/sched (the sched clock at
//     which it last left or took a CPU). Our own thread's value, read in the same call, is "now" on that clock,
//     so the difference is how long ago, without converting clocks. Threads are the cgroup's (`tasks` on v1,
//     `cgroup.threads` on v2), so exec'd processes count too.
//   - the last output is the mtime of the container's log file (conmon writes every line there).
// The activity is the latest of those and the start time. A kernel without /proc/<tid>/sched
// (CONFIG_SCHED_DEBUG off) gives no CPU answer: such a container is never called stale, since an idle
// process cannot be told from a busy silent one there.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, parseDuration, type ContainerRecord } from '../../core/index.js';
import { processCgroupDirs } from '../../sys/cgroup-paths.js';
import { containerPaths, type EngineContext } from '../context.js';

/** Milliseconds from a stale=DURATION value, or a one-line error naming it. */
export function parseStale(value: string): number {
  try {
    return parseDuration(value, 'stale');
  } catch {
    throw new InvalidArgumentError(`invalid filter "stale=${value}": expected a duration such as 30s, 10m or 24h`);
  }
}

/** Unix ms of the container's last CPU run or log write; undefined when its CPU activity cannot be read. */
export function lastActivity(ctx: EngineContext, c: ContainerRecord, now = Date.now()): number | undefined {
  let latest = Date.parse(c.state.startedAt) || 0;
  try {
    latest = Math.max(latest, statSync(containerPaths(ctx, c.config.id).logPath).mtimeMs);
  } catch { /* no log yet */ }
  const ranAgo = lastRanAgo(c.state.pid);
  if (ranAgo === undefined) return undefined;
  return Math.max(latest, now - ranAgo);
}

export function isStale(ctx: EngineContext, c: ContainerRecord, idleMs: number, now = Date.now()): boolean {
  if (c.state.status !== 'running' && c.state.status !== 'paused') return false;
  const last = lastActivity(ctx, c, now);
  return last !== undefined && now - last >= idleMs;
}

/** Milliseconds since any thread of the init process's cgroup last ran; undefined when unreadable. */
function lastRanAgo(pid: number): number | undefined {
  if (!(pid > 0)) return undefined;
  const self = execStart('thread-self');
  if (self === undefined) return undefined;
  let threads: number[];
  try {
    threads = cgroupThreads(pid);
  } catch {
    return undefined;
  }
  let latest: number | undefined;
  for (const tid of threads) {
    const t = execStart(String(tid));
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest === undefined ? undefined : Math.max(0, self - latest);
}

function cgroupThreads(pid: number): number[] {
  const dirs = processCgroupDirs(pid);
  const file = dirs.version === 2 ? join(dirs.dir, 'cgroup.threads') : join(dirs.dirs.cpuacct ?? dirs.dirs.pids ?? dirs.dirs.memory ?? '', 'tasks');
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** se.exec_start of /proc/<task>/sched in ms on the scheduler's clock. */
function execStart(task: string): number | undefined {
  try {
    const m = /^se\.exec_start\s*:\s*([\d.]+)/m.exec(readFileSync(`/proc/${task}/sched`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
