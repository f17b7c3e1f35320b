// Thousands of seeded random admit/release sequences on every fake host, with and without fullPhysicalCores.
// After every step: no CPU owned twice, no reserved CPU handed out, shared = online − exclusive ⊇ reserved,
// guarantees ≤ allocatable, no split core with fullPhysicalCores, and every verdict equal to the oracle's
// (0 false accepts, 0 false rejects). Every 100 steps the pools are rebuilt through restore(), as at a daemon
// restart. The same seed must give the same trace.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { errorKind } from '../../src/core/index.js';
import { ResourcePools, defaultReservedCpus, readTopology, type AllocatorConfig, type Topology } from '../../src/resources/index.js';
import { HOSTS, writeFakeHost, type FakeHost } from './fake-sysfs.js';
import { expectVerdict, freeCpus, type OracleState } from './oracle.js';
import { Prng } from './prng.js';

const STEPS = 1000;
const MiB = 1024 ** 2;

function checkInvariants(pools: ResourcePools, s: OracleState): void {
  const snap = pools.snapshot();
  const online = s.topo.cpus.map((c) => c.id);
  const owned = snap.exclusive.flatMap((a) => a.cpus);
  assert.equal(new Set(owned).size, owned.length, 'a CPU is owned twice');
  assert.ok(owned.every((c) => !s.reserved.has(c)), 'a reserved CPU is owned');
  assert.deepEqual([...owned, ...snap.sharedCpus].sort((a, b) => a - b), online, 'shared + exclusive ≠ online');
  assert.ok([...s.reserved].every((c) => snap.sharedCpus.includes(c)), 'reserved not in shared');
  assert.ok(snap.memory.guaranteed <= snap.memory.allocatable, 'guarantees above allocatable');
  assert.equal(snap.memory.free, snap.memory.allocatable - snap.memory.guaranteed);
  if (s.fullCores) {
    for (const a of snap.exclusive) {
      const cores = new Set(a.cpus.map((c) => s.topo.cpus.find((x) => x.id === c)!.core));
      const threads = s.topo.cpus.filter((c) => cores.has(c.core)).map((c) => c.id);
      assert.deepEqual(threads, a.cpus, `${a.containerId} splits a core`);
    }
  }
  const model = [...s.held].map(([id, h]) => ({ containerId: id, cpus: h.cpus, memoryGuaranteed: h.mem }));
  assert.deepEqual(pools.list(), model.sort((a, b) => (a.containerId < b.containerId ? -1 : 1)), 'pools differ from the model');
}

/** Runs one seeded sequence and returns its trace (every verdict and allocation), checking as it goes. */
function runSequence(topo: Topology, fullCores: boolean, seed: number): string[] {
  const rng = new Prng(seed);
  const online = topo.cpus.map((c) => c.id);
  const config: AllocatorConfig = { reservedCpus: defaultReservedCpus(topo), memoryReserve: 1024 * MiB, fullPhysicalCores: fullCores };
  let pools = new ResourcePools(topo, config);
  const s: OracleState = { topo, reserved: new Set(config.reservedCpus), allocatable: topo.memTotal - config.memoryReserve, fullCores, held: new Map() };
  const trace: string[] = [];
  let next = 0;
  for (let step = 0; step < STEPS; step++) {
    const ids = [...s.held.keys()];
    if (ids.length > 0 && rng.chance(0.35)) {
      const id = rng.chance(0.9) ? rng.pick(ids) : 'never-admitted';
      const released = pools.release(id);
      assert.deepEqual(released && { cpus: released.cpus, mem: released.memoryGuaranteed }, s.held.get(id));
      assert.equal(pools.release(id), undefined, 'release is idempotent');
      s.held.delete(id);
      trace.push(`release ${id}`);
    } else {
      const id = ids.length > 0 && rng.chance(0.05) ? rng.pick(ids) : `c${next++}`;
      const maxCpus = Math.max(2, Math.ceil((online.length - s.reserved.size) / 3));
      const n = rng.chance(0.03) ? online.length : rng.chance(0.3) ? 0 : rng.int(1, maxCpus);
      const mem = rng.chance(0.4) ? 0 : rng.chance(0.02) ? s.allocatable + 1 : rng.int(1, Math.floor(s.allocatable / (256 * MiB) / 3)) * 256 * MiB;
      const unavailable = rng.chance(0.2) ? Array.from({ length: rng.int(1, 3) }, () => rng.pick(online)) : [];
      const req = { containerId: id, exclusiveCpus: n, memoryGuaranteed: mem };
      const expected = expectVerdict(s, req, unavailable);
      const free = freeCpus(s, unavailable);
      let got: string;
      try {
        const a = pools.admit(req, { unavailable });
        assert.equal(expected.verdict, 'accept', `false accept of ${JSON.stringify(req)}`);
        assert.equal(a.cpus.length, n);
        assert.ok(a.cpus.every((c) => free.includes(c)), `took a CPU that was not free: ${a.cpus}`);
        assert.equal(a.memoryGuaranteed, mem);
        s.held.set(id, { cpus: a.cpus, mem });
        got = `admit ${id} ${a.cpus.join(',')} ${mem}`;
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        const msg = (err as Error).message;
        assert.equal(errorKind(err), expected.verdict, `${JSON.stringify(req)} unavailable=${unavailable}: ${msg}`);
        if (expected.resource === 'memory') assert.match(msg, /--memory-guaranteed .*(free|allocatable)/);
        if (expected.resource === 'CPUs') assert.match(msg, /--cpus-exclusive \d+/);
        assert.ok(!msg.includes('\n'), 'one-line message');
        got = `refuse ${id}: ${msg}`;
      }
      trace.push(got);
    }
    checkInvariants(pools, s);
    if (step % 100 === 99) {
      // A daemon restart: a fresh allocator restored from what was persisted must be identical.
      const before = pools.snapshot();
      const persisted = JSON.parse(JSON.stringify(pools.list().reverse()));
      pools = new ResourcePools(topo, config);
      pools.restore(persisted);
      assert.deepEqual(pools.snapshot(), before);
    }
  }
  return trace;
}

describe('random allocate/release sequences', () => {
  const hosts: FakeHost[] = [];
  after(() => hosts.forEach((h) => h.cleanup()));
  let total = 0;

  for (const spec of HOSTS) {
    for (const fullCores of [false, true]) {
      it(`${spec.name}${fullCores ? ', fullPhysicalCores' : ''}: ${STEPS} steps, invariants and oracle`, () => {
        const host = writeFakeHost(spec);
        hosts.push(host);
        const seed = 1000 + HOSTS.indexOf(spec) * 2 + (fullCores ? 1 : 0);
        const trace = runSequence(readTopology(host.root), fullCores, seed);
        total += trace.length;
        assert.ok(trace.filter((t) => t.startsWith('admit')).length > STEPS / 10, 'too few admissions to mean anything');
        assert.ok(trace.some((t) => t.startsWith('refuse')), 'no refusal exercised');
        // Determinism: the same seed on a topology read afresh gives the very same trace.
        assert.deepEqual(runSequence(readTopology(host.root), fullCores, seed), trace);
      });
    }
  }

  it('ran at least 10k operations', () => assert.ok(total >= 10_000, `${total}`));
});
