// Validation of a set of allocations read back from the state store at daemon start. The engine trusts the
// database only after this: a CPU owned twice, a reserved or offline CPU handed out, or guarantees above the
// allocatable memory would silently break isolation, so the daemon refuses to start with such a state.
import { StateInvalidError } from '../core/index.js';
import { describeCpus, sortedUnique } from './cpu-list.js';
import { formatBytes } from './memory-admission.js';
import type { Allocation } from './types.js';

export interface StateLimits {
  online: readonly number[];
  reserved: readonly number[];
  allocatable: number;
}

/** Normalised copies of allocs (CPU lists sorted), or StateInvalidError naming every offending container. */
export function validateAllocations(allocs: readonly Allocation[], limits: StateLimits): Allocation[] {
  const problems: string[] = [];
  const online = new Set(limits.online);
  const reserved = new Set(limits.reserved);
  const owner = new Map<number, string>();
  const ids = new Set<string>();
  let guaranteed = 0;
  const out: Allocation[] = [];
  for (const a of allocs) {
    const id = a.containerId;
    if (typeof id !== 'string' || id === '') { problems.push('an allocation has no container id'); continue; }
    if (ids.has(id)) problems.push(`container ${id} has more than one allocation`);
    ids.add(id);
    const cpus = Array.isArray(a.cpus) ? a.cpus : [];
    const bad = cpus.filter((c) => !Number.isInteger(c));
    if (!Array.isArray(a.cpus) || bad.length > 0) problems.push(`container ${id} has an invalid CPU list`);
    if (sortedUnique(cpus).length !== cpus.length) problems.push(`container ${id} lists a CPU twice`);
    const offline = cpus.filter((c) => Number.isInteger(c) && !online.has(c));
    if (offline.length > 0) problems.push(`container ${id} owns ${describeCpus(offline)}, not online`);
    const res = cpus.filter((c) => reserved.has(c));
    if (res.length > 0) problems.push(`container ${id} owns reserved ${describeCpus(res)}`);
    for (const c of sortedUnique(cpus)) {
      const other = owner.get(c);
      if (other !== undefined && other !== id) problems.push(`containers ${other} and ${id} both own cpu ${c}`);
      else owner.set(c, id);
    }
    const mem = a.memoryGuaranteed;
    if (!Number.isSafeInteger(mem) || mem < 0) problems.push(`container ${id} has an invalid memory guarantee ${mem}`);
    else guaranteed += mem;
    out.push({ containerId: id, cpus: sortedUnique(cpus), memoryGuaranteed: mem });
  }
  if (guaranteed > limits.allocatable) {
    const holders = out.filter((a) => a.memoryGuaranteed > 0).map((a) => a.containerId).join(', ');
    problems.push(`memory guarantees add up to ${formatBytes(guaranteed)}, above the ${formatBytes(limits.allocatable)} allocatable (containers ${holders})`);
  }
  if (problems.length > 0) throw new StateInvalidError(`invalid resource allocations in the state: ${problems.join('; ')}`);
  return out;
}
