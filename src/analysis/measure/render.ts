// The human table of a measurement report. Unmeasurable things get a sentence, never a number.
import type { MeasurementReport, Percentiles } from './types.js';

const us = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)}ms` : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pcts = (p: Percentiles) => `${us(p.p50)}/${us(p.p99)}/${us(p.p999)}`;
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('').trimEnd());
}

export function renderMeasurement(r: MeasurementReport): string {
  const lines: string[] = [];
  const hv = r.host.hypervisor ? ` (${r.host.hypervisor})` : '';
  lines.push(`host: ${r.host.cpus} CPUs, ${r.host.virtualization}${hv}, RDT ${r.host.rdt ? 'yes' : 'no'}; `
    + `${r.options.reps} reps of ${r.options.durationMs} ms, intensity ${r.options.intensity}%, seed ${r.options.seed}`);
  lines.push('latencies in µs as p50/p99/p99.9 (medians over reps); ratio = median p99 loaded/idle with 95% bootstrap CI');
  lines.push('');
  const rows = [['PATH', 'VICTIM<-AGGRESSOR', 'IDLE', 'LOADED', 'RATIO', '95% CI', 'VERDICT', 'STEAL', 'THROTTLED']];
  for (const p of r.paths) {
    const thr = p.throttling.victim.nrThrottled + p.throttling.aggressor.nrThrottled;
    const thrUs = p.throttling.victim.throttledUs + p.throttling.aggressor.throttledUs;
    rows.push([
      p.name, `${p.probe}<-${p.aggressor}`, pcts(p.baseline), pcts(p.loaded), x(p.ratio),
      `[${x(p.ci[0])}, ${x(p.ci[1])}]`, p.verdict, String(p.stealTicks), thr ? `${thr} (${us(thrUs)})` : '0',
    ]);
  }
  lines.push(...table(rows));
  for (const e of r.isolationEffect) {
    lines.push('', `isolation effect on ${e.resource}: shared pool ${x(e.sharedPool)} -> exclusive CPU ${x(e.exclusive)} `
      + `(${e.factor.toFixed(1)}x smaller slowdown)`);
  }
  if (r.notMeasurable.length) {
    lines.push('');
    for (const n of r.notMeasurable) lines.push(`${n.what}: not measurable here: ${n.reason}`);
  }
  lines.push('', `finished in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}
