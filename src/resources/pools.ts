// The three CPU pools and the memory guarantee ledger, kubelet's static-policy model:
//   reserved   — fixed at start, never handed out exclusively (at least one CPU, so shared never empties);
//   shared     — online minus every exclusive CPU: the default cpuset, so it includes the reserved CPUs;
//   assignable — shared minus reserved minus CPUs the caller reports as pinned by explicit user cpusets:
//                the only source of exclusive CPUs.
// Every change is all-or-nothing: a refused request leaves the pools exactly as they were.
import { ConflictError, InvalidArgumentError, errorKind } from '../core/index.js';
import { describeCpus, sortedUnique, without } from './cpu-list.js';
import { takeCpus } from './cpu-assignment.js';
import { admitMemory, checkMemoryReserve, memoryBudget, type MemoryBudget } from './memory-admission.js';
import { validateAllocations } from './allocation-state.js';
import type { Allocation, AllocationRequest, AllocatorConfig, Topology } from './types.js';

export interface PoolsSnapshot {
  reservedCpus: number[];
  sharedCpus: number[];
  /** Allocations owning CPUs, sorted by their first CPU. */
  exclusive: Allocation[];
  /** Allocations with a memory guarantee but no CPUs of their own, sorted by container id. */
  memoryOnly: Allocation[];
  memory: MemoryBudget;
}

const copy = (a: Allocation): Allocation => ({ containerId: a.containerId, cpus: [...a.cpus], memoryGuaranteed: a.memoryGuaranteed });

export class ResourcePools {
  private readonly online: number[];
  private readonly reserved: number[];
  private allocs = new Map<string, Allocation>();

  private readonly config: AllocatorConfig;

  constructor(private readonly topo: Topology, config: AllocatorConfig) {
    // A private copy: a caller editing its config object later must not move the pools under us.
    this.config = { ...config, reservedCpus: [...(config.reservedCpus ?? [])] };
    this.online = topo.cpus.map((c) => c.id);
    const reserved = config.reservedCpus;
    if (!Array.isArray(reserved) || reserved.length === 0) {
      throw new InvalidArgumentError('reserved CPUs must name at least one CPU, so the shared pool never empties');
    }
    const offline = sortedUnique(reserved).filter((c) => !this.online.includes(c));
    if (offline.length > 0) throw new InvalidArgumentError(`reserved ${describeCpus(offline)} not online (online: ${describeCpus(this.online)})`);
    this.reserved = sortedUnique(reserved);
    checkMemoryReserve(topo.memTotal, config.memoryReserve);
  }

  reservedCpus(): number[] { return [...this.reserved]; }

  sharedCpus(): number[] {
    return without(this.online, [...this.allocs.values()].flatMap((a) => a.cpus));
  }

  assignableCpus(opts: { unavailable?: readonly number[] } = {}): number[] {
    return without(this.sharedCpus(), [...this.reserved, ...(opts.unavailable ?? [])]);
  }

  memory(): MemoryBudget {
    let guaranteed = 0;
    for (const a of this.allocs.values()) guaranteed += a.memoryGuaranteed;
    return memoryBudget(this.topo.memTotal, this.config.memoryReserve, guaranteed);
  }

  /** Admits a container's request whole or not at all; the returned allocation is what it now owns. */
  admit(req: AllocationRequest, opts: { unavailable?: readonly number[] } = {}): Allocation {
    const id = req.containerId;
    if (typeof id !== 'string' || id === '') throw new InvalidArgumentError('allocation request without a container id');
    const n = req.exclusiveCpus ?? 0;
    const bytes = req.memoryGuaranteed ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`invalid --cpus-exclusive ${n}: expected a whole number ≥ 0`);
    if (this.allocs.has(id)) throw new ConflictError(`container ${id} already holds an allocation`);
    // Requests that can never fit are the user's mistake (InvalidArgument) and are told apart from requests
    // that merely do not fit now (Conflict), whatever else is running.
    const everAssignable = this.online.length - this.reserved.length;
    if (n > everAssignable) {
      throw new InvalidArgumentError(`--cpus-exclusive ${n} can never fit: the host has ${everAssignable} assignable CPUs (${this.online.length} online, ${this.reserved.length} reserved)`);
    }
    const width = this.topo.smtWidth;
    if (this.config.fullPhysicalCores && n % width !== 0) {
      throw new InvalidArgumentError(`--cpus-exclusive ${n} would split a physical core: full physical cores are required and each core has ${width} threads, so ask for a multiple of ${width}`);
    }
    admitMemory(this.memory(), bytes);
    const cpus = n === 0 ? [] : this.takeExclusive(n, opts.unavailable ?? []);
    const alloc: Allocation = { containerId: id, cpus, memoryGuaranteed: bytes };
    this.allocs.set(id, alloc);
    return copy(alloc);
  }

  private takeExclusive(n: number, unavailable: readonly number[]): number[] {
    const free = this.assignableCpus({ unavailable });
    try {
      return takeCpus(this.topo, free, n, { fullPhysicalCores: this.config.fullPhysicalCores });
    } catch (err) {
      if (errorKind(err) !== 'Conflict') throw err;
      const pinned = this.assignableCpus().length - free.length;
      const note = pinned > 0 ? `; ${pinned} more pinned by explicit cpusets` : '';
      const what = this.config.fullPhysicalCores ? 'whole physical cores' : 'CPUs';
      throw new ConflictError(`not enough ${what} for --cpus-exclusive ${n}: ${free.length} free (${describeCpus(free)})${note}`, { cause: err });
    }
  }

  /** Gives the container's CPUs back to the shared pool and drops its guarantee; a no-op when it holds nothing. */
  release(containerId: string): Allocation | undefined {
    const a = this.allocs.get(containerId);
    this.allocs.delete(containerId);
    return a && copy(a);
  }

  /** Replaces every allocation with allocs (from the state store) after checking they are consistent. */
  restore(allocs: readonly Allocation[]): void {
    const valid = validateAllocations(allocs, {
      online: this.online, reserved: this.reserved, allocatable: this.topo.memTotal - this.config.memoryReserve,
    });
    this.allocs = new Map(valid.map((a) => [a.containerId, a]));
  }

  get(containerId: string): Allocation | undefined {
    const a = this.allocs.get(containerId);
    return a && copy(a);
  }

  /** Every allocation, sorted by container id. */
  list(): Allocation[] {
    return [...this.allocs.values()].map(copy).sort((a, b) => (a.containerId < b.containerId ? -1 : a.containerId > b.containerId ? 1 : 0));
  }

  snapshot(): PoolsSnapshot {
    const all = this.list();
    return {
      reservedCpus: [...this.reserved],
      sharedCpus: this.sharedCpus(),
      exclusive: all.filter((a) => a.cpus.length > 0).sort((a, b) => a.cpus[0]! - b.cpus[0]!),
      memoryOnly: all.filter((a) => a.cpus.length === 0 && a.memoryGuaranteed > 0),
      memory: this.memory(),
    };
  }
}

/** The default reserved pool: every thread of the physical core holding the lowest online CPU (kubelet's choice). */
export function defaultReservedCpus(topo: Topology): number[] {
  const first = topo.cpus.reduce((a, b) => (b.id < a.id ? b : a));
  return topo.cpus.filter((c) => c.core === first.core).map((c) => c.id).sort((a, b) => a - b);
}
