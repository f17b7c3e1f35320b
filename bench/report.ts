// Turns measurements into the verdicts against Bulkhead's targets, a readable table, and a JSON document.
import type { CliConcurrency, FleetResult } from './fleet.js';
import type { ApiPhase } from './api-phases.js';
import type { Contender, Phase } from './latency.js';
import type { ProcMemory } from './memory.js';

export interface Target {
  name: string;
  value: number | null;   // null when the comparison could not be made
  unit: string;
  limit: string;
  met: boolean | null;
  note?: string;
}

export interface BenchReport {
  date: string;
  host: { kernel: string; cpus: number; node: string; runc: string; conmon: string; load1Before: number; load1After: number };
  runs: number;
  warmup: number;
  startLatency: Contender[];
  ratios: Record<string, { median: number; p90: number } | null>;
  phases: Phase[];
  apiPhases: ApiPhase[];
  runcSteps: ApiPhase[];
  fleets: FleetResult[];
  cliConcurrency: CliConcurrency;
  daemonIdle: ProcMemory;
  targets: Target[];
}

const MB = 1024; // kB per MiB: smaps reports kibibytes

export function ratiosOf(latency: Contender[]): BenchReport['ratios'] {
  const by = (label: string) => latency.find((c) => c.label === label)?.summary;
  const out: BenchReport['ratios'] = {};
  // "bulkhead" is the no-network run (against runc and the others' --network none), "bulkhead bridge" the default.
  for (const mine of ['bulkhead', 'bulkhead bridge', 'bulkhead via docker CLI']) {
    const bh = by(mine);
    for (const other of latency.filter((c) => !c.label.startsWith('bulkhead'))) {
      const s = other.summary;
      out[`${mine}/${other.label}`] = bh && s ? { median: round2(bh.medianMs / s.medianMs), p90: round2(bh.p90Ms / s.p90Ms) } : null;
    }
  }
  return out;
}

