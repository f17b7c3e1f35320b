// What this host cannot isolate or measure, each with its reason. The report prints these as
// "not measurable here: reason" and never as numbers: a ratio measured where the mechanism is absent or invisible
// would look like evidence and be none.
import { placementProblem } from './placement.js';
import { cacheBytes } from './plan.js';
import type { HostFacts, NotMeasurable, Placement } from './types.js';

export function isVirtualMachine(v: HostFacts['virtualization']): boolean {
  return /vm/i.test(v.kind) || Boolean(v.hypervisor);
}

function cpuListText(ids: number[]): string {
  const sorted = ids.slice().sort((a, b) => a - b);
  return sorted.length > 1 && sorted[sorted.length - 1]! - sorted[0]! === sorted.length - 1
    ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
}

export function notMeasurableOn(host: Omit<HostFacts, 'readSteal'>, pathNames: string[]): NotMeasurable[] {
  const t = host.topology;
  const out: NotMeasurable[] = [];
  const vm = isVirtualMachine(host.virtualization);
  const hv = host.virtualization.hypervisor ?? host.virtualization.kind;
  if (!host.rdt) {
    out.push({ what: 'cache and memory-bandwidth partitioning (CAT/MBA)', reason: 'no Intel RDT: no rdt_a/cat_l3/mba CPU flags or /sys/fs/resctrl' });
  }
  if (t.smtWidth <= 1) {
    out.push({ what: 'SMT-sibling placement', reason: 'no SMT: every core has a single hardware thread' });
  }
  if (t.numaNodes.length <= 1) {
    out.push({ what: 'NUMA placement (cross-node memory)', reason: 'the host has one NUMA node' });
  }
  const levels = t.caches.filter((c) => c.type !== 'Instruction').map((c) => c.level);
  const top = Math.max(0, ...levels);
  const llcs = t.caches.filter((c) => c.level === top && c.type !== 'Instruction');
  const allCpus = t.cpus.map((c) => c.id);
  const llcSharedByAll = llcs.length === 1 && allCpus.every((id) => llcs[0]!.cpus.includes(id));
  if (llcs.length <= 1 && allCpus.length > 1) {
    out.push({ what: 'cross-LLC placement', reason: 'all CPUs share one last-level cache' });
  }
  if (vm) {
    out.push({ what: 'absolute latency bounds', reason: `running under a hypervisor (${hv}): steal time and vCPU scheduling leave only ratios meaningful` });
    if (llcSharedByAll) {
      const mib = Math.round(cacheBytes(t).llc / (1 << 20));
      out.push({
        what: 'physical cache placement',
        reason: `the hypervisor reports one ${mib} MiB L${top} shared by CPUs ${cpuListText(allCpus)}; where the vCPUs really run is invisible, so cache paths describe this VM only`,
      });
    }
  }
  for (const name of pathNames) {
    const problem = placementProblem(t, name.split('/')[1] as Placement);
    if (problem) out.push({ what: `path ${name}`, reason: problem });
  }
  return out;
}
