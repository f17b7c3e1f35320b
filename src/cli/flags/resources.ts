// Flags that limit what a container may consume (--memory, --cpus, --pids-limit, --ulimit …), in docker's syntax.
// Parsing checks only the syntax and names the flag; ranges and host facts are the engine's to check
// (engine/validate-resources.ts), so API clients get the same answers.
import type { Command } from 'commander';
import { InvalidArgumentError, parseSize, type ResourceLimits, type ThrottleDevice, type Ulimit,
  type WeightDevice } from '../../core/index.js';
import { collect } from '../parse.js';

export interface ResourceFlags {
  cpus?: string; cpuShares?: string; cpuPeriod?: string; cpuQuota?: string; cpusetCpus?: string; cpusetMems?: string;
  memory?: string; memoryReservation?: string; memorySwap?: string; oomKillDisable?: boolean; oomScoreAdj?: string;
  cpusExclusive?: string; memoryGuaranteed?: string; cpuRtRuntime?: string; cpuRtPeriod?: string;
  pidsLimit?: string; blkioWeight?: string; blkioWeightDevice?: string[]; deviceReadBps?: string[]; deviceWriteBps?: string[];
  deviceReadIops?: string[]; deviceWriteIops?: string[]; ulimit?: string[]; shmSize?: string;
}

/** `create` adds every flag; `update` only those a running container can change (as docker update). */
export function addResourceFlags(cmd: Command, set: 'create' | 'update' = 'create'): Command {
  cmd
    .option('--cpus <n>', 'number of CPUs (e.g. 1.5)')
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight, default 1024)')
    .option('--cpu-period <us>', 'CFS period in microseconds (1000-1000000)')
    .option('--cpu-quota <us>', 'CFS quota in microseconds per period (at least 1000; -1 for none)')
    .option('--cpuset-cpus <list>', 'CPUs the container may run on (0-1,3)')
    .option('--cpuset-mems <list>', 'memory nodes the container may use (0-1)')
    .option('-m, --memory <size>', 'memory limit (e.g. 256m)')
    .option('--memory-reservation <size>', 'memory soft limit')
    .option('--memory-swap <size>', 'memory plus swap limit; -1 for unlimited swap')
    .option('--pids-limit <n>', 'maximum number of processes (default 2048; 0 or -1 for no limit)')
    .option('--blkio-weight <n>', 'block I/O weight (10-1000)');
  if (set === 'update') return cmd;
  return cmd
    .option('--cpus-exclusive <n>', 'CPUs owned by this container alone while it runs, chosen by the engine')
    .option('--memory-guaranteed <size>', 'memory guaranteed to the container (admitted only if it fits, never overcommitted)')
    .option('--cpu-rt-runtime <us>', 'real-time CPU time per period in microseconds (cgroup v1)')
    .option('--cpu-rt-period <us>', 'real-time period in microseconds (cgroup v1; default 1000000)')
    .option('--oom-kill-disable', 'do not OOM-kill the container at its memory limit')
    .option('--oom-score-adj <n>', "the container's OOM score adjustment (-1000 to 1000)")
    .option('--blkio-weight-device <path:weight>', 'block I/O weight for one device (e.g. /dev/sda:200; 10-1000)', collect, [])
    .option('--device-read-bps <path:rate>', 'limit reads from a device (e.g. /dev/sda:1mb)', collect, [])
    .option('--device-write-bps <path:rate>', 'limit writes to a device (e.g. /dev/sda:1mb)', collect, [])
    .option('--device-read-iops <path:n>', 'limit read operations per second on a device', collect, [])
    .option('--device-write-iops <path:n>', 'limit write operations per second on a device', collect, [])
    .option('--ulimit <name=soft[:hard]>', 'set a resource limit (e.g. nofile=1024:2048)', collect, [])
    .option('--shm-size <size>', 'size of /dev/shm (default 64m)');
}

function int(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected a whole number`);
  return Number(v);
}

function float(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d*\.?\d+$/.test(v.trim())) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected a number such as 1.5`);
  return Number(v);
}

function size(v: string | undefined, flag: string, allowUnlimited = false): number | undefined {
  if (v === undefined) return undefined;
  if (allowUnlimited && v.trim() === '-1') return -1;
  return parseSize(v, `${flag} value`);
}