export function targetsOf(r: Omit<BenchReport, 'targets'>): Target[] {
  const ratio = (k: string) => r.ratios[k]?.median ?? null;
  const skip = (label: string) => r.startLatency.find((c) => c.label === label)?.skipReason;
  const t: Target[] = [
    { name: 'run --rm latency vs runc (median ratio)', value: ratio('bulkhead/runc'), unit: 'x', limit: '<= 4x', met: null },
    { name: 'run --rm, both --network none, vs podman', value: ratio('bulkhead/podman --network none'), unit: 'x', limit: '<= 0.7x', met: null, note: skip('podman --network none') },
    { name: 'run --rm, both on the default bridge, vs podman', value: ratio('bulkhead bridge/podman'), unit: 'x', limit: '< 0.5x', met: null, note: skip('podman') },
    { name: 'docker run --rm: through Bulkhead vs through dockerd', value: ratio('bulkhead via docker CLI/docker'), unit: 'x', limit: '< 0.3x', met: null,
      note: skip('docker') ?? skip('bulkhead via docker CLI') },
  ];
  for (const f of r.fleets) {
    if (f.mode === 'api-concurrent') continue; // a control run, not what users do
    if (f.mode === 'concurrent') {
      const rounds = f.roundsMs ? `, median of ${f.roundsMs.length} rounds` : '';
      t.push({ name: `${f.containers} x run -d, concurrent (total${rounds})`, value: f.totalMs / 1000, unit: 's', limit: '< 2.5 s', met: null });
    }
    t.push({ name: `PSS + run-root files per idle container incl. conmon (${f.mode} fleet)`, value: (f.memory.perContainer.pssKb + f.runFilesKb) / MB,
      unit: 'MiB', limit: '< 2.5 MiB', met: null });
  }
  for (const x of t) {
    if (x.value === null) continue;
    const lim = Number(/[\d.]+/.exec(x.limit)![0]);
    x.met = x.limit.startsWith('<=') ? x.value <= lim : x.value < lim;
  }
  return t;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const mib = (kb: number) => `${(kb / MB).toFixed(2)} MiB`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd();
  return [line(head), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Bulkhead benchmark, ${r.date}`);
  out.push(`host: ${r.host.cpus} CPUs, kernel ${r.host.kernel}, node ${r.host.node}, ${r.host.runc}, ${r.host.conmon}`);
  out.push(`load average (1 min) ${r.host.load1Before.toFixed(2)} before, ${r.host.load1After.toFixed(2)} after`);
  out.push(`${r.runs} timed runs each after ${r.warmup} warm-up runs, contenders interleaved\n`);
  out.push('Start-to-exit of `true` in busybox');
  out.push(table(['contender', 'median', 'p90', 'min', 'max'], r.startLatency.map((c) => c.summary
    ? [c.command, ms(c.summary.medianMs), ms(c.summary.p90Ms), ms(c.summary.minMs), ms(c.summary.maxMs)]
    : [c.command, 'skipped', '', '', ''])));
  for (const c of r.startLatency.filter((x) => x.skipReason)) out.push(`  (${c.label} skipped: ${c.skipReason})`);
  out.push('\nRatios');
  out.push(table(['ratio', 'median', 'p90'], Object.entries(r.ratios).map(([k, v]) => [k, v ? `${v.median}x` : 'n/a', v ? `${v.p90}x` : 'n/a'])));
  out.push('\nWhere bulkhead run --rm spends its time (separate commands, measured from outside)');
  out.push(table(['phase', 'command', 'median', 'p90'], r.phases.map((p) => [p.label, p.command, ms(p.summary.medianMs), ms(p.summary.p90Ms)])));
  out.push('\nThe daemon\'s share: the same steps over the HTTP API, no CLI process');
  out.push(table(['step', 'median', 'p90'], r.apiPhases.map((p) => [p.label, ms(p.summary.medianMs), ms(p.summary.p90Ms)])));
  out.push('\nThe runtime\'s share: runc steps alone on the bare bundle');
  out.push(table(['step', 'median', 'p90'], r.runcSteps.map((p) => [p.label, ms(p.summary.medianMs), ms(p.summary.p90Ms)])));
  for (const f of r.fleets) {
    out.push(`\n${f.containers} x ${f.mode === 'api-concurrent' ? 'create + start over the HTTP API (no CLI), concurrent' : `bulkhead run -d busybox sleep 3600, ${f.mode}`}`);
    out.push(table(['measure', 'value'], [
      ['total wall time', `${(f.totalMs / 1000).toFixed(2)} s${f.roundsMs
        ? ` (median round; all: ${f.roundsMs.map((x) => (x / 1000).toFixed(2)).join(', ')} s)` : ''}`],
      ['per container, median / p90 / max', `${ms(f.perCall.medianMs)} / ${ms(f.perCall.p90Ms)} / ${ms(f.perCall.maxMs)}`],
      ['CPU: CLI processes / daemon (incl. children it reaped)', `${f.cliCpuS.toFixed(2)} s / ${f.daemonCpuS.toFixed(2)} s`],
      [`PSS per container (conmon + container, ${f.memory.processes} processes)`, mib(f.memory.perContainer.pssKb)],
      ['  of which conmon / container processes', `${mib(f.memory.conmon.pssKb / f.containers)} / ${mib(f.memory.workload.pssKb / f.containers)}`],
      ['RSS per container (shared pages counted each time)', mib(f.memory.perContainer.rssKb)],
      ['run-root files per container (tmpfs: bundle, runc state, /etc files)', mib(f.runFilesKb)],
      ['daemon RSS / PSS with these running', `${mib(f.daemon.rssKb)} / ${mib(f.daemon.pssKb)}`],
      [`rm -f of all ${f.containers} (one CLI call)`, `${(f.removeMs / 1000).toFixed(2)} s`],
    ]));
  }
  const c = r.cliConcurrency;
  out.push(`\n${c.calls} x concurrent \`bulkhead version\` (CLI cost alone): ${(c.totalMs / 1000).toFixed(2)} s wall, ` +
    `CPU ${c.cliCpuS.toFixed(2)} s CLI / ${c.daemonCpuS.toFixed(2)} s daemon`);
  out.push(`\nDaemon RSS / PSS idle (after bootstrap): ${mib(r.daemonIdle.rssKb)} / ${mib(r.daemonIdle.pssKb)}`);
  out.push('\nTargets');
  out.push(table(['target', 'measured', 'limit', 'met'], r.targets.map((t) => [
    t.name, t.value === null ? 'n/a' : `${round2(t.value)} ${t.unit}`, t.limit, t.met === null ? `n/a${t.note ? ` (${t.note})` : ''}` : t.met ? 'yes' : 'NO',
  ])));
  return `${out.join('\n')}\n`;
}
