// The representative subset: n containers give n(n−1) paths per resource, far more than anyone can read or
// measure. The rule, applied in this order:
//   1. containers with identical exposure on every resource form a class (guaranteed ones never merge), and the
//      paths between two classes on one resource are one path, drawn between their first members;
//   2. per resource, the `top` highest-scoring class paths are kept (ties: the one standing for more containers
//      first), so every shared resource keeps at least one;
//   3. every guaranteed container (exclusive CPUs or guaranteed memory) keeps its worst path as a victim.
// Whatever is not kept or stood for is counted in `omitted`.
import type { ContainerFacts, ContainerSummary, Edge, Path, SubsetPath } from './types.js';

export const subsetRule = (top: number) =>
  `containers with identical exposure on every resource are merged into one class (guaranteed containers never merge); ` +
  `per resource the ${top} highest-scoring class ${top === 1 ? 'path is' : 'paths are'} kept (ties: the one standing for more containers first), so every shared resource has at least one; ` +
  `every guaranteed container keeps its worst path as a victim`;

export const isGuaranteed = (c: ContainerFacts) => c.exclusive || (c.memoryGuaranteed ?? 0) > 0;

/** Classes in a stable order: containers sorted by name then id; a class is named after its first member. */
export function classify(containers: ContainerFacts[], edges: Edge[]): ContainerSummary[] {
  const sorted = [...containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const firstOf = new Map<string, string>();
  return sorted.map((c) => {
    const guaranteed = isGuaranteed(c);
    const mine = edges.filter((e) => e.container === c.id).map((e) => [e.resource, e.exposure, e.reason]);
    const signature = guaranteed ? `guaranteed:${c.id}` : JSON.stringify(mine);
    if (!firstOf.has(signature)) firstOf.set(signature, c.name);
    return { id: c.id, name: c.name, guaranteed, class: firstOf.get(signature)! };
  });
}

export function representativeSubset(paths: Path[], summaries: ContainerSummary[], top: number): { paths: SubsetPath[]; omitted: number } {
  const info = new Map(summaries.map((s, i) => [s.id, { ...s, rank: i }]));
  const classPaths = new Map<string, SubsetPath>();
  for (const p of paths) {
    const a = info.get(p.aggressor)!;
    const v = info.get(p.victim)!;
    const key = `${p.resource}\0${a.class}\0${v.class}`;
    const seen = classPaths.get(key);
    if (!seen) { classPaths.set(key, { ...p, represents: 1 }); continue; }
    seen.represents++;
    // Draw the class path between the first members: the lowest-ranked victim, then the lowest-ranked aggressor.
    const [sa, sv] = [info.get(seen.aggressor)!, info.get(seen.victim)!];
    if (v.rank < sv.rank || (v.rank === sv.rank && a.rank < sa.rank)) Object.assign(seen, { ...p, represents: seen.represents });
  }
  // `paths` is sorted by score and members of a class score alike, so insertion order is score order; among
  // equal scores the class path that stands for more containers goes first (stable sort keeps the rest).
  const ordered = [...classPaths.values()].sort((p, q) => q.score - p.score || q.represents - p.represents);
  const chosen = new Set<SubsetPath>();
  const perResource = new Map<string, number>();
  for (const p of ordered) {
    const n = perResource.get(p.resource) ?? 0;
    if (n < top) { chosen.add(p); perResource.set(p.resource, n + 1); }
  }
  for (const s of summaries.filter((x) => x.guaranteed)) {
    if ([...chosen].some((p) => p.victim === s.id)) continue;
    const worst = ordered.find((p) => p.victim === s.id);
    if (worst) chosen.add(worst);
  }
  const kept = ordered.filter((p) => chosen.has(p));
  return { paths: kept, omitted: paths.length - kept.reduce((n, p) => n + p.represents, 0) };
}
