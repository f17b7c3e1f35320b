// Graphviz view of the representative paths: containers as boxes on the left and right, resources as ellipses
// in between, aggressor → resource → victim arrows coloured by rating. Render with `dot -Tsvg`.
import type { InterferenceReport, Rating, ResourceKind } from './types.js';

const RATING_COLOR: Record<Rating, string> = { high: '#d62728', medium: '#ff7f0e', low: '#7f7f7f' };
const RATING_RANK: Record<Rating, number> = { high: 3, medium: 2, low: 1 };
const KIND_FILL: Record<ResourceKind, string> = {
  cpu: '#fde0dd', core: '#fcc5c0', cache: '#fff7bc', numa: '#fee391', memory: '#e5f5e0',
  block: '#deebf7', network: '#e0ecf4', volume: '#c6dbef', kernel: '#f0f0f0', hypervisor: '#d9d9d9',
};

/** DOT string literal: quotes, backslashes and newlines escaped. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function renderDot(r: InterferenceReport): string {
  const size = new Map<string, number>();
  for (const c of r.containers) size.set(c.class, (size.get(c.class) ?? 0) + 1);
  // A class representative says how many containers it stands for.
  const names = new Map(r.containers.map((c) => [c.id, size.get(c.class)! > 1 ? `${c.name} (+${size.get(c.class)! - 1})` : c.name]));
  const used = new Set(r.subset.paths.map((p) => p.resource));
  const arrows = new Map<string, { from: string; to: string; rating: Rating; score: number }>();
  const arrow = (from: string, to: string, rating: Rating, score: number) => {
    const key = `${from}\0${to}`;
    const seen = arrows.get(key);
    if (!seen || RATING_RANK[rating] > RATING_RANK[seen.rating] || (rating === seen.rating && score > seen.score)) {
      arrows.set(key, { from, to, rating, score });
    }
  };
  for (const p of r.subset.paths) {
    arrow(`c:${p.aggressor}`, `r:${p.resource}`, p.rating, p.score);
    arrow(`r:${p.resource}`, `v:${p.victim}`, p.rating, p.score);
  }
  const aggressors = [...new Set(r.subset.paths.map((p) => p.aggressor))];
  const victims = [...new Set(r.subset.paths.map((p) => p.victim))];
  const lines = [
    'digraph interference {',
    '  rankdir=LR;',
    `  label=${q(`${r.paths.length} paths, ${r.subset.paths.length} shown, ${r.subset.omitted} omitted`)};`,
    '  labelloc=b; fontname="Helvetica";',
    '  node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
    '  subgraph aggressors { rank=same;',
    ...aggressors.map((id) => `    ${q(`c:${id}`)} [shape=box, label=${q(`${names.get(id)}\naggressor`)}];`),
    '  }',
    ...r.resources.filter((x) => used.has(x.id)).map((x) =>
      `  ${q(`r:${x.id}`)} [shape=ellipse, style=filled, fillcolor=${q(KIND_FILL[x.kind])}, label=${q(`${x.id}\n${x.label}`)}];`),
    '  subgraph victims { rank=same;',
    ...victims.map((id) => `    ${q(`v:${id}`)} [shape=box, style=rounded, label=${q(`${names.get(id)}\nvictim`)}];`),
    '  }',
    ...[...arrows.values()].map((a) =>
      `  ${q(a.from)} -> ${q(a.to)} [color=${q(RATING_COLOR[a.rating])}, penwidth=${(1 + 2 * a.score).toFixed(2)}, label=${q(a.score.toFixed(2))}];`),
    '}',
  ];
  return lines.join('\n') + '\n';
}
