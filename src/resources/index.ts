// resources: the host's CPU/memory topology and the allocator of exclusive CPUs and guaranteed memory.
// Contract: pure domain code — it reads sysfs/procfs (readTopology) and otherwise only computes; it never writes
// cgroups, starts containers or persists anything (the engine records every Allocation in the state store and
// hands them back through ResourcePools.restore at start). CPU lists are sorted ascending everywhere. A refused
// request changes nothing: InvalidArgumentError when it could never fit this host, ConflictError when it does
// not fit beside what is already handed out; restore() throws StateInvalidError on an inconsistent state.
export * from './types.js';
export { readTopology } from './topology.js';
export { parseCpuList, formatCpuList } from './cpu-list.js';
export { takeCpus, wholeCoreCpus } from './cpu-assignment.js';
export { domainLevels, type DomainKind } from './cpu-domains.js';
export { ResourcePools, defaultReservedCpus, type PoolsSnapshot } from './pools.js';
export { formatBytes, type MemoryBudget } from './memory-admission.js';
