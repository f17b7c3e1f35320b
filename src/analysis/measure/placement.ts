// How each placement maps onto container cpusets on a host with CPUs [c0 … cn]: same-cpu pins both to the last
// CPU, different-cpu pins the victim to the last and the aggressor to the first, shared-pool pins neither, and
// exclusive asks the engine's allocator for one owned CPU for the victim (the aggressor then stays in what is left
// of the shared pool).
import type { Placement, ProbeContainerSpec, Topology } from './types.js';

type Where = ProbeContainerSpec['placement'];

/** Why a placement cannot be built on this host, or undefined when it can. */
export function placementProblem(topo: Topology, placement: Placement): string | undefined {
  const n = topo.cpus.length;
  if (n === 0) return 'the host reports no online CPUs';
  if ((placement === 'different-cpu' || placement === 'exclusive') && n < 2) {
    return `the host has one CPU, so ${placement} has nowhere else to put the ${placement === 'exclusive' ? 'shared pool' : 'aggressor'}`;
  }
  return undefined;
}

export function placementsFor(topo: Topology, placement: Placement): { victim: Where; aggressor: Where } {
  const ids = topo.cpus.map((c) => c.id).sort((a, b) => a - b);
  const first = String(ids[0]);
  const last = String(ids[ids.length - 1]);
  switch (placement) {
    case 'same-cpu': return { victim: { cpusetCpus: last }, aggressor: { cpusetCpus: last } };
    case 'different-cpu': return { victim: { cpusetCpus: last }, aggressor: { cpusetCpus: first } };
    case 'shared-pool': return { victim: {}, aggressor: {} };
    case 'exclusive': return { victim: { exclusiveCpus: 1 }, aggressor: {} };
  }
}
