// engine/allocation: the engine's side of CPU and memory allocation. Contract: a container is admitted at start
// (exclusive CPUs, guaranteed memory, real-time time) before its spec is written, and released when it exits, is
// removed or fails to start; the shared pool's running containers are moved live as the pool shrinks and grows;
// at engine start the pools are restored from the state database and checked against the kernel's cgroups.
export { AllocationRuntime, type Placement } from './runtime.js';
export { restoreAllocations } from './restore.js';
export { allocationMap, type AllocationMap, type CpuRow, type MemoryRow } from './map.js';
