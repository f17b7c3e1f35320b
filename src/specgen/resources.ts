// linux.resources (the device cgroup allowlist and the user's memory, CPU, pids and block I/O limits) and the
// resource settings that live elsewhere in the spec: process rlimits, the OOM score and the /dev/shm size.
// Values arrive validated (engine/validate-resources.ts); the checks kept here only guard records written by
// older engines, so a bad one fails as a clear InvalidArgument rather than as a runtime error.
import { InvalidArgumentError, wrap, type ContainerConfig, type ResourceLimits, type ThrottleDevice } from '../core/index.js';
import { DEVICE_RULES, type DeviceRule } from '../security/index.js';
import { blockDeviceNumbers } from '../sys/cgroup-host.js';
import { setShmSize } from './mounts.js';
import type { OciDeviceCgroup, OciProcess, OciResourceLimits, OciResources, OciRlimit, OciSpec } from './oci-types.js';

const MIN_MEMORY = 6 * 1024 * 1024;
export const CPU_PERIOD = 100_000;   // the kernel's default CFS period; --cpus is a quota over it

export function deviceRules(): OciDeviceCgroup[] {
  return DEVICE_RULES.map(ociDeviceRule);
}

/** A devices cgroup rule as the spec writes it: an absent type or number means any. */
export function ociDeviceRule(r: DeviceRule): OciDeviceCgroup {
  const d: OciDeviceCgroup = { allow: r.allow, access: r.access };
  if (r.type) d.type = r.type;
  if (r.major !== undefined) d.major = r.major;
  if (r.minor !== undefined) d.minor = r.minor;
  return d;
}

export function buildResources(limits: ResourceLimits): OciResources {
  return { devices: deviceRules(), ...limitResources(limits, true) };
}

/**
 * The limits alone, as `runc update --resources` takes them: memory, CPU, pids and the block I/O weight.
 * Per-device weights and throttles are create-only (runc update does not apply them), so they are left out of updates.
 */
export function limitResources(limits: ResourceLimits, withDevices = false): OciResourceLimits {
  const res: OciResourceLimits = {};
  const memory: NonNullable<OciResourceLimits['memory']> = {};
  if (limits.memory !== undefined && limits.memory !== 0) {
    if (!Number.isSafeInteger(limits.memory) || limits.memory < MIN_MEMORY) {
      throw new InvalidArgumentError(`invalid memory limit ${limits.memory}: minimum memory limit allowed is 6MB`);
    }
    memory.limit = limits.memory;
  }
  // A guarantee is also the soft limit the kernel reclaims down to last, unless the user set one.
  if (limits.memoryReservation) memory.reservation = limits.memoryReservation;
  else if (limits.memoryGuaranteed) memory.reservation = limits.memoryGuaranteed;
  // Swap only when asked: a v1 host without swap accounting refuses any value, and the kernel default is fine.
  if (limits.memorySwap) memory.swap = limits.memorySwap;
  if (limits.oomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) res.memory = memory;

  const cpu: NonNullable<OciResourceLimits['cpu']> = {};
  if (limits.cpus !== undefined && limits.cpus !== 0) {
    if (!Number.isFinite(limits.cpus) || limits.cpus < 0.01) {
      throw new InvalidArgumentError(`invalid cpus ${limits.cpus}: must be a number of CPUs of at least 0.01`);
    }
    cpu.quota = Math.round(limits.cpus * CPU_PERIOD);
    cpu.period = CPU_PERIOD;
  }
  if (limits.cpuQuota) cpu.quota = limits.cpuQuota;
  if (limits.cpuPeriod) cpu.period = limits.cpuPeriod;
  if (limits.cpuShares) cpu.shares = limits.cpuShares;
  if (limits.cpusetCpus) cpu.cpus = limits.cpusetCpus;
  if (limits.cpusetMems) cpu.mems = limits.cpusetMems;
  if (limits.cpuRtRuntime !== undefined) cpu.realtimeRuntime = limits.cpuRtRuntime;
  if (limits.cpuRtPeriod !== undefined) cpu.realtimePeriod = limits.cpuRtPeriod;
  if (Object.keys(cpu).length) res.cpu = cpu;

  if (limits.pidsLimit !== undefined && limits.pidsLimit !== 0) {
    if (!Number.isSafeInteger(limits.pidsLimit)) throw new InvalidArgumentError(`invalid pids limit ${limits.pidsLimit}: must be an integer`);
    res.pids = { limit: limits.pidsLimit < 0 ? -1 : limits.pidsLimit };
  }

  const blockIO: NonNullable<OciResourceLimits['blockIO']> = {};
  if (limits.blkioWeight) blockIO.weight = limits.blkioWeight;
  if (withDevices) {
    if (limits.blkioWeightDevice?.length) {
      blockIO.weightDevice = limits.blkioWeightDevice.map((d) => ({ ...deviceNumbers(d.path, '--blkio-weight-device'), weight: d.weight }));
    }
    const put = (key: keyof typeof blockIO, flag: string, list: ThrottleDevice[] | undefined) => {
      if (list?.length) (blockIO as Record<string, unknown>)[key] = list.map((d) => ({ ...deviceNumbers(d.path, flag), rate: d.rate }));
    };
    put('throttleReadBpsDevice', '--device-read-bps', limits.deviceReadBps);
    put('throttleWriteBpsDevice', '--device-write-bps', limits.deviceWriteBps);
    put('throttleReadIOPSDevice', '--device-read-iops', limits.deviceReadIops);
    put('throttleWriteIOPSDevice', '--device-write-iops', limits.deviceWriteIops);
  }
  if (Object.keys(blockIO).length) res.blockIO = blockIO;
  return res;
}

function deviceNumbers(path: string, flag: string): { major: number; minor: number } {
  try {
    return blockDeviceNumbers(path);
  } catch (err) {
    // The device was checked at create; it may have gone since (a detached disk).
    throw wrap(err, `${flag} ${path}`);
  }
}

/** Resource settings that live outside linux.resources (rlimits, /dev/shm size, OOM score). */
export function applyResources(spec: OciSpec, config: ContainerConfig): void {
  applyProcessResources(spec.process, config);
  if (config.resources.shmSize !== undefined) setShmSize(spec.mounts, config.resources.shmSize);
}

/**
 * The container's --ulimit values and OOM score on a process object. The init process gets them through
 * applyResources; an exec'd process needs them too, or it would escape the container's limits.
 */
export function applyProcessResources(process: OciProcess, config: ContainerConfig): void {
  const r = config.resources;
  if (r.oomScoreAdj !== undefined) process.oomScoreAdj = r.oomScoreAdj;
  if (r.ulimits?.length) process.rlimits = mergeRlimits(process.rlimits, r.ulimits.map((u) => ({
    type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft, hard: u.hard,
  })));
}

/** The defaults (RLIMIT_NOFILE from process.ts) with the user's --ulimit values replacing those of the same type. */
export function mergeRlimits(defaults: OciRlimit[], user: OciRlimit[]): OciRlimit[] {
  const given = new Set(user.map((u) => u.type));
  return [...defaults.filter((d) => !given.has(d.type)), ...user];
}
