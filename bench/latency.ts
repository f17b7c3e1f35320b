// Start-to-exit latency of a trivial container, Bulkhead side by side with bare runc (and podman/docker when
// usable). Iterations are interleaved (bulkhead, runc, … , bulkhead, runc, …) so that drift on a shared VM hits
// every contender alike; a few warm-up rounds fill page caches and are not counted.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineError } from '../src/core/index.js';
import { REPO_ROOT, type IsolatedEngine } from './isolated-engine.js';
import * as others from './other-engines.js';
import type { RuncBaseline } from './runc-baseline.js';
import { errorLine, summarize, timeOk, type Summary } from './stats.js';

export interface Contender {
  label: string;
  command: string;
  summary?: Summary;
  skipReason?: string;
}

export async function measureStartLatency(
  engine: IsolatedEngine, runc: RuncBaseline, peers: others.OtherEngine[], runs: number, warmup: number,
): Promise<Contender[]> {
  // Like for like with bare runc (no network) and with the bridge networking users get by default.
  const bulkhead = (network: string[]) => async () => {
    const r = await engine.time(['run', '--rm', ...network, 'busybox', 'true']);
    if (r.code !== 0) throw new EngineError('Internal', `bulkhead run --rm busybox true exited ${r.code}: ${errorLine(r.stderr, r.code)}`);
    return r.ms;
  };
  // The docker CLI through Bulkhead's socket (the Docker-compatible API), on the default bridge like `docker run`.
  const dockerCli = async () => {
    const r = await timeOk('docker', ['run', '--rm', 'busybox', 'true'], { env: { ...process.env, DOCKER_HOST: `unix://${engine.socket}` } });
    return r.ms;
  };
  const haveDocker = spawnSync('sh', ['-c', 'command -v docker']).status === 0;
  const usable = peers.filter((p) => !p.skipReason);
  const rounds: Array<() => Promise<number>> = [bulkhead(['--network', 'none']), () => runc.runOnce(), bulkhead([]),
    ...(haveDocker ? [dockerCli] : []), ...usable.map((p) => () => others.runOnce(p))];
  const peerBase = haveDocker ? 4 : 3;
  const samples: number[][] = rounds.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, round] of rounds.entries()) {
      const ms = await round();
      if (i >= warmup) samples[k]!.push(ms);
    }
  }
  return [
    { label: 'bulkhead', command: 'bulkhead run --rm --network none busybox true', summary: summarize(samples[0]!) },
    { label: 'runc', command: 'runc run (bundle: busybox rootfs + runc spec)', summary: summarize(samples[1]!) },
    { label: 'bulkhead bridge', command: 'bulkhead run --rm busybox true (default bridge network)', summary: summarize(samples[2]!) },
    haveDocker
      ? { label: 'bulkhead via docker CLI', command: 'DOCKER_HOST=<bulkhead socket> docker run --rm busybox true', summary: summarize(samples[3]!) }
      : { label: 'bulkhead via docker CLI', command: 'docker run --rm busybox true', skipReason: 'the docker CLI is not installed' },
    ...peers.map((p): Contender => {
      const k = usable.indexOf(p);
      const command = others.commandOf(p);
      return k < 0 ? { label: p.label, command, skipReason: p.skipReason } : { label: p.label, command, summary: summarize(samples[k + peerBase]!) };
    }),
  ];
}

export interface Phase {
  label: string;
  command: string;
  summary: Summary;
}

/**
 * Where the time of one `run --rm` goes, measured from the outside: bare node start-up, loading the CLI's
 * modules, one API round trip (`version`), then the same container life split into create / start -a / rm.
 */
export async function measurePhases(engine: IsolatedEngine, runs: number, warmup: number): Promise<Phase[]> {
  const mainUrl = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')).href;
  const node = process.execPath;
  const steps: Array<{ label: string; command: string; samples: number[] }> = [
    { label: 'node start-up', command: 'node -e 0', samples: [] },
    { label: 'load CLI modules', command: 'node -e "await import(\'dist/src/cli/main.js\')"', samples: [] },
    { label: 'CLI + 1 API call', command: 'bulkhead version', samples: [] },
    { label: 'create', command: 'bulkhead create busybox true', samples: [] },
    { label: 'start, attach, wait', command: 'bulkhead start -a <id>', samples: [] },
    { label: 'remove', command: 'bulkhead rm <id>', samples: [] },
  ];
  for (let i = 0; i < warmup + runs; i++) {
    const ms = [
      (await timeOk(node, ['-e', '0'])).ms,
      (await timeOk(node, ['--input-type=module', '-e', `await import(${JSON.stringify(mainUrl)})`])).ms,
      (await engine.ok(['version'])).ms,
    ];
    const created = await engine.ok(['create', 'busybox', 'true']);
    const id = created.stdout.trim();
    ms.push(created.ms, (await engine.ok(['start', '-a', id])).ms, (await engine.ok(['rm', id])).ms);
    if (i >= warmup) ms.forEach((v, k) => steps[k]!.samples.push(v));
  }
  return steps.map((s) => ({ label: s.label, command: s.command, summary: summarize(s.samples) }));
}
