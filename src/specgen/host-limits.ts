// Facts about the host the spec depends on: the daemon's own open-files limit and the CPUs for per-CPU masks.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { EngineError } from '../core/index.js';

/**
 * The hard RLIMIT_NOFILE of this process, from /proc/self/limits (Node has no getrlimit). Containers get it as
 * both soft and hard limit: raising a hard limit above the daemon's would fail in runc, and lowering the soft
 * one below it breaks servers that expect Docker's behaviour.
 */
export function hostNofileHardLimit(): number {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) throw new EngineError('Internal', 'cannot read the open-files limit from /proc/self/limits');
  // "unlimited" cannot happen for RLIMIT_NOFILE (the kernel caps it at nr_open), but be explicit.
  return m[2] === 'unlimited' ? Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) : Number(m[2]);
}

/** /sys/devices/system/cpu/cpuN/thermal_throttle for each host CPU that has one. */
export function perCpuPaths(suffix: string): string[] {
  const base = '/sys/devices/system/cpu';
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => /^cpu\d+$/.test(n));
  } catch {
    return [];
  }
  return names.map((n) => `${base}/${n}/${suffix}`).filter((p) => existsSync(p));
}
