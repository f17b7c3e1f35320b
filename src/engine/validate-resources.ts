// Turns the limits a client asked for into ResourceLimits, adding the engine's defaults and refusing values the
// kernel would reject, with a one-line message naming the flag. Checks that depend on the host (CPUs and memory
// nodes online, block devices, the daemon's own hard rlimits) read it here, so a bad value fails at create and
// never as a runtime error at start.
import { InvalidArgumentError, errorKind, type ResourceLimits, type ThrottleDevice, type Ulimit,
  type WeightDevice } from '../core/index.js';
import { RLIMIT_NAMES, blockDeviceNumbers, blockWeightRefusal, hostRlimits, onlineCpus, onlineMemoryNodes, parseCpuList } from '../sys/cgroup-host.js';
import { realtimeSupport } from '../sys/cgroup-cpu.js';

export const DEFAULT_PIDS_LIMIT = 2048;
const MIN_MEMORY = 6 * 1024 * 1024;   // docker's floor: below it the runtime itself cannot start
const MAX_SHARES = 262_144;           // the kernel's MAX_SHARES

/** The flag each field comes from, for messages. */
export const RESOURCE_FLAGS: Readonly<Record<keyof ResourceLimits, string>> = {
  memory: '--memory', memoryReservation: '--memory-reservation', memorySwap: '--memory-swap',
  oomKillDisable: '--oom-kill-disable', oomScoreAdj: '--oom-score-adj', cpus: '--cpus', cpuShares: '--cpu-shares',
  cpuPeriod: '--cpu-period', cpuQuota: '--cpu-quota', cpusetCpus: '--cpuset-cpus', cpusetMems: '--cpuset-mems',
  cpusExclusive: '--cpus-exclusive', memoryGuaranteed: '--memory-guaranteed', cpuRtRuntime: '--cpu-rt-runtime',
  cpuRtPeriod: '--cpu-rt-period', pidsLimit: '--pids-limit', blkioWeight: '--blkio-weight', blkioWeightDevice: '--blkio-weight-device',
  deviceReadBps: '--device-read-bps',
  deviceWriteBps: '--device-write-bps', deviceReadIops: '--device-read-iops', deviceWriteIops: '--device-write-iops',
  ulimits: '--ulimit', shmSize: '--shm-size',
};

export interface ValidateResourcesOptions {
  /** Add the engine's defaults (the pids limit); true at create, false when checking an update's result. */
  defaults?: boolean;
  /** Where host facts are read (tests). */
  hostRoot?: string;
}

export function validateResources(req: ResourceLimits | undefined, opts: ValidateResourcesOptions = {}): ResourceLimits {
  if (req !== undefined && (req === null || typeof req !== 'object' || Array.isArray(req))) {
    throw new InvalidArgumentError('create container: "resources" must be an object');
  }
  const r: ResourceLimits = { ...(req ?? {}) };
  for (const key of Object.keys(r)) {
    if (!(key in RESOURCE_FLAGS)) throw new InvalidArgumentError(`resources: unknown field "${key}"`);
    if (r[key as keyof ResourceLimits] === undefined || r[key as keyof ResourceLimits] === null) delete r[key as keyof ResourceLimits];
  }
  const root = opts.hostRoot ?? '/';
  checkMemory(r);
  checkCpu(r, root);
  checkAllocation(r, root);
  checkRealtime(r, root);
  if (r.oomKillDisable !== undefined && typeof r.oomKillDisable !== 'boolean') bad('oomKillDisable', r.oomKillDisable, 'must be true or false');
  if (r.oomScoreAdj !== undefined) intIn('oomScoreAdj', r.oomScoreAdj, -1000, 1000);
  if (r.pidsLimit === undefined) {
    if (opts.defaults !== false) r.pidsLimit = DEFAULT_PIDS_LIMIT;
  } else {
    integer('pidsLimit', r.pidsLimit);
    if (r.pidsLimit < -1) bad('pidsLimit', r.pidsLimit, 'must be a positive number of processes, or 0 or -1 for no limit');
    if (r.pidsLimit === 0) r.pidsLimit = -1;   // one spelling of "unlimited" in the record
  }
  if (r.blkioWeight !== undefined && r.blkioWeight !== 0) intIn('blkioWeight', r.blkioWeight, 10, 1000);
  if (r.blkioWeight === 0) delete r.blkioWeight;
  if (r.blkioWeightDevice !== undefined) r.blkioWeightDevice = checkWeightDevices(r.blkioWeightDevice, root);
  for (const key of ['deviceReadBps', 'deviceWriteBps', 'deviceReadIops', 'deviceWriteIops'] as const) {
    if (r[key] !== undefined) r[key] = checkThrottle(key, r[key]);
  }
  if (r.ulimits !== undefined) r.ulimits = checkUlimits(r.ulimits, root);
  if (r.shmSize !== undefined) {
    integer('shmSize', r.shmSize);
    if (r.shmSize <= 0) bad('shmSize', r.shmSize, 'must be a size greater than 0');
  }
  return r;
}

