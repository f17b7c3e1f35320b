// Live edits of CPU placement in cgroup files: the cpuset of a running container (the allocator moves the shared
// pool under running containers, as the kubelet's CPU manager does), and the real-time budget of the containers'
// parent cgroup. runc sets both at create; after that the kernel files are the only handle. Writes are
// synchronous on purpose: each is one small write, and doing them without an await between deciding and writing
// means no other allocation can interleave. Every path is below `root`, so fake trees can stand in for tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, errnoCode, wrap } from '../core/index.js';
import type { CgroupDirs } from './cgroup-paths.js';
import { detectCgroups } from './cgroups.js';
import { parseFlatKeyed } from './cgroup-stats.js';

function cpusetFile(dirs: CgroupDirs): string | undefined {
  if (dirs.version === 2) return join(dirs.dir, 'cpuset.cpus');
  return dirs.dirs.cpuset ? join(dirs.dirs.cpuset, 'cpuset.cpus') : undefined;
}

/** The cpuset a cgroup has now ("0-1"), or undefined without a cpuset controller. An empty v2 file means "inherit". */
export function readCpusetCpus(dirs: CgroupDirs): string | undefined {
  const file = cpusetFile(dirs);
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw wrap(err, `read ${file}`);
  }
}

/** Moves a running cgroup to other CPUs. A cgroup that is gone (its container just exited) is not an error. */
export function writeCpusetCpus(dirs: CgroupDirs, cpus: string): boolean {
  const file = cpusetFile(dirs);
  if (!file) return false;
  try {
    writeFileSync(file, cpus);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENODEV') return false;
    throw wrap(err, `set cpuset ${cpus} in ${file}`);
  }
}

/** CFS throttling so far: how often and how long the cgroup was held back by its CPU quota. */
export function readThrottling(dirs: CgroupDirs): { nrThrottled: number; throttledUs: number } {
  const file = dirs.version === 2 ? join(dirs.dir, 'cpu.stat') : dirs.dirs.cpu ? join(dirs.dirs.cpu, 'cpu.stat') : undefined;
  if (!file) return { nrThrottled: 0, throttledUs: 0 };
  const stat = parseFlatKeyed(readFileSync(file, 'utf8'));
  // v1 counts nanoseconds (throttled_time), v2 microseconds (throttled_usec).
  const us = stat.throttled_usec ?? Math.round((stat.throttled_time ?? 0) / 1000);
  return { nrThrottled: stat.nr_throttled ?? 0, throttledUs: us };
}

/** 'ok', or why this host cannot give a container real-time CPU time, as the end of a one-line message. */
export function realtimeSupport(root = '/'): string {
  const info = detectCgroups(root);
  if (info.version === 2) return 'real-time CPU time cannot be limited on cgroup v2 (the kernel has no cpu.rt_runtime_us there)';
  const mount = info.v1Mounts.cpu;
  if (!mount) return 'this host has no cgroup v1 cpu controller';
  if (!existsSync(join(root, mount, 'cpu.rt_runtime_us'))) return 'this kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED)';
  return 'ok';
}

/**
 * Gives the parent cgroup (where container cgroups are created) `runtimeUs` of real-time time per second. A child
 * can only be given real-time time its parent has, and the kernel refuses a parent budget its own parent cannot
 * cover: that refusal becomes a Conflict naming what was asked. Creates the parent's cpu directory if needed,
 * since runc makes it only when it creates the first child.
 */
export function setRealtimeBudget(parent: string, runtimeUs: number, root = '/'): void {
  const mount = detectCgroups(root).v1Mounts.cpu;
  if (!mount) return;
  const dir = join(root, mount, parent);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cpu.rt_runtime_us');
  try {
    writeFileSync(file, String(runtimeUs));
  } catch (err) {
    if (errnoCode(err) === 'EINVAL' || errnoCode(err) === 'EBUSY') {
      const granted = readRootBudget(join(root, mount));
      throw new ConflictError(`not enough real-time CPU time: the containers need ${runtimeUs}µs per second, the host grants ${granted}µs per second to all real-time groups`);
    }
    throw wrap(err, `set the real-time budget of ${parent}`);
  }
}

function readRootBudget(cpuMount: string): string {
  try {
    return readFileSync(join(cpuMount, 'cpu.rt_runtime_us'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
