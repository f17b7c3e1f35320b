// The human view of a report: host line, the representative paths worst first, what was left out and why,
// and the notes. Paths name containers by name; "+N" after a name counts the other members of its class.
import type { InterferenceReport } from './types.js';

function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('').trimEnd());
}

export function renderTable(r: InterferenceReport): string {
  const names = new Map(r.containers.map((c) => [c.id, c.name]));
  const classSize = new Map<string, number>();
  for (const c of r.containers) classSize.set(c.class, (classSize.get(c.class) ?? 0) + 1);
  const who = (id: string) => {
    const c = r.containers.find((x) => x.id === id)!;
    const others = classSize.get(c.class)! - 1;
    return `${names.get(id)}${others > 0 ? ` (+${others})` : ''}`;
  };
  const h = r.host;
  const kind = h.kind === 'bare-metal' ? 'bare metal' : h.kind === 'vm' ? `virtual machine (${h.hypervisor ?? 'unknown'})`
    : h.kind === 'container' ? 'container' : `container in a virtual machine (${h.hypervisor ?? 'unknown'})`;
  const classes = new Set(r.containers.map((c) => c.class)).size;
  const out = [
    `host: ${kind}, ${h.cpus} CPUs, SMT ${h.smtWidth}, ${h.numaNodes} NUMA node${h.numaNodes === 1 ? '' : 's'}, RDT ${h.rdt ? 'yes' : 'no'}`,
    `containers: ${r.containers.length} in ${classes} class${classes === 1 ? '' : 'es'}; resources: ${r.resources.length}, ${r.resources.filter((x) => x.shared).length} shared`,
    '',
  ];
  if (r.subset.paths.length === 0) {
    out.push('no interference paths: no resource is shared by two containers');
  } else {
    const rows = [['RATING', 'SCORE', 'AGGRESSOR', 'RESOURCE', 'VICTIM', 'PATHS', 'REASON']];
    for (const p of r.subset.paths) {
      rows.push([p.rating, p.score.toFixed(3), who(p.aggressor), p.resource, who(p.victim), String(p.represents), p.reason]);
    }
    out.push(...columns(rows));
  }
  out.push('', `${r.paths.length} paths in total, ${r.subset.paths.length} shown, ${r.subset.omitted} omitted`, `selection: ${r.subset.rule}`);
  if (r.notes.length) out.push('', 'notes:', ...r.notes.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}