function bad(key: keyof ResourceLimits, value: unknown, why: string): never {
  const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
  throw new InvalidArgumentError(`invalid ${RESOURCE_FLAGS[key]} ${shown}: ${why}`);
}

function integer(key: keyof ResourceLimits, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(key, v, 'must be a whole number');
}

function intIn(key: keyof ResourceLimits, v: unknown, lo: number, hi: number): void {
  integer(key, v);
  if (v < lo || v > hi) bad(key, v, `must be between ${lo} and ${hi}`);
}

function checkMemory(r: ResourceLimits): void {
  if (r.memory === 0) delete r.memory;
  if (r.memorySwap === 0) delete r.memorySwap;
  if (r.memoryReservation === 0) delete r.memoryReservation;
  if (r.memory !== undefined) {
    integer('memory', r.memory);
    if (r.memory < MIN_MEMORY) bad('memory', r.memory, 'the minimum memory limit is 6MB');
  }
  if (r.memoryReservation !== undefined) {
    integer('memoryReservation', r.memoryReservation);
    if (r.memoryReservation < MIN_MEMORY) bad('memoryReservation', r.memoryReservation, 'the minimum memory reservation is 6MB');
    if (r.memory !== undefined && r.memoryReservation > r.memory) {
      bad('memoryReservation', r.memoryReservation, `must not exceed the memory limit (${r.memory})`);
    }
  }
  if (r.memorySwap !== undefined) {
    integer('memorySwap', r.memorySwap);
    if (r.memory === undefined) bad('memorySwap', r.memorySwap, 'needs --memory as well (it is the limit of memory plus swap)');
    if (r.memorySwap !== -1 && r.memorySwap < r.memory) bad('memorySwap', r.memorySwap, `must be at least the memory limit (${r.memory}), or -1 for unlimited swap`);
  }
}

function checkCpu(r: ResourceLimits, root: string): void {
  if (r.cpus === 0) delete r.cpus;
  if (r.cpuShares === 0) delete r.cpuShares;
  if (r.cpuPeriod === 0) delete r.cpuPeriod;
  if (r.cpuQuota === 0) delete r.cpuQuota;
  if (r.cpus !== undefined) {
    const online = onlineCpus(root).size;
    if (typeof r.cpus !== 'number' || !Number.isFinite(r.cpus) || r.cpus < 0.01 || r.cpus > online) {
      bad('cpus', r.cpus, `the range of CPUs is from 0.01 to ${online} on this host`);
    }
    if (r.cpuPeriod !== undefined || r.cpuQuota !== undefined) {
      throw new InvalidArgumentError('conflicting options: --cpus cannot be used with --cpu-period or --cpu-quota');
    }
  }
  if (r.cpuShares !== undefined) intIn('cpuShares', r.cpuShares, 2, MAX_SHARES);
  if (r.cpuPeriod !== undefined) intIn('cpuPeriod', r.cpuPeriod, 1000, 1_000_000);
  if (r.cpuQuota !== undefined) {
    integer('cpuQuota', r.cpuQuota);
    if (r.cpuQuota !== -1 && r.cpuQuota < 1000) bad('cpuQuota', r.cpuQuota, 'must be at least 1000 microseconds (1ms), or -1 for no quota');
  }
  if (r.cpusetCpus !== undefined) r.cpusetCpus = checkCpuset('cpusetCpus', r.cpusetCpus, onlineCpus(root), 'CPUs');
  if (r.cpusetMems !== undefined) r.cpusetMems = checkCpuset('cpusetMems', r.cpusetMems, onlineMemoryNodes(root), 'memory nodes');
}

/** The allocator's requests; whether they fit now is decided at start, when the allocator admits them. */
function checkAllocation(r: ResourceLimits, root: string): void {
  if (r.cpusExclusive === 0) delete r.cpusExclusive;
  if (r.memoryGuaranteed === 0) delete r.memoryGuaranteed;
  if (r.cpusExclusive !== undefined) {
    intIn('cpusExclusive', r.cpusExclusive, 1, onlineCpus(root).size);
    if (r.cpusetCpus !== undefined) {
      throw new InvalidArgumentError('conflicting options: --cpus-exclusive lets the engine choose the CPUs, so --cpuset-cpus cannot be given too');
    }
  }
  if (r.memoryGuaranteed !== undefined) {
    integer('memoryGuaranteed', r.memoryGuaranteed);
    if (r.memoryGuaranteed < MIN_MEMORY) bad('memoryGuaranteed', r.memoryGuaranteed, 'the minimum guarantee is 6MB');
    if (r.memory !== undefined && r.memoryGuaranteed > r.memory) {
      bad('memoryGuaranteed', r.memoryGuaranteed, `must not exceed the memory limit (${r.memory})`);
    }
  }
}

