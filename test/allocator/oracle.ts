// A trivially correct model of admission, independent of the allocator's topology logic: it only counts
// free CPUs, whole free cores and free bytes. The allocator must accept exactly what this accepts.
import type { AllocationRequest, Topology } from '../../src/resources/index.js';

export type Verdict = 'accept' | 'InvalidArgument' | 'Conflict';

export interface OracleState {
  topo: Topology;
  reserved: Set<number>;
  allocatable: number;
  fullCores: boolean;
  /** containerId → its CPUs and guarantee, as the allocator reported them on acceptance. */
  held: Map<string, { cpus: number[]; mem: number }>;
}

/** Free CPUs an exclusive request may draw from: online − reserved − held − unavailable. */
export function freeCpus(s: OracleState, unavailable: readonly number[]): number[] {
  const taken = new Set([...s.reserved, ...unavailable, ...[...s.held.values()].flatMap((h) => h.cpus)]);
  return s.topo.cpus.map((c) => c.id).filter((c) => !taken.has(c));
}

/** Can a sum of whole-free-core sizes make exactly n? (A subset sum over core sizes.) */
function wholeCoresCanMake(s: OracleState, free: number[], n: number): boolean {
  const freeSet = new Set(free);
  const cores = new Map<number, number[]>();
  for (const c of s.topo.cpus) cores.set(c.core, [...(cores.get(c.core) ?? []), c.id]);
  let reach = new Set([0]);
  for (const threads of cores.values()) {
    if (!threads.every((t) => freeSet.has(t))) continue;
    reach = new Set([...reach, ...[...reach].map((r) => r + threads.length)]);
  }
  return reach.has(n);
}

export function expectVerdict(s: OracleState, req: AllocationRequest, unavailable: readonly number[]): { verdict: Verdict; resource?: 'CPUs' | 'memory' } {
  const n = req.exclusiveCpus ?? 0;
  const mem = req.memoryGuaranteed ?? 0;
  if (s.held.has(req.containerId)) return { verdict: 'Conflict' };
  if (n > s.topo.cpus.length - s.reserved.size) return { verdict: 'InvalidArgument', resource: 'CPUs' };
  if (s.fullCores && n % s.topo.smtWidth !== 0) return { verdict: 'InvalidArgument', resource: 'CPUs' };
  if (mem > s.allocatable) return { verdict: 'InvalidArgument', resource: 'memory' };
  const guaranteed = [...s.held.values()].reduce((a, h) => a + h.mem, 0);
  if (guaranteed + mem > s.allocatable) return { verdict: 'Conflict', resource: 'memory' };
  const free = freeCpus(s, unavailable);
  const fits = s.fullCores ? wholeCoresCanMake(s, free, n) : n <= free.length;
  return fits ? { verdict: 'accept' } : { verdict: 'Conflict', resource: 'CPUs' };
}
