// Docker's resource fields (HostConfig on create, the body of /containers/{id}/update) as the engine's
// ResourceLimits. Docker's zero means "not given"; NanoCpus becomes the engine's fractional cpus.
import type { ResourceLimits } from '../../core/index.js';
import { isSet, num, str, throttle, weightDevices } from './fields.js';

type Obj = Record<string, unknown>;

const NUMBERS: Array<[string, keyof ResourceLimits]> = [
  ['Memory', 'memory'], ['MemorySwap', 'memorySwap'], ['MemoryReservation', 'memoryReservation'], ['CpuShares', 'cpuShares'],
  ['CpuPeriod', 'cpuPeriod'], ['CpuQuota', 'cpuQuota'], ['PidsLimit', 'pidsLimit'], ['BlkioWeight', 'blkioWeight'],
  ['CpuRealtimeRuntime', 'cpuRtRuntime'], ['CpuRealtimePeriod', 'cpuRtPeriod'],
];
const STRINGS: Array<[string, keyof ResourceLimits]> = [['CpusetCpus', 'cpusetCpus'], ['CpusetMems', 'cpusetMems']];
const THROTTLES: Array<[string, keyof ResourceLimits]> = [
  ['BlkioDeviceReadBps', 'deviceReadBps'], ['BlkioDeviceWriteBps', 'deviceWriteBps'],
  ['BlkioDeviceReadIOps', 'deviceReadIops'], ['BlkioDeviceWriteIOps', 'deviceWriteIops'],
];

export function resourcesFromDocker(body: Obj, prefix: 'create' | 'update'): ResourceLimits {
  const field = (name: string) => (prefix === 'create' ? `HostConfig.${name}` : name);
  const out: Record<string, unknown> = {};
  for (const [from, to] of NUMBERS) if (isSet(body[from])) out[to] = num(body[from], field(from));
  for (const [from, to] of STRINGS) if (isSet(body[from])) out[to] = str(body[from], field(from));
  for (const [from, to] of THROTTLES) if (isSet(body[from])) out[to] = throttle(body[from], field(from));
  if (isSet(body.BlkioWeightDevice)) out.blkioWeightDevice = weightDevices(body.BlkioWeightDevice, field('BlkioWeightDevice'));
  if (isSet(body.NanoCpus)) out.cpus = num(body.NanoCpus, field('NanoCpus')) / 1e9;
  return out as ResourceLimits;
}