/** Real-time CPU time is a cgroup v1 knob (CONFIG_RT_GROUP_SCHED); cgroup v2 has no such file at all. */
function checkRealtime(r: ResourceLimits, root: string): void {
  if (r.cpuRtRuntime === undefined && r.cpuRtPeriod === undefined) return;
  const key = r.cpuRtRuntime !== undefined ? 'cpuRtRuntime' : 'cpuRtPeriod';
  const support = realtimeSupport(root);
  if (support !== 'ok') bad(key, r[key], support);
  if (r.cpuRtPeriod !== undefined) intIn('cpuRtPeriod', r.cpuRtPeriod, 1000, 1_000_000);
  if (r.cpuRtRuntime !== undefined) {
    const period = r.cpuRtPeriod ?? 1_000_000;
    intIn('cpuRtRuntime', r.cpuRtRuntime, 0, period);
  }
}

function checkCpuset(key: 'cpusetCpus' | 'cpusetMems', v: unknown, online: Set<number>, what: string): string {
  if (typeof v !== 'string') bad(key, v, 'must be a list such as 0-1,3');
  let wanted: Set<number>;
  try {
    wanted = parseCpuList(v);
  } catch {
    bad(key, v, 'expected numbers and ranges such as 0-1,3');
  }
  const missing = [...wanted].filter((n) => !online.has(n));
  if (missing.length) bad(key, v, `${what} ${missing.join(',')} not available (online: ${[...online].join(',')})`);
  return v.trim();
}

function checkThrottle(key: 'deviceReadBps' | 'deviceWriteBps' | 'deviceReadIops' | 'deviceWriteIops', list: unknown): ThrottleDevice[] {
  if (!Array.isArray(list)) bad(key, list, 'must be a list of {path, rate}');
  const seen = new Set<string>();
  return list.map((d: ThrottleDevice) => {
    if (d === null || typeof d !== 'object' || typeof d.path !== 'string') bad(key, d, 'each entry needs a device path');
    if (typeof d.rate !== 'number' || !Number.isSafeInteger(d.rate) || d.rate <= 0) bad(key, `${d.path}:${d.rate}`, 'the rate must be a positive whole number');
    checkBlockDevice(key, d.path, `${d.path}:${d.rate}`, seen);
    return { path: d.path, rate: d.rate };
  });
}

/** Per-device weights: 10-1000 as --blkio-weight, on a whole disk whose scheduler applies weights. */
function checkWeightDevices(list: unknown, root: string): WeightDevice[] {
  const key = 'blkioWeightDevice';
  if (!Array.isArray(list)) bad(key, list, 'must be a list of {path, weight}');
  const seen = new Set<string>();
  return list.map((d: WeightDevice) => {
    if (d === null || typeof d !== 'object' || typeof d.path !== 'string') bad(key, d, 'each entry needs a device path');
    const shown = `${d.path}:${d.weight}`;
    if (typeof d.weight !== 'number' || !Number.isSafeInteger(d.weight) || d.weight < 10 || d.weight > 1000) bad(key, shown, 'the weight must be between 10 and 1000');
    const { major, minor } = checkBlockDevice(key, d.path, shown, seen);
    const refusal = blockWeightRefusal(major, minor, root);
    if (refusal) bad(key, shown, `the kernel cannot weight ${d.path}: ${refusal}`);
    return { path: d.path, weight: d.weight };
  });
}

/** The device's numbers; a missing path, a non-block node or a second entry for one device is refused. */
function checkBlockDevice(key: keyof ResourceLimits, path: string, shown: string, seen: Set<string>): { major: number; minor: number } {
  if (seen.has(path)) bad(key, path, 'the device is listed twice');
  seen.add(path);
  try {
    return blockDeviceNumbers(path);
  } catch (err) {
    const why = errorKind(err) === 'NotFound' ? 'no such device' : err instanceof Error ? err.message : String(err);
    bad(key, shown, why);
  }
}

function checkUlimits(list: unknown, root: string): Ulimit[] {
  if (!Array.isArray(list)) bad('ulimits', list, 'must be a list of {name, soft, hard}');
  const host = hostRlimits(root);
  const seen = new Set<string>();
  return list.map((u: Ulimit) => {
    const name = typeof u?.name === 'string' ? u.name.toLowerCase().replace(/^rlimit_/, '') : '';
    const shown = `${u?.name}=${u?.soft}:${u?.hard}`;
    if (!RLIMIT_NAMES.includes(name)) bad('ulimits', shown, `unknown limit "${u?.name}" (known: ${RLIMIT_NAMES.join(', ')})`);
    if (seen.has(name)) bad('ulimits', shown, `${name} is given twice`);
    seen.add(name);
    for (const v of [u.soft, u.hard]) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad('ulimits', shown, 'limits must be whole numbers of at least 0');
    }
    if (u.soft > u.hard) bad('ulimits', shown, 'the soft limit must not exceed the hard limit');
    // The container inherits the daemon's limits; a hard limit above the daemon's own cannot be granted.
    const hostHard = host[name]?.hard ?? -1;
    if (hostHard !== -1 && u.hard > hostHard) bad('ulimits', shown, `the hard limit is above this host's own (${hostHard})`);
    return { name, soft: u.soft, hard: u.hard };
  });
}
