// The shapes shared by the allocator, the engine and the interference analysis: the host's CPU and memory
// topology as sysfs describes it, and what the engine has handed out of it. CPU ids are the kernel's logical
// CPU numbers; lists are always sorted ascending, so equal sets compare equal as arrays and print the same.

/** One logical CPU (a hardware thread) and where it sits. */
export interface CpuInfo {
  id: number;
  /** A host-wide key for the physical core: CPUs with the same core key are SMT siblings. */
  core: number;
  /** The package (socket) id, topology/physical_package_id. */
  socket: number;
  /** The NUMA node whose cpulist holds this CPU (0 when the host has no NUMA information). */
  numa: number;
}

/** One cache instance (cache/indexN of some CPU), listed once however many CPUs share it. */
export interface CacheInfo {
  level: number;                 // 1, 2, 3…
  type: 'Data' | 'Instruction' | 'Unified';
  /** cache/indexN/id when present; otherwise the lowest CPU sharing it, which is unique per level and type. */
  id: number;
  sizeBytes: number;
  cpus: number[];                // shared_cpu_list
}

export interface NumaNode {
  id: number;
  cpus: number[];
  memTotal: number;              // bytes, from nodeN/meminfo (0 when unknown)
}

export interface Topology {
  cpus: CpuInfo[];               // online CPUs only, by id
  caches: CacheInfo[];
  numaNodes: NumaNode[];
  /** Hardware threads per core (1 without SMT). */
  smtWidth: number;
  memTotal: number;              // bytes, host MemTotal
}

/** What a container asks the allocator for. Both parts are optional; an empty request holds nothing. */
export interface AllocationRequest {
  containerId: string;
  /** CPUs owned by this container alone (--cpus-exclusive N). */
  exclusiveCpus?: number;
  /** Bytes of memory guaranteed to this container (--memory-guaranteed). */
  memoryGuaranteed?: number;
}

/** What the allocator handed to one container. */
export interface Allocation {
  containerId: string;
  cpus: number[];                // exclusive CPUs, empty for a shared-pool container
  memoryGuaranteed: number;      // bytes, 0 when none
}

/** How the allocator is configured (daemon config). */
export interface AllocatorConfig {
  /** CPUs never handed out exclusively; at least one, so the shared pool never empties. */
  reservedCpus: number[];
  /** Bytes of memory kept back for the host: allocatable = memTotal − memoryReserve. */
  memoryReserve: number;
  /** Refuse requests that would split a physical core between owners (kubelet's full-pcpus-only). */
  fullPhysicalCores: boolean;
}
