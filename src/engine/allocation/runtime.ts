// The engine's allocator at run time: the CPU and memory pools (src/resources) plus what only a running engine
// knows — which running containers follow the shared pool, which are pinned by the user's --cpuset-cpus, and
// how much real-time CPU time they hold. Everything here is synchronous: an admission decides, persists and
// moves the shared containers' cpusets without an await in between, so two starts can never see the same free CPU.
import { ConflictError, wrap, type ContainerRecord } from '../../core/index.js';
import { ResourcePools, defaultReservedCpus, formatCpuList, parseCpuList, readTopology, type Allocation,
  type AllocationRequest, type Topology } from '../../resources/index.js';
import type { StateStore } from '../../state/index.js';
import { DEFAULT_CGROUP_PARENT, processCgroupDirs, type CgroupDirs } from '../../sys/cgroup-paths.js';
import { writeCpusetCpus } from '../../sys/cgroup-cpu.js';
import type { AllocationOptions } from '../types.js';
import { RealtimeBudget } from './realtime.js';

const GiB = 1024 ** 3;

/** Where a running container's CPUs come from. */
export type Placement = { kind: 'exclusive'; cpus: number[] } | { kind: 'pinned'; cpus: number[] } | { kind: 'shared' };

export class AllocationRuntime {
  readonly topology: Topology;
  readonly pools: ResourcePools;
  readonly options: Required<Pick<AllocationOptions, 'memoryLimitsAreGuarantees'>>;
  /** Running shared-pool containers: their cpuset follows the pool as it shrinks and grows. */
  private readonly members = new Map<string, CgroupDirs>();
  /** Running containers the user pinned: exclusive CPUs are never taken from under them. */
  private readonly pinned = new Map<string, number[]>();
  readonly realtime: RealtimeBudget;

  constructor(private readonly state: StateStore, opts: AllocationOptions = {}, cgroupParent = DEFAULT_CGROUP_PARENT,
    private readonly notice: (m: string) => void = () => undefined) {
    this.topology = readTopology(opts.hostRoot ?? '/');
    const reservedCpus = opts.reservedCpus === undefined ? defaultReservedCpus(this.topology) : parseCpuList(opts.reservedCpus);
    const memoryReserve = opts.memoryReserve ?? Math.min(GiB, Math.floor(this.topology.memTotal / 10));
    try {
      this.pools = new ResourcePools(this.topology, { reservedCpus, memoryReserve, fullPhysicalCores: opts.fullPhysicalCores ?? false });
    } catch (err) {
      throw wrap(err, 'daemon config (reservedCpus, memoryReserve)');
    }
    this.options = { memoryLimitsAreGuarantees: opts.memoryLimitsAreGuarantees ?? false };
    this.realtime = new RealtimeBudget(cgroupParent);
  }

  /** What the container asks the allocator for, from its limits and the engine's memory policy. */
  request(rec: ContainerRecord): AllocationRequest {
    const r = rec.config.resources;
    const memoryGuaranteed = r.memoryGuaranteed ?? (this.options.memoryLimitsAreGuarantees ? r.memory : undefined);
    return { containerId: rec.config.id, exclusiveCpus: r.cpusExclusive, memoryGuaranteed };
  }

  /**
   * Admits a starting container: takes its exclusive CPUs and guaranteed memory, records them, shrinks the shared
   * pool under the running containers, and returns the cpuset its spec must carry. Refusals name the resource.
   */
  admit(rec: ContainerRecord): { cpuset: string; placement: Placement } {
    const id = rec.config.id;
    const req = this.request(rec);
    const userCpus = rec.config.resources.cpusetCpus;
    if (userCpus) this.checkNotOwned(userCpus, id);
    this.pools.release(id); // a leftover of an earlier run of the same container (crash between exit and release)
    const allocation = this.pools.admit(req, { unavailable: [...this.pinned.values()].flat() });
    try {
      this.realtime.admit(id, rec.config.resources);
      if (allocation.cpus.length || allocation.memoryGuaranteed) this.state.saveAllocation(allocation);
    } catch (err) {
      this.pools.release(id);
      this.realtime.release(id);
      throw err;
    }
    if (allocation.cpus.length) {
      this.syncMembers();
      return { cpuset: formatCpuList(allocation.cpus), placement: { kind: 'exclusive', cpus: allocation.cpus } };
    }
    if (userCpus) {
      this.pinned.set(id, parseCpuList(userCpus));
      return { cpuset: userCpus, placement: { kind: 'pinned', cpus: parseCpuList(userCpus) } };
    }
    return { cpuset: formatCpuList(this.pools.sharedCpus()), placement: { kind: 'shared' } };
  }

  /** `update --cpuset-cpus` on a running container: pinned from then on, never onto another's exclusive CPUs. */
  repin(id: string, cpuset: string): void {
    this.checkNotOwned(cpuset, id);
    this.members.delete(id);
    this.pinned.set(id, parseCpuList(cpuset));
  }

  private checkNotOwned(cpuset: string, id: string): void {
    const cpus = parseCpuList(cpuset);
    const owner = this.pools.snapshot().exclusive.find((a) => a.containerId !== id && a.cpus.some((c) => cpus.includes(c)));
    if (owner) {
      const taken = owner.cpus.filter((c) => cpus.includes(c));
      throw new ConflictError(`--cpuset-cpus ${cpuset}: cpu ${formatCpuList(taken)} is owned exclusively by container ${this.nameOf(owner.containerId)}`);
    }
  }

  /** A shared-pool container now has a cgroup: it follows the pool from here on, starting with the pool of now. */
  follow(id: string, pid: number, specCpuset: string): void {
    const dirs = processCgroupDirs(pid);
    this.members.set(id, dirs);
    const now = formatCpuList(this.pools.sharedCpus());
    if (now !== specCpuset) writeCpusetCpus(dirs, now); // an exclusive admission came in between
  }

  /** Gives back what the container held; the shared pool grows back under the running containers. */
  release(id: string): void {
    this.members.delete(id);
    this.pinned.delete(id);
    this.realtime.release(id);
    const freed = this.pools.release(id);
    this.state.removeAllocation(id);
    if (freed?.cpus.length) this.syncMembers();
  }

  /** Writes the shared pool into every following container's cgroup. */
  syncMembers(): void {
    const cpus = formatCpuList(this.pools.sharedCpus());
    for (const [id, dirs] of this.members) {
      try {
        if (!writeCpusetCpus(dirs, cpus)) this.members.delete(id);
      } catch (err) {
        this.notice(`move container ${id.slice(0, 12)} to the shared CPUs ${cpus}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The containers following the shared pool, pinned by the user, and holding CPUs alone. */
  placements(): { members: string[]; pinned: Map<string, number[]>; exclusive: Allocation[] } {
    return { members: [...this.members.keys()], pinned: new Map(this.pinned), exclusive: this.pools.snapshot().exclusive };
  }

  /** Restores what running containers hold (see restore.ts); the caller validates against the kernel. */
  adopt(id: string, placement: Placement, pid: number): void {
    if (placement.kind === 'shared') this.members.set(id, processCgroupDirs(pid));
    if (placement.kind === 'pinned') this.pinned.set(id, placement.cpus);
  }

  private nameOf(id: string): string {
    return this.state.getContainer(id)?.name ?? id.slice(0, 12);
  }
}
