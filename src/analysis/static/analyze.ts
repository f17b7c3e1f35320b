// analyzeInterference: facts in, report out. Builds the resource nodes and edges, lists every path, applies the
// focus, picks the representative subset and writes the notes a reader needs to trust (or distrust) the result.
import { InvalidArgumentError } from '../../core/index.js';
import { cpuSideResources } from './cpu-resources.js';
import { allPaths, comparePaths, compareResourceIds } from './paths.js';
import { sharedResources } from './shared-resources.js';
import { classify, representativeSubset, subsetRule } from './subset.js';
import type { AnalyzeOptions, ContainerFacts, HostFacts, InterferenceReport, ResourceNode } from './types.js';

export const DEFAULT_TOP_PER_RESOURCE = 3;

function validate(containers: ContainerFacts[], opts: AnalyzeOptions): void {
  const ids = new Set<string>();
  for (const c of containers) {
    if (ids.has(c.id)) throw new InvalidArgumentError(`interference analysis: container ${c.id} is listed twice`);
    ids.add(c.id);
    if (c.cpuQuota !== undefined && !(c.cpuQuota > 0)) throw new InvalidArgumentError(`interference analysis: ${c.name} has a CPU quota of ${c.cpuQuota}; expected a positive number of CPUs`);
  }
  const top = opts.topPerResource ?? DEFAULT_TOP_PER_RESOURCE;
  if (!Number.isInteger(top) || top < 1) throw new InvalidArgumentError(`interference analysis: top paths per resource must be a positive integer, got ${top}`);
}

/** Resolve focus entries (ids, id prefixes of 12+ characters, or names) to container ids. */
function resolveFocus(containers: ContainerFacts[], focus: string[]): Set<string> {
  return new Set(focus.map((f) => {
    const hit = containers.find((c) => c.id === f || c.name === f) ?? (f.length >= 12 ? containers.find((c) => c.id.startsWith(f)) : undefined);
    if (!hit) throw new InvalidArgumentError(`interference analysis: no container "${f}" among the ${containers.length} analysed`);
    return hit.id;
  }));
}

function hostNotes(host: HostFacts, notes: string[]): void {
  notes.push(host.rdt
    ? 'cache partitioning: Intel RDT is available but no CAT classes are assigned, so cache exposure is not reduced'
    : 'cache partitioning: not available (no Intel RDT)');
  const kind = host.virtualization.kind;
  if (kind === 'vm' || kind === 'vm+container') {
    notes.push(`hypervisor (${host.virtualization.hypervisor ?? 'unknown'}): every container shares it; timings have no absolute bound on a VM`);
    notes.push('on a VM, CPUs, caches and NUMA nodes are as the hypervisor presents them; sharing with other guests is invisible');
  }
  if (kind === 'container' || kind === 'vm+container') {
    notes.push('the engine runs inside a container: the outer engine\'s limits and neighbours are invisible here');
  }
  if (host.topology.smtWidth <= 1) notes.push('no SMT: each core has one thread, so cores are not listed apart from CPUs');
}

export function analyzeInterference(host: HostFacts, containers: ContainerFacts[], opts: AnalyzeOptions = {}): InterferenceReport {
  validate(containers, opts);
  const top = opts.topPerResource ?? DEFAULT_TOP_PER_RESOURCE;
  const notes: string[] = [];
  hostNotes(host, notes);
  // The input order must not matter: sort by id before anything iterates.
  const facts = [...containers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => ({ ...c, cpus: [...new Set(c.cpus)].sort((x, y) => x - y) }));
  const drafts = [...cpuSideResources(host.topology, facts, host.rdt, notes), ...sharedResources(host, facts)];
  const order = compareResourceIds(new Map(drafts.map((d) => [d.id, d.kind])));
  drafts.sort((a, b) => order(a.id, b.id));
  const grouped = drafts.find((d) => /[-,]/.test(d.id.slice(d.id.indexOf(':') + 1)) && d.kind !== 'block');
  if (grouped) notes.push(`CPUs, cores, caches and nodes with the same containers at the same exposure are one resource (e.g. ${grouped.id})`);

  const byId = new Map(facts.map((c) => [c.id, c]));
  const edges = drafts.flatMap((d) => d.edges)
    .sort((a, b) => (a.container < b.container ? -1 : a.container > b.container ? 1 : order(a.resource, b.resource)));
  const summaries = classify(facts, edges);
  let paths = allPaths(drafts, byId);
  let resources: ResourceNode[] = drafts.map((d) => {
    const exposed = d.edges.filter((e) => e.exposure > 0).map((e) => e.container);
    return { id: d.id, kind: d.kind, label: d.label, containers: exposed, shared: paths.some((p) => p.resource === d.id) };
  });
  let shownEdges = edges;
  if (opts.focus?.length) {
    const focus = resolveFocus(facts, opts.focus);
    paths = paths.filter((p) => focus.has(p.aggressor) || focus.has(p.victim));
    const touched = new Set(edges.filter((e) => focus.has(e.container)).map((e) => e.resource));
    resources = resources.filter((r) => touched.has(r.id)).map((r) => ({ ...r, shared: paths.some((p) => p.resource === r.id) }));
    shownEdges = edges.filter((e) => touched.has(e.resource));
    notes.push(`focus: only paths with ${[...focus].map((id) => byId.get(id)!.name).sort().join(', ')} as aggressor or victim`);
  }
  const subset = representativeSubset(paths, summaries, top);
  subset.paths.sort(comparePaths(order));
  const v = host.virtualization;
  return {
    host: {
      kind: v.kind, ...(v.hypervisor ? { hypervisor: v.hypervisor } : {}), rdt: host.rdt,
      cpus: host.topology.cpus.length, smtWidth: host.topology.smtWidth, numaNodes: host.topology.numaNodes.length,
    },
    containers: summaries,
    resources,
    edges: shownEdges,
    paths,
    subset: { rule: subsetRule(top), topPerResource: top, paths: subset.paths, omitted: subset.omitted },
    notes: [...new Set(notes)],
  };
}
