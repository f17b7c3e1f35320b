// Reads the one JSON line a victim probe prints (native/probe.c) into ProbeStats, refusing anything else: a
// half-printed or empty result must fail the measurement, not become a zero in a ratio.
import { EngineError } from '../../core/index.js';
import type { ProbeStats } from './types.js';

const FIELDS = ['samples', 'p50_us', 'p99_us', 'p999_us', 'max_us', 'mean_us'] as const;

export function parseProbeOutput(stdout: string, expectedProbe: string): ProbeStats {
  const line = stdout.trim().split('\n').pop() ?? '';
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new EngineError('Internal', `probe ${expectedProbe} printed no JSON result: ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (raw.probe !== expectedProbe) {
    throw new EngineError('Internal', `probe result is for "${String(raw.probe)}", expected "${expectedProbe}"`);
  }
  for (const f of FIELDS) {
    if (typeof raw[f] !== 'number' || !Number.isFinite(raw[f])) {
      throw new EngineError('Internal', `probe ${expectedProbe} result lacks a numeric ${f}`);
    }
  }
  const n = (f: (typeof FIELDS)[number]) => raw[f] as number;
  if (n('samples') < 1) throw new EngineError('Internal', `probe ${expectedProbe} took no samples`);
  const stats: ProbeStats = { samples: n('samples'), p50: n('p50_us'), p99: n('p99_us'), p999: n('p999_us'), max: n('max_us'), mean: n('mean_us') };
  if (typeof raw.vol_ctxsw === 'number' && typeof raw.invol_ctxsw === 'number') {
    stats.ctxSwitches = { voluntary: raw.vol_ctxsw, involuntary: raw.invol_ctxsw };
  }
  return stats;
}
