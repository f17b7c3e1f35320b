// The scale benchmark's table: per engine and quarter of the fleet, the recent time per start, `ps -a`, memory
// per idle container with every engine-side process included, and the daemon's memory; then the targets.

export interface Checkpoint {
  containers: number;
  startMsPerContainer: number;   // wall time per container over the batches since the previous checkpoint
  psMs: number;                  // median of 5 `ps -a`
  perContainerKb: number;        // PSS of conmon + container processes + the daemon's growth, per container
  daemonKb: number;              // daemon PSS (0 for a daemonless engine)
}

export interface EngineRun { engine: string; checkpoints: Checkpoint[] }

const MiB = (kb: number) => `${(kb / 1024).toFixed(2)} MiB`;

export function checkpointTable(runs: EngineRun[], target: number): string {
  const lines: string[] = [`Scale benchmark, ${new Date().toISOString()}: ${target} idle containers (busybox sleep, no network)`, ''];
  const head = ['engine', 'running', 'ms/start (recent)', 'ps -a', 'memory/container', 'daemon PSS'];
  const rows = runs.flatMap((r) => r.checkpoints.map((c) => [r.engine, String(c.containers), c.startMsPerContainer.toFixed(1),
    `${c.psMs.toFixed(0)} ms`, MiB(c.perContainerKb), c.daemonKb ? MiB(c.daemonKb) : '-']));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) lines.push('  ' + r.map((c, i) => c.padEnd(widths[i]! + 2)).join('').trimEnd());
  const b = runs.find((r) => r.engine === 'bulkhead')?.checkpoints;
  if (b?.length) {
    const first = b[0]!;
    const last = b.at(-1)!;
    const half = b[Math.floor((b.length - 1) / 2)]!;
    const growthFirstHalf = half.daemonKb - first.daemonKb;
    const growthSecondHalf = last.daemonKb - half.daemonKb;
    lines.push('', 'Targets (bulkhead)');
    lines.push(`  starts stay bounded: ${first.startMsPerContainer.toFixed(1)} ms first quarter, ${last.startMsPerContainer.toFixed(1)} ms last quarter`);
    lines.push(`  ps -a with ${last.containers}: ${last.psMs.toFixed(0)} ms (target < 150 ms): ${last.psMs < 150 ? 'met' : 'NOT met'}`);
    lines.push(`  memory per idle container: ${MiB(last.perContainerKb)} (target < 2.5 MiB): ${last.perContainerKb < 2.5 * 1024 ? 'met' : 'NOT met'}`);
    lines.push(`  daemon growth: ${MiB(growthFirstHalf)} from ${first.containers} to ${half.containers}, ${MiB(growthSecondHalf)} from ${half.containers} to ${last.containers}`);
  }
  return lines.join('\n') + '\n';
}
