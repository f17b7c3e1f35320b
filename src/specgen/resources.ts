// linux.resources: the device cgroup allowlist and the user's memory, CPU and pids limits.
import { InvalidArgumentError, type ContainerConfig, type ResourceLimits } from '../core/index.js';
import { DEVICE_RULES } from '../security/index.js';
import type { OciDeviceCgroup, OciResources, OciSpec } from './oci-types.js';

// Docker's floor: below this the container cannot even start its runtime.
const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;

export function deviceRules(): OciDeviceCgroup[] {
  return DEVICE_RULES.map((r) => {
    const d: OciDeviceCgroup = { allow: r.allow, access: r.access };
    if (r.type) d.type = r.type;
    if (r.major !== undefined) d.major = r.major;
    if (r.minor !== undefined) d.minor = r.minor;
    return d;
  });
}

export function buildResources(limits: ResourceLimits): OciResources {
  const res: OciResources = { devices: deviceRules() };
  if (limits.memory !== undefined && limits.memory !== 0) {
    if (!Number.isSafeInteger(limits.memory) || limits.memory < MIN_MEMORY) {
      throw new InvalidArgumentError(`invalid memory limit ${limits.memory}: minimum memory limit allowed is 6MB`);
    }
    // No swap value: cgroup v1 hosts without swap accounting would refuse it; the kernel default applies.
    res.memory = { limit: limits.memory };
  }
  if (limits.cpus !== undefined && limits.cpus !== 0) {
    if (!Number.isFinite(limits.cpus) || limits.cpus < 0.01) {
      throw new InvalidArgumentError(`invalid cpus ${limits.cpus}: must be a number of CPUs of at least 0.01`);
    }
    res.cpu = { quota: Math.round(limits.cpus * CPU_PERIOD), period: CPU_PERIOD };
  }
  if (limits.pidsLimit !== undefined && limits.pidsLimit > 0) {
    if (!Number.isSafeInteger(limits.pidsLimit)) throw new InvalidArgumentError(`invalid pids limit ${limits.pidsLimit}: must be an integer`);
    res.pids = { limit: limits.pidsLimit };
  }
  return res;
}

/** Resource settings that live outside linux.resources (rlimits, /dev/shm size, OOM score). */
export function applyResources(spec: OciSpec, config: ContainerConfig): void {
  if (config.resources.oomScoreAdj !== undefined) spec.process.oomScoreAdj = config.resources.oomScoreAdj;
}
