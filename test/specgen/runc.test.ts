// Runs generated specs with the real runtime: proves the spec is accepted by runc and that the defaults hold
// inside the container (user and groups, capabilities, masked /proc/kcore, limits).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../src/sys/run-command.js';
import { generateSpec, hostNofileHardLimit, writeBundle, writeEtcFiles } from '../../src/specgen/index.js';
import type { ContainerConfig } from '../../src/core/index.js';
import { makeConfig, makeRootfs } from './fixtures.js';

const fx = makeRootfs(true);
const runcRoot = join(fx.base, 'runc-state');
mkdirSync(runcRoot);
const started: string[] = [];

after(async () => {
  for (const id of started) await runCommand('runc', ['--root', runcRoot, 'delete', '--force', id], { allowFailure: true });
  rmSync(fx.base, { recursive: true, force: true });
});

async function runInContainer(over: Partial<ContainerConfig>): Promise<string> {
  const config = makeConfig(over);
  await writeEtcFiles(fx.containerDir, config);
  const spec = await generateSpec({ config, rootfs: fx.rootfs, etcFilesDir: fx.containerDir, volumePaths: {} });
  const bundle = join(fx.base, `bundle-${config.id}`);
  await writeBundle(bundle, spec);
  started.push(config.id);
  const res = await runCommand('runc', ['--root', runcRoot, 'run', '--bundle', bundle, config.id], { allowFailure: true, timeoutMs: 30_000 });
  assert.equal(res.code, 0, `runc run failed: ${res.stderr}`);
  return res.stdout;
}

test('root in a busybox container: Docker capabilities, masked kcore, nofile limit, hostname, pids limit', async () => {
  const out = await runInContainer({
    entrypoint: ['/bin/sh', '-c'],
    cmd: ['id; grep CapEff /proc/self/status; echo kcore=$(if [ -e /proc/kcore ]; then wc -c < /proc/kcore; else echo absent; fi) timer_list=$(wc -c < /proc/timer_list); echo nofile=$(ulimit -n); hostname; cat /etc/hostname; cat /sys/fs/cgroup/pids/pids.max; echo $HOME'],
    resources: { pidsLimit: 77 },
  });
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'uid=0(root) gid=0(root) groups=0(root),10(wheel)');
  assert.equal(lines[1], 'CapEff:\t00000000a80425fb');
  // /proc/kcore only exists on kernels built with it (not this VM's); where it does it must read empty.
  // timer_list always exists and has content on the host, so it proves masking works at all.
  assert.match(lines[2]!, /^kcore=(0|absent) timer_list=0$/);
  assert.equal(lines[3], `nofile=${hostNofileHardLimit()}`);
  assert.equal(lines[4], 'bhhost');
  assert.equal(lines[5], 'bhhost');
  assert.equal(lines[6], '77');
  assert.equal(lines[7], '/root');
});

test('named user gets its uid, gid and supplementary groups from the image, and no effective caps', async () => {
  const out = await runInContainer({ user: 'app', entrypoint: [], cmd: ['/bin/sh', '-c', 'id; grep CapEff /proc/self/status; touch /proc/sysrq-trigger 2>/dev/null || echo ro-ok'] });
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'uid=1000(app) gid=1000(app) groups=1000(app),2000(extra),2001(more)');
  assert.equal(lines[1], 'CapEff:\t0000000000000000');
  assert.equal(lines[2], 'ro-ok');
});
