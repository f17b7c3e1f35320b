// The plain facts the static interference analysis works from, and the report it produces. The engine gathers
// the facts (allocation, cgroup limits, mounts, networks) and the host classification; this module never reads
// the machine itself, so the same facts always give the same report, byte for byte.
import type { Topology } from '../../resources/types.js';

/** One container as the analysis sees it: where it runs and what it touches. */
export interface ContainerFacts {
  id: string;
  name: string;
  /** Effective cpuset, sorted ascending. */
  cpus: number[];
  /** The cpus are owned by this container alone (allocator exclusive CPUs). */
  exclusive: boolean;
  /** CFS quota in CPUs (e.g. 0.5); absent when there is none. */
  cpuQuota?: number;
  /** Bytes; absent = unlimited. */
  memoryLimit?: number;
  /** Bytes guaranteed by the allocator. */
  memoryGuaranteed?: number;
  blockDevices: Array<{ device: string /* "8:1" */; what: string /* "root filesystem", "volume data" */; ioLimited: boolean }>;
  /** Bridge names, or "host"; [] for none. */
  networks: string[];
  volumes: Array<{ name: string; readOnly: boolean }>;
}

export interface HostFacts {
  topology: Topology;
  virtualization: { kind: 'bare-metal' | 'vm' | 'container' | 'vm+container'; hypervisor?: string };
  /** Intel RDT (CAT) usable: /sys/fs/resctrl mounted and the cpu has rdt_a/cat_l3. */
  rdt: boolean;
}

export interface AnalyzeOptions {
  /** Container ids (or names): keep only the paths that touch one of them. */
  focus?: string[];
  /** Class paths kept per resource in the representative subset (default 3). */
  topPerResource?: number;
}

export type ResourceKind = 'cpu' | 'core' | 'cache' | 'numa' | 'memory' | 'block' | 'network' | 'volume' | 'kernel' | 'hypervisor';

export interface ResourceNode {
  /** `cpu:1`, `cpu:2-5` (CPUs grouped by identical sharers), `core:3`, `L2:0`, `L3:0`, `numa:0`, `mem:host`,
   *  `blk:8:1`, `net:bh-d1234`, `net:host`, `vol:data`, `kernel`, `hypervisor`. */
  id: string;
  kind: ResourceKind;
  label: string;
  /** Containers with a nonzero exposure to it, by id. */
  containers: string[];
  /** At least two containers are exposed, so there are paths through it. */
  shared: boolean;
}

/** How much one container is exposed to (and can press on) one resource: 0 = isolated, 1 = fully shared. */
export interface Edge {
  container: string;
  resource: string;
  exposure: number;
  reason: string;
}

export type Rating = 'high' | 'medium' | 'low';

/** Aggressor → resource → victim, with score = w(a,r)·w(v,r)·severity(r). Zero scores are not paths. */
export interface Path {
  aggressor: string;
  resource: string;
  victim: string;
  score: number;
  rating: Rating;
  reason: string;
}

export interface SubsetPath extends Path {
  /** How many concrete paths this one stands for (class members × class members on this resource). */
  represents: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  /** Exclusive CPUs or guaranteed memory: always kept as a victim in the subset, never merged into a class. */
  guaranteed: boolean;
  /** Containers with identical exposure on every resource share a class, named after its first member. */
  class: string;
}

export interface InterferenceReport {
  host: { kind: HostFacts['virtualization']['kind']; hypervisor?: string; rdt: boolean; cpus: number; smtWidth: number; numaNodes: number };
  containers: ContainerSummary[];
  resources: ResourceNode[];
  edges: Edge[];
  paths: Path[];
  subset: { rule: string; topPerResource: number; paths: SubsetPath[]; omitted: number };
  notes: string[];
}