/** PATH:RATE, the rate a size (bps) or a count (iops). */
export function parseThrottle(values: string[] | undefined, flag: string, kind: 'bps' | 'iops'): ThrottleDevice[] | undefined {
  return values?.length ? values.map((v) => {
    const [path, rate] = devicePair(v, flag, `DEVICE:RATE such as /dev/sda:${kind === 'bps' ? '1mb' : '100'}`);
    return { path, rate: kind === 'bps' ? parseSize(rate, `${flag} rate`) : int(rate, flag)! };
  }) : undefined;
}

/** PATH:WEIGHT (--blkio-weight-device); the range is the engine's to check. */
export function parseWeightDevices(values: string[] | undefined): WeightDevice[] | undefined {
  const flag = '--blkio-weight-device';
  return values?.length ? values.map((v) => {
    const [path, weight] = devicePair(v, flag, 'DEVICE:WEIGHT such as /dev/sda:200');
    return { path, weight: int(weight, flag)! };
  }) : undefined;
}

/** An absolute device path and the value after its last colon. */
function devicePair(v: string, flag: string, expected: string): [string, string] {
  const colon = v.lastIndexOf(':');
  const path = v.slice(0, colon);
  const value = v.slice(colon + 1);
  if (colon <= 0 || !path.startsWith('/') || value === '') throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected ${expected}`);
  return [path, value];
}

/** name=soft[:hard]; hard defaults to soft, as in docker. */
export function parseUlimit(v: string): Ulimit {
  const m = /^([a-zA-Z_]+)=([^:]+)(?::(.+))?$/.exec(v);
  if (!m) throw new InvalidArgumentError(`invalid value "${v}" for --ulimit: expected NAME=SOFT[:HARD] such as nofile=1024:2048`);
  const value = (s: string) => {
    if (s === 'unlimited' || s === '-1') {
      throw new InvalidArgumentError(`invalid value "${v}" for --ulimit: "unlimited" cannot be set; leave the limit out to keep the host's`);
    }
    if (!/^\d+$/.test(s)) throw new InvalidArgumentError(`invalid value "${v}" for --ulimit: limits must be whole numbers`);
    return Number(s);
  };
  const soft = value(m[2]!);
  return { name: m[1]!.toLowerCase(), soft, hard: m[3] === undefined ? soft : value(m[3]) };
}

export function resourcesFromFlags(f: ResourceFlags): ResourceLimits {
  const r: ResourceLimits = {
    cpus: float(f.cpus, '--cpus'), cpuShares: int(f.cpuShares, '--cpu-shares'), cpuPeriod: int(f.cpuPeriod, '--cpu-period'),
    cpuQuota: int(f.cpuQuota, '--cpu-quota'), cpusetCpus: f.cpusetCpus, cpusetMems: f.cpusetMems,
    memory: size(f.memory, '--memory'), memoryReservation: size(f.memoryReservation, '--memory-reservation'),
    memorySwap: size(f.memorySwap, '--memory-swap', true), oomKillDisable: f.oomKillDisable,
    cpusExclusive: int(f.cpusExclusive, '--cpus-exclusive'), memoryGuaranteed: size(f.memoryGuaranteed, '--memory-guaranteed'),
    cpuRtRuntime: int(f.cpuRtRuntime, '--cpu-rt-runtime'), cpuRtPeriod: int(f.cpuRtPeriod, '--cpu-rt-period'),
    oomScoreAdj: int(f.oomScoreAdj, '--oom-score-adj'), pidsLimit: int(f.pidsLimit, '--pids-limit'),
    blkioWeight: int(f.blkioWeight, '--blkio-weight'), blkioWeightDevice: parseWeightDevices(f.blkioWeightDevice),
    deviceReadBps: parseThrottle(f.deviceReadBps, '--device-read-bps', 'bps'),
    deviceWriteBps: parseThrottle(f.deviceWriteBps, '--device-write-bps', 'bps'),
    deviceReadIops: parseThrottle(f.deviceReadIops, '--device-read-iops', 'iops'),
    deviceWriteIops: parseThrottle(f.deviceWriteIops, '--device-write-iops', 'iops'),
    ulimits: f.ulimit?.length ? f.ulimit.map(parseUlimit) : undefined,
    shmSize: size(f.shmSize, '--shm-size'),
  };
  // Only what was given travels: absent means "engine default", which the engine decides.
  for (const k of Object.keys(r) as Array<keyof ResourceLimits>) if (r[k] === undefined) delete r[k];
  return r;
}
