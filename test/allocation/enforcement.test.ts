// The allocation is enforced by the kernel, not only recorded: the cpuset and memory cgroup files of every running
// container match the allocation map — 50 containers, an exclusive one among them — also after a SIGKILL of
// the daemon and a restart, which corrects a cgroup moved behind its back. Requests that do not fit are refused
// naming the resource; real-time time is granted through the parent cgroup and lets SCHED_FIFO run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, TestEngine } from '../helpers/engine-harness.js';

const PARENT = `/bh-test-alloc-${process.pid}`;
const V1 = '/sys/fs/cgroup';

class AllocEngine extends TestEngine {
  protected override daemonArgs(): string[] {
    const config = join(this.dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({ cgroupParent: PARENT, memoryReserve: '1g' }));
    return ['--config', config];
  }
}

interface AllocMap {
  cpus: Array<{ cpu: number; pool: string; containers: string[] }>;
  pools: { reserved: number[]; shared: number[]; exclusive: Array<{ container: string; cpus: number[] }> };
  memory: { allocatable: number; guaranteed: number; free: number; containers: Array<{ container: string; guaranteed: number; limit: number | null }> };
}

const cg = (controller: string, id: string, file: string) => readFileSync(join(V1, controller, PARENT, id, file), 'utf8').trim();

