// Pull benchmark (node dist/bench/pull.js, as root): a local docker-registry on 127.0.0.1 serves a ~100 MB
// single-layer image and a 5-layer image (gzip layers, as registries serve them); each is pulled 3 times (removed in between) by Bulkhead and by podman
// (its own --root/--runroot in a temp dir, so the host's podman storage is untouched), and the same blobs are
// read from the registry's disk and gunzipped in this process, one after the other, as the floor. Prints medians
// and the ratios against the targets: no slower than podman, within 2x of the local gunzip.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { EngineError } from '../src/core/index.js';
import { TestRegistry } from '../test/registry/registry-server.js';
import { IsolatedEngine } from './isolated-engine.js';
import { timeOk } from './stats.js';

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MB = 1 << 20;

/** Text-like content (base64 of random bytes): it gzips about 4:3, like real binaries and libraries do. */
function contentFile(path: string, bytes: number): void {
  writeFileSync(path, randomBytes(Math.ceil(bytes * 3 / 4)).toString('base64').slice(0, bytes));
}

async function gunzipBlobs(files: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const head = readFileSync(f).subarray(0, 2);
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    if (head[0] === 0x1f && head[1] === 0x8b) await pipeline(createReadStream(f, { highWaterMark: MB }), createGunzip(), sink);
    else await pipeline(createReadStream(f, { highWaterMark: MB }), sink);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface Case { name: string; ref: string; blobs: string[] }

/** A docker-archive of a 5-layer image whose layers are gzipped tars of 20 MB of content each. */
function fiveLayerArchive(work: string, ref: string): string {
  const dir = join(work, 'five');
  mkdirSync(dir);
  const diffIds: string[] = [];
  const layers: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const src = join(work, `five-src${i}`);
    mkdirSync(src);
    contentFile(join(src, `part${i}`), 20 * MB);
    const tar = join(work, `layer${i}.tar`);
    spawnSync('tar', ['-C', src, '-cf', tar, '.']);
    diffIds.push(`sha256:${createHash('sha256').update(readFileSync(tar)).digest('hex')}`);
    spawnSync('gzip', ['-n', tar]);
    renameSync(`${tar}.gz`, join(dir, `layer${i}.tar.gz`));
    layers.push(`layer${i}.tar.gz`);
    rmSync(src, { recursive: true, force: true });
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architecture: process.arch === 'arm64' ? 'arm64' : 'amd64', os: 'linux',
    config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [ref], Layers: layers }]));
  const archive = join(work, 'five.tar');
  spawnSync('tar', ['-C', dir, '-cf', archive, '.']);
  rmSync(dir, { recursive: true, force: true });
  return archive;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new EngineError('InvalidArgument', 'the pull benchmark must run as root');
  const work = mkdtempSync(join(tmpdir(), 'bh-bench-pull-'));
  const registry = await TestRegistry.start();
  const pusher = new IsolatedEngine('bh-bench-pull-');
  const puller = new IsolatedEngine('bh-bench-pull-');
  const podmanRoot = join(work, 'podman');
  const podman = (args: string[]) => ['--root', join(podmanRoot, 'root'), '--runroot', join(podmanRoot, 'run'), '--storage-driver', 'overlay', ...args];
  const havePodman = spawnSync('podman', ['--version']).status === 0;
  try {
    await pusher.start();
    await puller.start();
    await pusher.ok(['image', 'bootstrap', 'busybox']);
    // single layer: an imported root filesystem of ~100 MB
    const single = join(work, 'single');
    mkdirSync(single);
    contentFile(join(single, 'data'), 100 * MB);
    spawnSync('tar', ['-C', single, '-czf', join(work, 'single.tar.gz'), '.']); // imported gzipped, stored and pushed gzipped
    await pusher.ok(['import', join(work, 'single.tar.gz'), `${registry.host}/bench/single:1`]);
    // five gzipped layers of 20 MB each, loaded from a docker-archive (registries serve gzip layers, as docker pushes them)
    await pusher.ok(['load', '-i', fiveLayerArchive(work, `${registry.host}/bench/five:1`)]);
    const cases: Case[] = [];
    for (const name of ['single', 'five']) {
      const ref = `${registry.host}/bench/${name}:1`;
      await pusher.ok(['push', ref]);
      const [image] = JSON.parse((await pusher.ok(['image', 'inspect', ref])).stdout) as Array<{ Layers: Array<{ digest: string }> }>;
      cases.push({ name, ref, blobs: image!.Layers.map((l) => registry.blobFile(l.digest)) });
    }
    rmSync(work + '/single', { recursive: true, force: true });

    const rows: string[] = [];
    for (const c of cases) {
      const bh: number[] = [];
      const pm: number[] = [];
      const gz: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        bh.push((await puller.ok(['pull', '-q', c.ref])).ms);
        await puller.ok(['rmi', c.ref]);
        if (havePodman) {
          pm.push((await timeOk('podman', podman(['pull', '-q', '--tls-verify=false', c.ref]))).ms);
          await timeOk('podman', podman(['rmi', '-af']));
        }
        gz.push(await gunzipBlobs(c.blobs));
      }
      const [b, p, g] = [median(bh), havePodman ? median(pm) : NaN, median(gz)];
      const mb = c.blobs.reduce((n, f) => n + readFileSync(f).length, 0) / MB;
      rows.push(`${c.name.padEnd(7)} ${mb.toFixed(0).padStart(5)} MB  bulkhead ${b.toFixed(0).padStart(6)} ms  podman ${havePodman ? p.toFixed(0).padStart(6) + ' ms' : '     n/a'}` +
        `  local gunzip ${g.toFixed(0).padStart(6)} ms   bulkhead/podman ${havePodman ? (b / p).toFixed(2) : 'n/a'} (target <= 1.00)` +
        `  bulkhead/gunzip ${(b / g).toFixed(2)} (target <= 2.00)`);
    }
    process.stdout.write(`pull benchmark: medians of ${RUNS} runs, registry on 127.0.0.1, single and five: gzip blobs\n${rows.join('\n')}\n`);
  } finally {
    await pusher.cleanup();
    await puller.cleanup();
    await registry.stop();
    if (havePodman) spawnSync('podman', podman(['system', 'reset', '-f']), { stdio: 'ignore' });
    for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(work)).sort().reverse()) {
      spawnSync('umount', ['-l', m]);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench pull: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
