// Fixed hosts and container sets for the static interference tests. The topologies are written out by hand
// from sysfs layouts: the project's 2-vCPU KVM guest, and a dual-socket host with 4 cores per socket and SMT2
// numbered the way Linux numbers Intel parts (cpu N and N+8 are siblings).
import type { CacheInfo, Topology } from '../../src/resources/types.js';
import type { ContainerFacts, HostFacts } from '../../src/analysis/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function perCpuCaches(cpuIds: number[], groupOf: (cpu: number) => number[]): CacheInfo[] {
  const l1 = cpuIds.flatMap((id): CacheInfo[] => [
    { level: 1, type: 'Data', id, sizeBytes: 48 * KiB, cpus: groupOf(id) },
    { level: 1, type: 'Instruction', id, sizeBytes: 32 * KiB, cpus: groupOf(id) },
  ]);
  return l1.filter((c) => c.cpus[0] === c.id);
}

export const VM2_TOPOLOGY: Topology = {
  cpus: [{ id: 0, core: 0, socket: 0, numa: 0 }, { id: 1, core: 1, socket: 0, numa: 0 }],
  caches: [
    ...perCpuCaches([0, 1], (id) => [id]),
    { level: 2, type: 'Unified', id: 0, sizeBytes: MiB, cpus: [0] },
    { level: 2, type: 'Unified', id: 1, sizeBytes: MiB, cpus: [1] },
    { level: 3, type: 'Unified', id: 0, sizeBytes: 32 * MiB, cpus: [0, 1] },
  ],
  numaNodes: [{ id: 0, cpus: [0, 1], memTotal: 24 * GiB }],
  smtWidth: 1,
  memTotal: 24 * GiB,
};

const sockets = [[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]];
export const DUAL_SMT2_TOPOLOGY: Topology = {
  cpus: Array.from({ length: 16 }, (_, id) => ({ id, core: id % 8, socket: id % 8 < 4 ? 0 : 1, numa: id % 8 < 4 ? 0 : 1 })),
  caches: [
    ...perCpuCaches(Array.from({ length: 16 }, (_, i) => i), (id) => [id % 8, id % 8 + 8]),
    ...Array.from({ length: 8 }, (_, core): CacheInfo => ({ level: 2, type: 'Unified', id: core, sizeBytes: 2 * MiB, cpus: [core, core + 8] })),
    ...sockets.map((cpus, id): CacheInfo => ({ level: 3, type: 'Unified', id, sizeBytes: 30 * MiB, cpus: [...cpus].sort((a, b) => a - b) })),
  ],
  numaNodes: sockets.map((cpus, id) => ({ id, cpus: [...cpus].sort((a, b) => a - b), memTotal: 32 * GiB })),
  smtWidth: 2,
  memTotal: 64 * GiB,
};

export const kvmHost = (topology: Topology): HostFacts => ({ topology, virtualization: { kind: 'vm', hypervisor: 'KVM' }, rdt: false });
export const metalHost = (topology: Topology, rdt = false): HostFacts => ({ topology, virtualization: { kind: 'bare-metal' }, rdt });

// Short ids keep the golden files readable; the analysis treats ids as opaque strings.
const id = (name: string) => `${name}-${name.length}`;
const root = (device: string, ioLimited = false) => ({ device, what: 'root filesystem', ioLimited });

function container(name: string, f: Partial<ContainerFacts> & { cpus: number[] }): ContainerFacts {
  return { id: id(name), name, exclusive: false, blockDevices: [root('254:0')], networks: [], volumes: [], ...f };
}

/** Three shared-pool containers on the 2-vCPU VM: the default case for `bulkhead run`. */
export const VM2_POOL: ContainerFacts[] = [
  container('web', { cpus: [0, 1], networks: ['bh-d1234'] }),
  container('db', {
    cpus: [0, 1], memoryLimit: GiB, networks: ['bh-d1234'], volumes: [{ name: 'data', readOnly: false }],
    blockDevices: [root('254:0'), { device: '254:0', what: 'volume data', ioLimited: false }],
  }),
  container('batch', {
    cpus: [0, 1], cpuQuota: 0.5, memoryLimit: 512 * MiB, volumes: [{ name: 'data', readOnly: true }],
    blockDevices: [root('254:0', true), { device: '254:0', what: 'volume data', ioLimited: true }],
  }),
];

/** The same VM with cpu 1 handed out exclusively to a latency-critical container. */
export const VM2_EXCLUSIVE: ContainerFacts[] = [
  container('rt', { cpus: [1], exclusive: true, memoryLimit: 256 * MiB, memoryGuaranteed: 256 * MiB }),
  container('web', { cpus: [0], networks: ['bh-d1234'] }),
  container('batch', { cpus: [0], cpuQuota: 0.5, memoryLimit: 512 * MiB, blockDevices: [root('254:0', true)] }),
];

const POOL = [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15];
/** A busy dual-socket host: a whole exclusive core, a half core, five identical workers and two odd ones. */
export const DUAL_MIXED: ContainerFacts[] = [
  container('latency', { cpus: [0, 8], exclusive: true, memoryLimit: 4 * GiB, memoryGuaranteed: 4 * GiB, blockDevices: [root('8:1')], networks: ['bh-front'] }),
  container('half', { cpus: [1], exclusive: true, memoryLimit: GiB, blockDevices: [root('8:1')], networks: ['bh-front'] }),
  ...[1, 2, 3, 4, 5].map((n) => container(`worker${n}`, { cpus: POOL, memoryLimit: 2 * GiB, blockDevices: [root('8:1')], networks: ['bh-back'] })),
  container('logger', {
    cpus: POOL, cpuQuota: 1, networks: ['host'], volumes: [{ name: 'logs', readOnly: false }],
    blockDevices: [root('8:1'), { device: '8:17', what: 'volume logs', ioLimited: false }],
  }),
  container('reader', {
    cpus: POOL, cpuQuota: 2, memoryLimit: GiB, networks: ['bh-back'], volumes: [{ name: 'logs', readOnly: true }],
    blockDevices: [root('8:1'), { device: '8:17', what: 'volume logs', ioLimited: true }],
  }),
];

export const GOLDEN_CASES: Array<{ name: string; host: HostFacts; containers: ContainerFacts[] }> = [
  { name: 'vm2-pool', host: kvmHost(VM2_TOPOLOGY), containers: VM2_POOL },
  { name: 'vm2-exclusive', host: kvmHost(VM2_TOPOLOGY), containers: VM2_EXCLUSIVE },
  { name: 'dual-smt2-mixed', host: metalHost(DUAL_SMT2_TOPOLOGY), containers: DUAL_MIXED },
];
