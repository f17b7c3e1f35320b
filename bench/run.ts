// bench/: Bulkhead's performance benchmark (`npm run bench`, i.e. node dist/bench/run.js). In one run it starts a
// private engine in a temp dir and measures, side by side: start-to-exit latency of `run --rm busybox true`
// against bare runc (and podman/docker when usable), where that time goes, 50 idle containers started
// concurrently and sequentially, and their host memory. It prints a table (or JSON with --json) and always removes
// everything it created. It talks to Bulkhead only through the CLI, like a user; it imports nothing but core.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { EngineError } from '../src/core/index.js';
import { measureCliConcurrency, medianRound, runFleet, type FleetResult } from './fleet.js';
import { IsolatedEngine, REPO_ROOT } from './isolated-engine.js';
import { measurePhases, measureStartLatency } from './latency.js';
import { measureApiPhases } from './api-phases.js';
import { processMemory } from './memory.js';
import { variants } from './other-engines.js';
import { formatReport, ratiosOf, targetsOf, type BenchReport } from './report.js';
import { RuncBaseline } from './runc-baseline.js';
import { summarize } from './stats.js';

interface Options { runs: number; warmup: number; containers: number; fleetRounds: number; json: boolean }

function positiveInt(flag: string, min: number) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new CommanderArgError(`expected a whole number >= ${min}`);
    return Number(v);
  };
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench')
    .description('Benchmark Bulkhead against bare runc (and podman/docker when usable); run as root')
    .option('--runs <n>', 'timed runs per latency measurement', positiveInt('--runs', 1), 20)
    .option('--warmup <n>', 'untimed warm-up runs before each latency measurement', positiveInt('--warmup', 0), 2)
    .option('--containers <n>', 'idle containers to start for the concurrency and memory measurements', positiveInt('--containers', 1), 50)
    .option('--fleet-rounds <n>', 'concurrent fleets to start; the median round is reported (the VM is noisy)', positiveInt('--fleet-rounds', 1), 3)
    .option('--json', 'print the results as JSON instead of a table', false)
    .showHelpAfterError()
    .parse(argv);
  return program.opts<Options>();
}

function checkHost(): void {
  if (process.getuid?.() !== 0) throw new EngineError('InvalidArgument', 'the benchmark must run as root (it starts containers with runc and conmon)');
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new EngineError('InvalidArgument', 'Bulkhead is not built: run "npm run build" first');
  if (spawnSync('runc', ['--version']).status !== 0) throw new EngineError('InvalidArgument', 'runc is not installed or not working: the baseline needs it');
}

function versionLine(cmd: string): string {
  return spawnSync(cmd, ['--version']).stdout?.toString().split('\n')[0]?.trim() || `${cmd} (unknown version)`;
}

const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);

async function benchmark(opts: Options, engine: IsolatedEngine, runc: RuncBaseline): Promise<BenchReport> {
  // Other work on the machine skews every figure, so the load before and after is part of the result.
  const loadBefore = loadavg()[0]!;
  progress(`starting a private daemon in ${engine.dir}`);
  await engine.start();
  await engine.ok(['image', 'bootstrap', 'busybox']);
  const daemonIdle = processMemory(engine.daemonPid);
  progress('building the runc bundle from the busybox image');
  await runc.build(engine);
  const peers = [...variants('podman'), ...variants('docker')];
  for (const p of peers.filter((x) => x.skipReason)) progress(`skipping ${p.name}: ${p.skipReason}`);
  progress(`start-to-exit latency: ${opts.runs} runs (+${opts.warmup} warm-up) per contender`);
  const startLatency = await measureStartLatency(engine, runc, peers, opts.runs, opts.warmup);
  progress('phases of bulkhead run --rm');
  const phases = await measurePhases(engine, opts.runs, opts.warmup);
  const apiPhases = await measureApiPhases(engine.socket, opts.runs, opts.warmup);
  progress('runc steps alone');
  const runcSteps = Object.entries(await runc.measureSteps(opts.runs)).map(([label, samples]) => ({ label, summary: summarize(samples) }));
  const fleets: FleetResult[] = [];
  for (const mode of ['concurrent', 'sequential', 'api-concurrent'] as const) {
    const rounds = mode === 'concurrent' ? opts.fleetRounds : 1;
    progress(`${opts.containers} x sleep 3600 containers, ${mode}${rounds > 1 ? `, ${rounds} rounds` : ''}`);
    const results: FleetResult[] = [];
    for (let i = 0; i < rounds; i++) results.push(await runFleet(engine, mode, opts.containers));
    fleets.push(medianRound(results));
  }
  progress(`${opts.containers} x concurrent bulkhead version`);
  const cliConcurrency = await measureCliConcurrency(engine, opts.containers);
  const partial = {
    date: new Date().toISOString(),
    host: { kernel: release(), cpus: cpus().length, node: process.version, runc: versionLine('runc'), conmon: versionLine('conmon'),
      load1Before: loadBefore, load1After: loadavg()[0]! },
    runs: opts.runs, warmup: opts.warmup, startLatency, ratios: ratiosOf(startLatency), phases, apiPhases, runcSteps, fleets, cliConcurrency, daemonIdle,
  };
  return { ...partial, targets: targetsOf(partial) };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  checkHost();
  const engine = new IsolatedEngine('bh-bench-');
  const runc = new RuncBaseline(join(engine.dir, 'runc-baseline'));
  let cleaned: Promise<void> | undefined;
  const cleanup = () => (cleaned ??= (async () => {
    progress('cleaning up');
    runc.cleanup();
    await engine.cleanup();
  })());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => { void cleanup().finally(() => process.exit(code)); });
  }
  try {
    const report = await benchmark(opts, engine, runc);
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
