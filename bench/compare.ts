// Two builds of Bulkhead side by side (`node dist/bench/compare.js --against <other checkout>`): this checkout
// and another one (built, e.g. a copy of main before a change), each with its own private daemon, measured in
// interleaved rounds so that other work on a shared machine hits both alike. It measures what issue 2's targets
// are about: `run --rm --network none busybox true` next to bare `runc run`, and N concurrent `run -d`. A
// one-off figure on a busy VM says little; a difference that holds across interleaved medians does.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { EngineError } from '../src/core/index.js';
import { IsolatedEngine } from './isolated-engine.js';
import { processMemory } from './memory.js';
import { RuncBaseline } from './runc-baseline.js';
import { errorLine, summarize, type Summary } from './stats.js';

interface Options { against: string; runs: number; warmup: number; containers: number; fleetRounds: number }

function positiveInt(min: number) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new CommanderArgError(`expected a whole number >= ${min}`);
    return Number(v);
  };
}

function parseOptions(argv: string[]): Options {
  return new Command('compare')
    .description('Compare this build of Bulkhead with another checkout, interleaved; run as root')
    .requiredOption('--against <dir>', 'the other checkout (built: bin/bulkhead, dist/, native/bin)')
    .option('--runs <n>', 'timed `run --rm` per engine', positiveInt(1), 30)
    .option('--warmup <n>', 'untimed rounds first', positiveInt(0), 3)
    .option('--containers <n>', 'containers per concurrent fleet (0: no fleet)', positiveInt(0), 50)
    .option('--fleet-rounds <n>', 'concurrent fleets per engine', positiveInt(1), 3)
    .showHelpAfterError()
    .parse(argv)
    .opts<Options>();
}

const progress = (m: string) => process.stderr.write(`compare: ${m}\n`);

async function runRm(engine: IsolatedEngine): Promise<number> {
  const r = await engine.time(['run', '--rm', '--network', 'none', 'busybox', 'true']);
  if (r.code !== 0) throw new EngineError('Internal', `${engine.bin} run --rm: ${errorLine(r.stderr, r.code)}`);
  return r.ms;
}

/** N concurrent `run -d … sleep 3600`: wall time until all are started; then removes them (untimed). */
async function fleet(engine: IsolatedEngine, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(Array.from({ length: n }, () => engine.time(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const ids = results.filter((r) => r.code === 0).map((r) => r.stdout.trim());
  if (ids.length) await engine.time(['rm', '-f', ...ids]);
  const failed = results.find((r) => r.code !== 0);
  if (failed) throw new EngineError('Internal', `${engine.bin} run -d: ${errorLine(failed.stderr, failed.code)}`);
  return ms;
}

/** Runs each contender once per round, rotating who goes first so that no one always follows the same work. */
async function interleave(contenders: Array<() => Promise<number>>, rounds: number, warmup: number): Promise<number[][]> {
  const samples: number[][] = contenders.map(() => []);
  for (let i = 0; i < warmup + rounds; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const j = (i + k) % contenders.length;
      const ms = await contenders[j]!();
      if (i >= warmup) samples[j]!.push(ms);
    }
  }
  return samples;
}

function line(label: string, s: Summary, base?: Summary): string {
  const ratio = base ? `  ${(s.medianMs / base.medianMs).toFixed(2)}x runc` : '';
  return `${label.padEnd(34)} median ${s.medianMs.toFixed(1).padStart(7)} ms  p90 ${s.p90Ms.toFixed(1).padStart(7)} ms  min ${s.minMs.toFixed(1).padStart(7)} ms${ratio}`;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  if (process.getuid?.() !== 0) throw new EngineError('InvalidArgument', 'the comparison must run as root');
  const otherBin = join(resolve(opts.against), 'bin', 'bulkhead');
  if (!existsSync(otherBin)) throw new EngineError('InvalidArgument', `${otherBin} does not exist: --against must name a built checkout`);
  const engines = { this: new IsolatedEngine('bh-bench-a-'), other: new IsolatedEngine('bh-bench-b-', otherBin) };
  const runc = new RuncBaseline(join(engines.this.dir, 'runc-baseline'));
  const cleanup = async () => { runc.cleanup(); await Promise.all([engines.this.cleanup(), engines.other.cleanup()]); };
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => { void cleanup().finally(() => process.exit(code)); });
  }
  try {
    for (const e of Object.values(engines)) {
      await e.start();
      await e.ok(['image', 'bootstrap', 'busybox']);
    }
    await runc.build(engines.this);
    progress(`run --rm: ${opts.runs} rounds (+${opts.warmup} warm-up) of this, other, runc`);
    const [a, b, r] = (await interleave([() => runRm(engines.this), () => runRm(engines.other), () => runc.runOnce()], opts.runs, opts.warmup))
      .map((s) => summarize(s));
    const out = [line('this:  run --rm --network none', a!, r), line('other: run --rm --network none', b!, r), line('runc run', r!)];
    if (opts.containers > 0) {
      progress(`${opts.containers} concurrent run -d: ${opts.fleetRounds} rounds (+1 warm-up) of this, other`);
      const [fa, fb] = (await interleave([() => fleet(engines.this, opts.containers), () => fleet(engines.other, opts.containers)], opts.fleetRounds, 1))
        .map((s) => summarize(s));
      out.push(line(`this:  ${opts.containers} x concurrent run -d`, fa!), line(`other: ${opts.containers} x concurrent run -d`, fb!));
    }
    const rss = (e: IsolatedEngine) => `${Math.round(processMemory(e.daemonPid).rssKb / 1024)} MiB`;
    out.push(`daemon RSS after: this ${rss(engines.this)}, other ${rss(engines.other)}`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`compare: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
