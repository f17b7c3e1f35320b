// ResourcePools as the engine uses it: the pools move as containers come and go, refusals name the resource,
// what was asked and what is free, a bad configuration is refused, and restore() refuses inconsistent state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidArgumentError, StateInvalidError } from '../../src/core/index.js';
import { ResourcePools, formatBytes, readTopology, type AllocatorConfig, type Topology } from '../../src/resources/index.js';
import { HOSTS, writeFakeHost, type FakeHost } from './fake-sysfs.js';

const GiB = 1024 ** 3;

describe('ResourcePools on 2 CPUs (8GiB, 1GiB reserved)', () => {
  let host: FakeHost;
  let topo: Topology;
  const config: AllocatorConfig = { reservedCpus: [0], memoryReserve: 1 * GiB, fullPhysicalCores: false };
  before(() => { host = writeFakeHost(HOSTS[0]!); topo = readTopology(host.root); });
  after(() => host.cleanup());

  it('shrinks the shared pool while a container owns a CPU and grows it back on release', () => {
    const p = new ResourcePools(topo, config);
    assert.deepEqual(p.sharedCpus(), [0, 1]);
    assert.deepEqual(p.assignableCpus(), [1]);
    assert.deepEqual(p.admit({ containerId: 'a', exclusiveCpus: 1, memoryGuaranteed: 2 * GiB }), { containerId: 'a', cpus: [1], memoryGuaranteed: 2 * GiB });
    assert.deepEqual(p.sharedCpus(), [0]);
    assert.deepEqual(p.assignableCpus(), []);
    assert.deepEqual(p.snapshot().memory, { total: 8 * GiB, reserve: GiB, allocatable: 7 * GiB, guaranteed: 2 * GiB, free: 5 * GiB });
    assert.deepEqual(p.get('a')?.cpus, [1]);
    assert.deepEqual(p.release('a')?.cpus, [1]);
    assert.equal(p.release('a'), undefined);
    assert.deepEqual(p.sharedCpus(), [0, 1]);
    assert.equal(p.snapshot().memory.guaranteed, 0);
  });

  it('refuses with a one-line error naming the resource, the ask and what is free, and changes nothing', () => {
    const p = new ResourcePools(topo, config);
    p.admit({ containerId: 'a', exclusiveCpus: 1, memoryGuaranteed: 5.5 * GiB });
    const before = p.snapshot();
    assert.throws(() => p.admit({ containerId: 'b', exclusiveCpus: 1 }), (e: Error) =>
      e instanceof ConflictError && e.message === 'not enough CPUs for --cpus-exclusive 1: 0 free (no CPUs)');
    assert.throws(() => p.admit({ containerId: 'b', memoryGuaranteed: 2 * GiB }), (e: Error) =>
      e instanceof ConflictError && e.message === 'not enough memory for --memory-guaranteed 2GiB: 1.5GiB of 7GiB allocatable is free');
    assert.throws(() => p.admit({ containerId: 'b', exclusiveCpus: 2 }), (e: Error) =>
      e instanceof InvalidArgumentError && /--cpus-exclusive 2 can never fit: the host has 1 assignable CPUs \(2 online, 1 reserved\)/.test(e.message));
    assert.throws(() => p.admit({ containerId: 'b', memoryGuaranteed: 8 * GiB }), InvalidArgumentError);
    assert.throws(() => p.admit({ containerId: 'a' }), /container a already holds an allocation/);
    assert.throws(() => p.admit({ containerId: 'b', exclusiveCpus: 1.5 }), InvalidArgumentError);
    assert.throws(() => p.admit({ containerId: 'b', memoryGuaranteed: -1 }), InvalidArgumentError);
    assert.deepEqual(p.snapshot(), before);
  });

  it('prints near-equal sizes in bytes rather than a misleading rounded figure', () => {
    const p = new ResourcePools(topo, config);
    p.admit({ containerId: 'a', memoryGuaranteed: 5 * GiB + 1 });
    assert.throws(() => p.admit({ containerId: 'b', memoryGuaranteed: 2 * GiB }), /--memory-guaranteed 2147483648B: 2147483647B of 7GiB/);
    assert.equal(formatBytes(512 * 1024 ** 2), '512MiB');
  });

  it('skips CPUs the caller reports as pinned by explicit cpusets', () => {
    const p = new ResourcePools(topo, config);
    assert.throws(() => p.admit({ containerId: 'a', exclusiveCpus: 1 }, { unavailable: [1] }),
      /not enough CPUs for --cpus-exclusive 1: 0 free \(no CPUs\); 1 more pinned by explicit cpusets/);
    assert.equal(p.get('a'), undefined);
  });

  it('refuses a bad configuration', () => {
    assert.throws(() => new ResourcePools(topo, { ...config, reservedCpus: [] }), /at least one CPU/);
    assert.throws(() => new ResourcePools(topo, { ...config, reservedCpus: [5] }), /reserved cpu 5 not online/);
    assert.throws(() => new ResourcePools(topo, { ...config, memoryReserve: 8 * GiB }), /leaves nothing allocatable/);
    const all = new ResourcePools(topo, { ...config, reservedCpus: [0, 1] });
    assert.throws(() => all.admit({ containerId: 'a', exclusiveCpus: 1 }), InvalidArgumentError);
    assert.deepEqual(all.admit({ containerId: 'a', memoryGuaranteed: GiB }).cpus, []);
  });
});

