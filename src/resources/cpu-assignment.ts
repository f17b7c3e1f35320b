// Topology-aware choice of exclusive CPUs, after kubelet's static CPU manager ("packed" policy): use as few
// sockets/NUMA nodes as possible, then as few last-level caches, then as few physical cores (whole cores
// before single threads); among equal choices pack the fullest domains first, then the lowest CPU ids.
//
// Instead of kubelet's greedy passes this solves the choice exactly: a cost vector is kept per domain —
// (domains touched at each level, biggest level first) followed by (free CPUs of the touched domains at each
// level) — and the cheapest way to take m CPUs from a domain is combined from its children's tables like a
// knapsack. Lexicographic order is preserved by addition, so the combination is optimal, and it costs
// O(levels · CPUs²) — a few milliseconds on a 256-CPU host.
import { ConflictError, InvalidArgumentError } from '../core/index.js';
import { describeCpus } from './cpu-list.js';
import { buildDomainTree, domainLevels, type Domain } from './cpu-domains.js';
import type { Topology } from './types.js';

type Cost = number[];

interface Solved {
  /** best[m]: the cheapest cost of taking m CPUs here, undefined when m cannot be taken. */
  best: (Cost | undefined)[];
  children: Solved[];
  /** took[i][t]: CPUs from child i in the best way of taking t from children 0..i. */
  took: Int32Array[];
  domain: Domain;
}

function less(a: Cost, b: Cost): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function add(a: Cost, b: Cost): Cost {
  return a.map((v, i) => v + b[i]!);
}

/** depth: the level of this domain (−1 for the host); width: the number of levels. */
function solve(d: Domain, depth: number, width: number, fullCores: boolean): Solved {
  const zero = new Array<number>(2 * width).fill(0);
  const touched = (): Cost => {
    const c = [...zero];
    if (depth >= 0) { c[depth] = 1; c[width + depth] = d.free; }
    return c;
  };
  if (d.children.length === 0) {
    // A core: any number of its free threads, or with fullCores only all of them and only if none is taken.
    const best: (Cost | undefined)[] = [zero];
    for (let m = 1; m <= d.free; m++) best.push(!fullCores || (m === d.free && d.free === d.size) ? touched() : undefined);
    return { best, children: [], took: [], domain: d };
  }
  const children = d.children.map((c) => solve(c, depth + 1, width, fullCores));
  let acc: (Cost | undefined)[] = [zero];
  const took: Int32Array[] = [];
  for (const child of children) {
    const next: (Cost | undefined)[] = new Array(acc.length + child.best.length - 1).fill(undefined);
    const pick = new Int32Array(next.length);
    // Walking j downwards finds, for each total, the way that takes least from this (later) child first;
    // keeping only strictly cheaper ways then favours earlier children, i.e. lower CPU ids, on ties.
    for (let j = acc.length - 1; j >= 0; j--) {
      const base = acc[j];
      if (!base) continue;
      for (let a = 0; a < child.best.length; a++) {
        const c = child.best[a];
        if (!c) continue;
        const cand = add(base, c);
        const cur = next[j + a];
        if (!cur || less(cand, cur)) { next[j + a] = cand; pick[j + a] = a; }
      }
    }
    acc = next;
    took.push(pick);
  }
  const own = touched();
  const best = acc.map((c, m) => (c && m > 0 ? add(c, own) : c));
  return { best, children, took, domain: d };
}

function collect(s: Solved, m: number, out: number[]): void {
  if (m === 0) return;
  if (s.children.length === 0) { out.push(...s.domain.cpus.slice(0, m)); return; }
  let t = m;
  for (let i = s.children.length - 1; i >= 0; i--) {
    const a = s.took[i]![t]!;
    collect(s.children[i]!, a, out);
    t -= a;
  }
}

/** CPUs of available that form whole cores (every online thread of the core is available). */
export function wholeCoreCpus(topo: Topology, available: readonly number[]): number[] {
  const avail = new Set(available);
  const byCore = new Map<number, number[]>();
  for (const c of topo.cpus) byCore.set(c.core, [...(byCore.get(c.core) ?? []), c.id]);
  return [...byCore.values()].filter((t) => t.every((c) => avail.has(c))).flat().sort((a, b) => a - b);
}

/**
 * n CPUs out of available, chosen topology-aware (see the file comment). Pure and deterministic. With
 * fullPhysicalCores only whole free cores are taken, so no core is ever shared between owners.
 * Throws ConflictError when available cannot supply n CPUs that way.
 */
export function takeCpus(topo: Topology, available: readonly number[], n: number, opts: { fullPhysicalCores: boolean }): number[] {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`invalid CPU count ${n}: expected a whole number ≥ 0`);
  const online = new Set(topo.cpus.map((c) => c.id));
  const avail = [...new Set(available)].sort((a, b) => a - b);
  const unknown = avail.filter((c) => !online.has(c));
  if (unknown.length > 0) throw new InvalidArgumentError(`cannot take CPUs from ${describeCpus(unknown)}: not online`);
  if (n === 0) return [];
  if (n > avail.length) throw new ConflictError(`cannot take ${n} CPUs: only ${avail.length} available (${describeCpus(avail)})`);
  const levels = domainLevels(topo);
  const root = solve(buildDomainTree(topo, levels, avail), -1, levels.length, opts.fullPhysicalCores);
  if (!root.best[n]) {
    const whole = wholeCoreCpus(topo, avail);
    throw new ConflictError(`cannot take ${n} CPUs as whole physical cores: ${whole.length} CPUs in whole free cores (${describeCpus(whole)})`);
  }
  const out: number[] = [];
  collect(root, n, out);
  return out.sort((a, b) => a - b);
}