describe('allocation enforced in cgroups', { skip: !existsSync(join(V1, 'cpuset', 'cgroup.procs')) && 'needs cgroup v1 cpuset' }, () => {
  const e = new AllocEngine('bh-test-alloc-');
  const id = (name: string) => e.ok(['inspect', '--format', '{{.Id}}', name]);
  const map = (): AllocMap => JSON.parse(e.ok(['alloc', '--format', 'json']));
  const shared: string[] = [];
  /** The memory cgroup of every running container says what the map says: guarantee as soft limit, limit as limit. */
  const checkMemoryFiles = (m: AllocMap) => {
    for (const c of m.memory.containers) {
      const cid = id(c.container);
      const unlimited = BigInt(cg('memory', cid, 'memory.limit_in_bytes')) > 2n ** 60n;
      if (c.limit === null) assert.ok(unlimited, `${c.container} has no limit`);
      else assert.equal(Number(cg('memory', cid, 'memory.limit_in_bytes')), c.limit, c.container);
      if (c.guaranteed) assert.equal(Number(cg('memory', cid, 'memory.soft_limit_in_bytes')), c.guaranteed, c.container);
    }
  };
  before(() => e.setup());
  after(async () => {
    await e.cleanup();
    for (const c of ['cpuset', 'cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'systemd', 'unified']) {
      try { rmdirSync(join(V1, c, PARENT)); } catch { /* not made under this controller */ }
    }
  });

  it('gives an exclusive container its own CPU and the 49 others the rest, in their cpusets', async () => {
    e.ok(['run', '-d', '--name', 'excl', '--network', 'none', '--cpus-exclusive', '1', '--memory-guaranteed', '64m', '-m', '128m', 'busybox', 'sleep', '600']);
    const exclId = id('excl');
    assert.equal(cg('cpuset', exclId, 'cpuset.cpus'), '1');
    assert.equal(cg('memory', exclId, 'memory.soft_limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(cg('memory', exclId, 'memory.limit_in_bytes'), String(128 * 1024 * 1024));
    const runs = [];
    // Every seventh has a memory limit and a guarantee of its own, so the memory files have something to match.
    const memory = (i: number) => (i % 7 === 0 ? ['-m', '32m', '--memory-guaranteed', '16m'] : []);
    for (let i = 0; i < 49; i++) runs.push(e.runAsync(['run', '-d', '--name', `s${i}`, '--network', 'none', ...memory(i), 'busybox', 'sleep', '600']));
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
    for (let i = 0; i < 49; i++) shared.push(id(`s${i}`));
    for (const s of shared) assert.equal(cg('cpuset', s, 'cpuset.cpus'), '0');
    const m = map();
    assert.deepEqual(m.pools.exclusive, [{ container: 'excl', cpus: [1] }]);
    assert.deepEqual(m.pools.shared, [0]);
    assert.deepEqual(m.cpus.find((c) => c.cpu === 1)?.containers, ['excl']);
    assert.equal(m.cpus.find((c) => c.cpu === 0)?.containers.length, 49);
    assert.equal(m.memory.guaranteed, (64 + 7 * 16) * 1024 * 1024);
    checkMemoryFiles(m);
  });

  it('refuses what does not fit, naming the resource, and changes nothing', () => {
    const cpu = e.run(['run', '-d', '--name', 'excl2', '--network', 'none', '--cpus-exclusive', '1', 'busybox', 'sleep', '600']);
    assert.equal(cpu.code, 125);
    assert.match(cpu.stderr, /not enough CPUs for --cpus-exclusive 1: 0 free/);
    const mem = e.run(['run', '-d', '--name', 'big', '--network', 'none', '--memory-guaranteed', '10t', 'busybox', 'true']);
    assert.notEqual(mem.code, 0);
    assert.match(mem.stderr, /memory/i);
    const pinned = e.run(['run', '-d', '--name', 'pin', '--network', 'none', '--cpuset-cpus', '1', 'busybox', 'true']);
    assert.equal(pinned.code, 125);
    assert.match(pinned.stderr, /cpu 1 is owned exclusively by container excl/);
    assert.deepEqual(map().pools.exclusive, [{ container: 'excl', cpus: [1] }]);
    e.ok(['rm', '-f', 'excl2', 'big', 'pin']);
  });

  it('keeps the map and the cgroups through a SIGKILL and restart, correcting a cgroup moved meanwhile', async () => {
    const before = map();
    await e.killDaemon('SIGKILL');
    writeFileSync(join(V1, 'cpuset', PARENT, shared[0]!, 'cpuset.cpus'), '0-1');   // drift while nobody watches
    await e.startDaemon();
    assert.deepEqual(map(), before);
    assert.equal(cg('cpuset', shared[0]!, 'cpuset.cpus'), '0');
    assert.equal(cg('cpuset', id('excl'), 'cpuset.cpus'), '1');
    checkMemoryFiles(map());
    const again = e.run(['run', '-d', '--network', 'none', '--cpus-exclusive', '1', 'busybox', 'true']);
    assert.equal(again.code, 125, 'no overcommit after the restart');
  });

  it('grows the shared pool back under the running containers when the exclusive one stops', () => {
    e.ok(['stop', '-t', '0', 'excl']);
    for (const s of shared) assert.equal(cg('cpuset', s, 'cpuset.cpus'), '0-1');
    const m = map();
    assert.deepEqual(m.pools.exclusive, []);
    assert.deepEqual(m.pools.shared, [0, 1]);
    assert.equal(m.memory.guaranteed, 7 * 16 * 1024 * 1024);
    e.ok(['rm', '-f', ...shared]);
    assert.equal(map().memory.guaranteed, 0);
  });

  it('grants real-time time through the parent cgroup, so SCHED_FIFO works with --cpu-rt-runtime', () => {
    // busybox has no chrt: the interference probe asks for SCHED_FIFO itself (--fifo), as the documented recipe does.
    const probe = join(dirname(BIN), '..', 'native', 'bin', 'probe');
    // CAP_SYS_NICE lets it ask; --ulimit rtprio would too, where the daemon's own hard limit allows (here it is 0).
    const rt = ['--network', 'none', '--cap-add', 'SYS_NICE', '-v', `${probe}:/probe:ro`, 'busybox', '/probe', 'victim', 'wake', '--duration-ms', '50', '--fifo', '5'];
    const without = e.run(['run', '--rm', ...rt]);
    assert.notEqual(without.code, 0, 'no real-time time: the kernel refuses SCHED_FIFO');
    assert.match(without.stderr, /SCHED_FIFO: Operation not permitted/);
    e.ok(['run', '--rm', '--cpu-rt-runtime', '10000', ...rt]);
    e.ok(['run', '-d', '--name', 'rt', '--cpu-rt-runtime', '20000', '--cpu-rt-period', '100000', '--network', 'none', 'busybox', 'sleep', '600']);
    assert.equal(cg('cpu', id('rt'), 'cpu.rt_runtime_us'), '20000');
    assert.ok(Number(readFileSync(join(V1, 'cpu', PARENT, 'cpu.rt_runtime_us'), 'utf8')) >= 200000);
    const greedy = e.run(['run', '--rm', '--cpu-rt-runtime', '990000', ...rt]);
    assert.equal(greedy.code, 125);
    assert.match(greedy.stderr, /not enough real-time CPU time/);
    e.ok(['rm', '-f', 'rt']);
  });
});
