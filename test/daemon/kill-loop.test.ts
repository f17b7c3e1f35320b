// SIGKILL at any point of any operation: four rounds of 25 concurrent operations (run on the default bridge and
// without a network, create, start, stop, restart, kill, rm -f, an exclusive-CPU run), the daemon killed at a
// seeded-random moment in each. After every restart nothing is lost or duplicated, and the host holds exactly
// what the running containers need: runtime records, mounts, conmon processes, cgroups, network namespaces, IPAM
// leases and exclusive CPUs, and nothing of the containers that are not running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TestEngine } from '../helpers/engine-harness.js';

const PARENT = `/bh-test-kl-${process.pid}`;
const CGROUP = '/sys/fs/cgroup';
const ROUNDS = 4;
const OPS = 25;

class KillLoopEngine extends TestEngine {
  protected override daemonArgs(): string[] {
    const config = join(this.dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({ cgroupParent: PARENT }));
    return ['--config', config];
  }
}

interface Listed { Id: string; Name: string; State: { status: string; pid: number }; Config: { network: string } }

/** A tiny seeded generator: the same kill moments every run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const dirsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()) : []);

describe('daemon killed in the middle of 100 concurrent operations', () => {
  const e = new KillLoopEngine('bh-test-kl-');
  const random = seeded(7);
  before(() => e.setup());
  after(async () => {
    await e.cleanup();
    for (const c of readdirSync(CGROUP)) { try { rmdirSync(join(CGROUP, c, PARENT)); } catch { /* not made there */ } }
  });

  const list = (): Listed[] => JSON.parse(e.ok(['ps', '-a', '--format', 'json'])) as Listed[];
  const running = (l: Listed[]) => l.filter((c) => c.State.status === 'running');

  /** What the host holds for this engine must be exactly what its running containers need. */
  function checkHost(round: number, idle = false): void {
    const all = list();
    const names = all.map((c) => c.Name);
    assert.equal(new Set(names).size, names.length, `round ${round}: no container is duplicated`);
    const live = new Set(running(all).map((c) => c.Id));
    for (const c of all) {
      assert.ok(['created', 'running', 'exited'].includes(c.State.status), `${c.Name} is ${c.State.status}`);
      const runc = spawnSync('runc', ['--root', join(e.root, 'run', 'runc'), 'state', c.Id]);
      const runtimeState = runc.status === 0 ? JSON.parse(runc.stdout.toString()).status : 'absent';
      if (live.has(c.Id)) {
        assert.equal(runtimeState, 'running', `${c.Name}: engine and runtime agree`);
        assert.ok(alive(c.State.pid), `${c.Name}: its process lives`);
      } else {
        assert.equal(runtimeState, 'absent', `${c.Name} (${c.State.status}) has no runtime record`);
      }
    }
    assert.deepEqual(readdirSync(join(e.root, 'containers')).sort(), all.map((c) => c.Id).sort(), 'directories = records');
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(join(e.root, 'containers')) && m.endsWith('/rootfs')).map((m) => m.split('/').at(-2)!);
    assert.deepEqual(mounted.sort(), [...live].sort(), 'a rootfs is mounted exactly for each running container');
    const conmons = spawnSync('pgrep', ['-a', 'conmon']).stdout.toString().split('\n')
      .filter((l) => l.includes(`--root=${join(e.root, 'run', 'runc')}`)).map((l) => /(?:^| )-c (\S+)/.exec(l)?.[1] ?? '?');
    assert.deepEqual(conmons.sort(), [...live].sort(), 'one conmon per running container, no orphan');
    assert.deepEqual(dirsIn(join(CGROUP, 'cpuset', PARENT)).sort(), [...live].sort(), 'a cgroup per running container');
    const bridged = running(all).filter((c) => c.Config.network !== 'none').length;
    // Exits processed after the restart may hand their namespace to the pool of recycled ones (at most 4, each
    // still attached, so with its lease); the pool empties once the network has been idle for a moment.
    const netns = existsSync(join(e.root, 'run', 'netns')) ? readdirSync(join(e.root, 'run', 'netns')).length : 0;
    const pooled = netns - bridged;
    assert.ok(pooled >= 0 && pooled <= (idle ? 0 : 4), `namespaces: ${netns} for ${bridged} networked running containers`);
    const ipam = join(e.root, 'networks', 'ipam');
    const leases = dirsIn(ipam).flatMap((n) => readdirSync(join(ipam, n)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)));
    assert.equal(leases.length, netns, 'an address lease per namespace');
    const alloc = JSON.parse(e.ok(['alloc', '--format', 'json'])) as { pools: { exclusive: Array<{ container: string; cpus: number[] }> } };
    const byName = new Map(all.map((c) => [c.Name, c]));
    for (const x of alloc.pools.exclusive) assert.ok(live.has(byName.get(x.container)?.Id ?? ''), `${x.container} holds CPUs only while running`);
    assert.ok(alloc.pools.exclusive.length <= 1, 'the one assignable CPU is never given twice');
  }

  it('keeps state and host in step through four kills', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const pre = Array.from({ length: 12 }, (_, i) => `kl${round}-pre${i}`);
      await Promise.all(pre.slice(0, 9).map((n, i) => e.runAsync(['run', '-d', '--name', n, ...(i % 3 ? ['--network', 'none'] : []), 'busybox', 'sleep', '600'])));
      await Promise.all(pre.slice(9).map((n) => e.runAsync(['create', '--name', n, '--network', 'none', 'busybox', 'sleep', '600'])));
      const ops: string[][] = [
        ...Array.from({ length: 4 }, (_, i) => ['run', '-d', '--name', `kl${round}-br${i}`, 'busybox', 'sleep', '600']),
        ...Array.from({ length: 4 }, (_, i) => ['run', '-d', '--name', `kl${round}-no${i}`, '--network', 'none', 'busybox', 'sleep', '600']),
        ...Array.from({ length: 2 }, (_, i) => ['run', '-d', '--name', `kl${round}-ex${i}`, '--network', 'none', '--cpus-exclusive', '1', 'busybox', 'sleep', '600']),
        ...Array.from({ length: 2 }, (_, i) => ['create', '--name', `kl${round}-cr${i}`, 'busybox', 'true']),
        ...pre.slice(9).map((n) => ['start', n]),
        ['stop', '-t', '1', pre[0]!], ['stop', '-t', '1', pre[1]!], ['kill', pre[2]!],
        ['restart', '-t', '1', pre[3]!], ['restart', '-t', '1', pre[4]!],
        ['rm', '-f', pre[5]!], ['rm', '-f', pre[6]!], ['rm', '-f', pre[7]!],
        ['run', '--rm', '--network', 'none', 'busybox', 'true'], ['run', '--rm', 'busybox', 'true'],
      ];
      assert.equal(ops.length, OPS);
      const done = ops.map((args) => e.runAsync(args));
      await sleep(100 + Math.floor(random() * 1500));
      await e.killDaemon('SIGKILL');
      await Promise.all(done);
      await e.startDaemon();
      checkHost(round);
    }
    const ids = list().map((c) => c.Id);
    if (ids.length) e.ok(['rm', '-f', ...ids]);
    await sleep(3000);   // the recycled namespaces go once the network has been idle (1.5 s grace)
    checkHost(ROUNDS, true);
    assert.deepEqual(list(), []);
  });
});