describe('ResourcePools with fullPhysicalCores (dual socket SMT2)', () => {
  it('refuses odd requests clearly and hands out whole cores', () => {
    const host = writeFakeHost(HOSTS[1]!);
    try {
      const p = new ResourcePools(readTopology(host.root), { reservedCpus: [0, 8], memoryReserve: GiB, fullPhysicalCores: true });
      assert.throws(() => p.admit({ containerId: 'a', exclusiveCpus: 3 }), (e: Error) =>
        e instanceof InvalidArgumentError && /--cpus-exclusive 3 would split a physical core: .* multiple of 2/.test(e.message));
      assert.deepEqual(p.admit({ containerId: 'a', exclusiveCpus: 2 }).cpus, [1, 9]);
      assert.deepEqual(p.admit({ containerId: 'b', exclusiveCpus: 8 }).cpus, [4, 5, 6, 7, 12, 13, 14, 15]);
      assert.throws(() => p.admit({ containerId: 'c', exclusiveCpus: 6 }, { unavailable: [2] }),
        /not enough whole physical cores for --cpus-exclusive 6: 3 free \(cpus 3,10-11\); 1 more pinned/);
    } finally {
      host.cleanup();
    }
  });
});

describe('ResourcePools.restore', () => {
  let host: FakeHost;
  let topo: Topology;
  const config: AllocatorConfig = { reservedCpus: [0, 8], memoryReserve: GiB, fullPhysicalCores: false };
  before(() => { host = writeFakeHost(HOSTS[1]!); topo = readTopology(host.root); });
  after(() => host.cleanup());
  const fresh = (): ResourcePools => new ResourcePools(topo, config);
  const a = (containerId: string, cpus: number[], memoryGuaranteed = 0) => ({ containerId, cpus, memoryGuaranteed });

  it('replaces the allocations with a consistent state', () => {
    const p = fresh();
    p.admit({ containerId: 'old', exclusiveCpus: 4 });
    p.restore([a('x', [3, 1]), a('y', [], 2 * GiB)]);
    assert.equal(p.get('old'), undefined);
    assert.deepEqual(p.get('x')?.cpus, [1, 3]);
    assert.deepEqual(p.snapshot().memoryOnly, [a('y', [], 2 * GiB)]);
    assert.ok(!p.sharedCpus().includes(1));
    // What was restored counts: no overcommit after a restart.
    assert.throws(() => p.admit({ containerId: 'z', memoryGuaranteed: 30 * GiB }), /not enough memory .* 29GiB of 31GiB allocatable is free/);
  });

  const bad: [string, ReturnType<typeof a>[], RegExp][] = [
    ['a CPU owned twice', [a('x', [1, 2]), a('y', [2])], /containers x and y both own cpu 2/],
    ['a reserved CPU', [a('x', [8, 9])], /container x owns reserved cpu 8/],
    ['an offline CPU', [a('x', [99])], /container x owns cpu 99, not online/],
    ['guarantees above allocatable', [a('x', [], 20 * GiB), a('y', [1], 12 * GiB)], /guarantees add up to 32GiB, above the 31GiB allocatable \(containers x, y\)/],
    ['one container twice', [a('x', [1]), a('x', [2])], /container x has more than one allocation/],
    ['a negative guarantee', [a('x', [], -5)], /container x has an invalid memory guarantee/],
  ];
  for (const [what, state, message] of bad) {
    it(`rejects ${what} and keeps the current allocations`, () => {
      const p = fresh();
      p.admit({ containerId: 'kept', exclusiveCpus: 1 });
      assert.throws(() => p.restore(state), (e: Error) => e instanceof StateInvalidError && message.test(e.message));
      assert.deepEqual(p.list().map((x) => x.containerId), ['kept']);
    });
  }
});
