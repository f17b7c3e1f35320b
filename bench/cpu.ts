// CPU time from /proc/<pid>/stat, to tell "waiting" from "working" when many things run at once on few cores.
// cutime/cstime hold the CPU of children the process has already reaped, which is how the benchmark counts
// the CLI processes it spawned (and the daemon counts the runc/conmon launches it waited for).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** User + system CPU seconds of a process, plus those of its reaped children when asked. */
export function cpuSeconds(pid: number | 'self', withReapedChildren: boolean): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // After the name, utime is field 14 of the full line, i.e. index 11 here; stime, cutime, cstime follow.
  const ticks = f[11]! + f[12]! + (withReapedChildren ? f[13]! + f[14]! : 0);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds spent by the benchmark's reaped children and by the daemon while fn ran. */
export async function measureCpu<T>(daemonPid: number, fn: () => Promise<T>): Promise<{ result: T; cliCpuS: number; daemonCpuS: number }> {
  const cli0 = cpuSeconds('self', true) - cpuSeconds('self', false);
  const d0 = cpuSeconds(daemonPid, true);
  const result = await fn();
  const cliCpuS = cpuSeconds('self', true) - cpuSeconds('self', false) - cli0;
  const daemonCpuS = cpuSeconds(daemonPid, true) - d0;
  return { result, cliCpuS: round2(cliCpuS), daemonCpuS: round2(daemonCpuS) };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
