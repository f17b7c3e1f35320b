// The engine's allocator without containers: what a container asks for under each memory policy, the records it
// leaves in the state store, the refusal of a user pinning onto another's exclusive CPUs, and the restore of a
// state that would overcommit. Topology from a fake sysfs (dual socket, SMT2); no cgroup is written.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind, initialState, type ContainerRecord, type ResourceLimits } from '../../src/core/index.js';
import { MemoryStateStore } from '../../src/state/memory/store.js';
import { AllocationRuntime } from '../../src/engine/allocation/index.js';
import { HOSTS, writeFakeHost } from '../allocator/fake-sysfs.js';
import { containerConfig } from '../state/state-suite.js';

const GiB = 1024 ** 3;
const host = writeFakeHost(HOSTS[1]!);   // 2 sockets × 4 cores × 2 threads, 16 GiB a node

function record(id: string, resources: ResourceLimits): ContainerRecord {
  return { name: `c-${id}`, config: { ...containerConfig(id.padEnd(64, '0')), resources }, state: initialState() };
}

function runtime(opts: { memoryLimitsAreGuarantees?: boolean } = {}) {
  const state = new MemoryStateStore();
  return { state, alloc: new AllocationRuntime(state, { hostRoot: host.root, memoryReserve: GiB, ...opts }) };
}

describe('engine allocation runtime', () => {
  after(() => host.cleanup());

  it('reserves the lowest core and gives exclusive CPUs from one core, recording them', () => {
    const { state, alloc } = runtime();
    assert.deepEqual(alloc.pools.snapshot().reservedCpus, [0, 8]);
    const r = record('a', { cpusExclusive: 2, memoryGuaranteed: 2 * GiB });
    const got = alloc.admit(r);
    assert.equal(got.placement.kind, 'exclusive');
    assert.equal(got.cpuset, '1,9', 'both threads of the next core');
    assert.deepEqual(state.listAllocations(), [{ containerId: r.config.id, cpus: [1, 9], memoryGuaranteed: 2 * GiB }]);
    assert.equal(alloc.admit(record('b', {})).cpuset, '0,2-8,10-15', 'the shared pool, reserved CPUs included');
    alloc.release(r.config.id);
    assert.deepEqual(state.listAllocations(), []);
    assert.equal(alloc.pools.sharedCpus().length, 16);
  });

  it('counts --memory as a guarantee only under memoryLimitsAreGuarantees', () => {
    const limited = record('m', { memory: 4 * GiB });
    const plain = runtime();
    plain.alloc.admit(limited);
    assert.equal(plain.alloc.pools.memory().guaranteed, 0);
    const strict = runtime({ memoryLimitsAreGuarantees: true });
    strict.alloc.admit(limited);
    assert.equal(strict.alloc.pools.memory().guaranteed, 4 * GiB);
    assert.throws(() => strict.alloc.admit(record('n', { memory: 30 * GiB })), (e: unknown) =>
      errorKind(e) === 'Conflict' && /not enough memory for --memory-guaranteed/.test((e as Error).message));
  });

  it('refuses to pin onto exclusive CPUs and keeps pinned CPUs out of exclusive choices', () => {
    const { state, alloc } = runtime();
    const x = record('x', { cpusExclusive: 2 });
    state.addContainer(x.name, x.config, x.state);   // refusals name the owner from its record
    alloc.admit(x);
    assert.throws(() => alloc.admit(record('p', { cpusetCpus: '9' })), /cpu 9 is owned exclusively by container c-x/);
    alloc.admit(record('q', { cpusetCpus: '2-7' }));
    const next = alloc.admit(record('y', { cpusExclusive: 2 }));
    assert.ok(next.placement.kind === 'exclusive' && next.placement.cpus.every((c) => c < 2 || c > 7), next.cpuset);
  });

  it('refuses to restore a state that would overcommit', () => {
    const { alloc } = runtime();
    assert.throws(() => alloc.pools.restore([
      { containerId: 'a', cpus: [1], memoryGuaranteed: 0 }, { containerId: 'b', cpus: [1], memoryGuaranteed: 0 },
    ]), (e: unknown) => errorKind(e) === 'StateInvalid');
  });
});
