// bench/scale.ts (`npm run bench:scale`): many idle containers on one host. A private engine starts N (default
// 1000) `sleep` containers through the CLI, a few at a time, and at each quarter of the way records how long the
// last batch of starts took (bounded: it must not grow with the count), how long `bulkhead ps -a` answers, what
// each idle container costs in host memory with every engine-side process included (its conmon, its processes,
// and its share of the daemon's growth), and the daemon's own memory. Podman, when it works here, runs the same
// fleet beside it. Everything started is removed at the end, also on failure or SIGINT.
import { spawnSync } from 'node:child_process';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { EngineError } from '../src/core/index.js';
import { IsolatedEngine } from './isolated-engine.js';
import { fleetMemory, processMemory, type ContainerPids } from './memory.js';
import { variants } from './other-engines.js';
import { summarize, timeCommand } from './stats.js';
import { checkpointTable, type Checkpoint, type EngineRun } from './scale-report.js';

interface Options { containers: number; batch: number; podman: boolean }

const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
const LABEL = `bh-scale=${process.pid}`;

function parseOptions(argv: string[]): Options {
  const n = (flag: string) => (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new CommanderArgError(`${flag}: expected a whole number >= 1`);
    return Number(v);
  };
  return new Command('bench:scale').description('N idle containers on one host, beside podman when it works; run as root')
    .option('--containers <n>', 'containers to start', n('--containers'), 1000)
    .option('--batch <n>', 'CLI calls in flight at once', n('--batch'), 8)
    .option('--no-podman', 'skip the podman fleet')
    .parse(argv).opts<Options>();
}

/** Drives one engine's CLI: how to start a container, list all, find pids, and remove its containers. */
interface Driver {
  name: string;
  start(): Promise<{ ok: boolean; id: string; err: string }>;
  list(): Promise<number>;   // ms of one `ps -a`
  pids(ids: string[]): Promise<ContainerPids[]>;
  remove(ids: string[]): Promise<void>;
  daemonPid?: number;
}

function bulkheadDriver(engine: IsolatedEngine): Driver {
  return {
    name: 'bulkhead', daemonPid: engine.daemonPid,
    start: async () => {
      const r = await engine.time(['run', '-d', '--network', 'none', '--label', LABEL, 'busybox', 'sleep', '3600']);
      return { ok: r.code === 0, id: r.stdout.trim(), err: r.stderr.trim() };
    },
    list: async () => (await engine.ok(['ps', '-a'])).ms,
    pids: async (ids) => {
      const views = JSON.parse((await engine.ok(['inspect', '--type', 'container', ...ids])).stdout) as Array<{ State: { pid: number; conmonPid: number } }>;
      return views.map((v) => ({ pid: v.State.pid, conmonPid: v.State.conmonPid }));
    },
    remove: async (ids) => { for (let i = 0; i < ids.length; i += 100) await engine.time(['rm', '-f', ...ids.slice(i, i + 100)]); },
  };
}

function podmanDriver(): Driver {
  const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  return {
    name: 'podman',
    start: async () => {
      const r = await timeCommand('podman', ['run', '-d', '--network', 'none', ...limits, '--label', LABEL, 'busybox', 'sleep', '3600']);
      return { ok: r.code === 0, id: r.stdout.trim(), err: r.stderr.trim() };
    },
    list: async () => (await timeCommand('podman', ['ps', '-a'])).ms,
    pids: async (ids) => {
      const r = spawnSync('podman', ['inspect', '--format', '{{.State.Pid}} {{.State.ConmonPid}}', ...ids], { maxBuffer: 64 << 20 });
      return r.stdout.toString().trim().split('\n').map((l) => { const [pid, conmonPid] = l.split(' ').map(Number); return { pid: pid!, conmonPid: conmonPid! }; });
    },
    remove: async (ids) => { for (let i = 0; i < ids.length; i += 100) spawnSync('podman', ['rm', '-f', '-t', '0', ...ids.slice(i, i + 100)], { stdio: 'ignore' }); },
  };
}

async function runFleet(d: Driver, opts: Options, ids: string[]): Promise<EngineRun> {
  const daemonBefore = d.daemonPid ? processMemory(d.daemonPid).pssKb : 0;
  const checkpoints: Checkpoint[] = [];
  const marks = [1, 2, 3, 4].map((q) => Math.round((opts.containers * q) / 4));
  let next = 0;   // the next quarter to record: batches do not land on it exactly
  let batchStart = Date.now();
  let since = 0;
  while (ids.length < opts.containers) {
    const n = Math.min(opts.batch, opts.containers - ids.length);
    const started = await Promise.all(Array.from({ length: n }, () => d.start()));
    const failed = started.find((s) => !s.ok);
    ids.push(...started.filter((s) => s.ok).map((s) => s.id));
    if (failed) throw new EngineError('Internal', `${d.name}: a start failed after ${ids.length} containers: ${failed.err.split('\n').at(-1)}`);
    if (ids.length < marks[next]!) continue;
    while (next < marks.length && ids.length >= marks[next]!) next++;
    const startMs = (Date.now() - batchStart) / (ids.length - since);
    const lists: number[] = [];
    for (let i = 0; i < 5; i++) lists.push(await d.list());   // one after another: a user's `ps`, not five at once
    const psMs = summarize(lists).medianMs;
    const fleet = fleetMemory(await d.pids(ids));
    const daemonKb = d.daemonPid ? processMemory(d.daemonPid).pssKb : 0;
    const perContainerKb = fleet.perContainer.pssKb + (daemonKb - daemonBefore) / ids.length;
    checkpoints.push({ containers: ids.length, startMsPerContainer: startMs, psMs, perContainerKb, daemonKb });
    progress(`${d.name}: ${ids.length} running, ${startMs.toFixed(0)} ms per start lately, ps -a ${psMs.toFixed(0)} ms`);
    batchStart = Date.now();
    since = ids.length;
  }
  return { engine: d.name, checkpoints };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  if (process.getuid?.() !== 0) throw new EngineError('InvalidArgument', 'the benchmark must run as root');
  const engine = new IsolatedEngine('bh-scale-');
  const bulkheadIds: string[] = [];
  const podmanIds: string[] = [];
  let podman: Driver | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () => (cleaned ??= (async () => {
    progress('cleaning up');
    if (podman) await podman.remove(podmanIds);
    await engine.cleanup();
  })());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => { void cleanup().finally(() => process.exit(code)); });
  try {
    await engine.start();
    await engine.ok(['image', 'bootstrap', 'busybox']);
    const runs = [await runFleet(bulkheadDriver(engine), opts, bulkheadIds)];
    await bulkheadDriver(engine).remove(bulkheadIds.splice(0));
    const peer = variants('podman')[1]!;
    if (!opts.podman) progress('podman skipped (--no-podman)');
    else if (peer.skipReason) progress(`podman skipped: ${peer.skipReason}`);
    else runs.push(await runFleet((podman = podmanDriver()), opts, podmanIds));
    process.stdout.write(checkpointTable(runs, opts.containers));
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
