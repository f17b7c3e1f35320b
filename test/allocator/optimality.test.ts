// takeCpus against a brute-force optimum on every fake host of ≤16 CPUs: over every subset of the available
// CPUs of the asked size, the fewest domains used at each level of the true hierarchy (biggest first), then the
// fewest physical cores. The allocator must match it exactly, never split a core with fullPhysicalCores, and
// refuse exactly when no subset exists. Plus a few kubelet-style expectations spelled out by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError } from '../../src/core/index.js';
import { readTopology, takeCpus, type Topology } from '../../src/resources/index.js';
import { HOSTS, writeFakeHost, type FakeHost } from './fake-sysfs.js';
import { Prng } from './prng.js';

const TRIALS = 150;

function popcount(m: number): number {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
}

/** Bit masks (over the index of each online CPU) of the groups at each level, then of the cores. */
function groupMasks(host: FakeHost): number[][] {
  const bit = new Map(host.online.map((c, i) => [c, 1 << i]));
  const keyed = (key: (t: FakeHost['truth'][number]) => number): number[] => {
    const m = new Map<number, number>();
    for (const t of host.truth) m.set(key(t), (m.get(key(t)) ?? 0) | bit.get(t.id)!);
    return [...m.values()];
  };
  return [...host.spec.hierarchy.map((l) => keyed((t) => t[l])), keyed((t) => t.core)];
}

function costOf(mask: number, levels: number[][]): number[] {
  return levels.map((groups) => groups.filter((g) => (g & mask) !== 0).length);
}

const lexLess = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
};

/** The cheapest cost over every subset of avail with n CPUs (only unions of whole cores if fullCores). */
function bruteForce(avail: number, n: number, levels: number[][], fullCores: boolean): number[] | undefined {
  const cores = levels[levels.length - 1]!;
  let best: number[] | undefined;
  for (let s = avail; ; s = (s - 1) & avail) {
    if (popcount(s) === n && (!fullCores || cores.every((c) => (c & s) === 0 || (c & s) === c))) {
      const cost = costOf(s, levels);
      if (!best || lexLess(cost, best)) best = cost;
    }
    if (s === 0) break;
  }
  return best;
}

describe('takeCpus matches a brute-force optimum on hosts of ≤16 CPUs', () => {
  const hosts = HOSTS.filter((h) => h.sockets * h.coresPerSocket * h.smt <= 16).map(writeFakeHost);
  after(() => hosts.forEach((h) => h.cleanup()));

  for (const host of hosts) {
    for (const fullCores of [false, true]) {
      it(`${host.spec.name}${fullCores ? ', fullPhysicalCores' : ''}`, () => {
        const topo = readTopology(host.root);
        const levels = groupMasks(host);
        const rng = new Prng(0xb0b + host.online.length * 7 + (fullCores ? 1 : 0));
        let solved = 0;
        for (let trial = 0; trial < TRIALS; trial++) {
          const pTaken = rng.next() * 0.7;
          const available = host.online.filter(() => !rng.chance(pTaken));
          if (available.length === 0) continue;
          const n = fullCores ? topo.smtWidth * rng.int(1, Math.ceil(available.length / topo.smtWidth)) : rng.int(1, available.length);
          const availMask = available.reduce((m, c) => m | (1 << host.online.indexOf(c)), 0);
          const best = bruteForce(availMask, n, levels, fullCores);
          const what = `take ${n} of ${available.join(',')}`;
          if (!best) {
            assert.throws(() => takeCpus(topo, available, n, { fullPhysicalCores: fullCores }), ConflictError, what);
            continue;
          }
          const got = takeCpus(topo, available, n, { fullPhysicalCores: fullCores });
          assert.equal(got.length, n, what);
          assert.ok(got.every((c) => available.includes(c)), `${what}: took an unavailable CPU`);
          const mask = got.reduce((m, c) => m | (1 << host.online.indexOf(c)), 0);
          if (fullCores) {
            const split = levels[levels.length - 1]!.filter((c) => (c & mask) !== 0 && (c & mask) !== c);
            assert.equal(split.length, 0, `${what}: split a core`);
          }
          assert.deepEqual(costOf(mask, levels), best, `${what}: got ${got.join(',')}`);
          solved++;
        }
        assert.ok(solved > TRIALS / 3, `only ${solved} trials had a solution`);
      });
    }
  }
});

describe('takeCpus picks like kubelet (dual socket SMT2: socket 0 = 0-3,8-11)', () => {
  let host: FakeHost;
  let topo: Topology;
  before(() => { host = writeFakeHost(HOSTS[1]!); topo = readTopology(host.root); });
  after(() => host.cleanup());
  const all = Array.from({ length: 16 }, (_, i) => i);
  const take = (avail: number[], n: number, full = false): number[] => takeCpus(topo, avail, n, { fullPhysicalCores: full });

  it('takes a whole socket when the request is that big, then whole cores, then threads', () => {
    assert.deepEqual(take(all, 8), [0, 1, 2, 3, 8, 9, 10, 11]);
    assert.deepEqual(take(all, 2), [0, 8]);
    assert.deepEqual(take(all, 10), [0, 1, 2, 3, 4, 8, 9, 10, 11, 12]);
  });

  it('packs the fullest socket and the partly used core first', () => {
    // Socket 0 is fuller; cores 0 and 1 have one thread left each (8 and 1); cores 2 and 3 are whole.
    const avail = all.filter((c) => c !== 0 && c !== 9);
    assert.deepEqual(take(avail, 1), [1]);
    assert.deepEqual(take(avail.filter((c) => c !== 1), 1), [8]);
    assert.deepEqual(take(avail, 2), [2, 10]);
    // Six CPUs fit in either socket; socket 1 does it with three whole cores where socket 0 would need four.
    assert.deepEqual(take(avail, 6), [4, 5, 6, 12, 13, 14]);
    assert.deepEqual(take(avail, 4), [2, 3, 10, 11]);
  });

  it('is deterministic and refuses clearly', () => {
    assert.deepEqual(take(all.slice().reverse(), 5), take(all, 5));
    assert.throws(() => take([1, 2], 3), /cannot take 3 CPUs: only 2 available \(cpus 1-2\)/);
    assert.throws(() => take([0, 1, 2, 8], 4, true), /whole physical cores: 2 CPUs in whole free cores \(cpus 0,8\)/);
    assert.deepEqual(take(all, 0), []);
  });
});

describe('takeCpus on 64 CPUs', () => {
  it('is fast and stays in one NUMA node when it can', () => {
    const host = writeFakeHost(HOSTS[4]!);
    try {
      const topo = readTopology(host.root);
      const all = host.online;
      const started = Date.now();
      for (let n = 1; n <= 64; n++) takeCpus(topo, all, n, { fullPhysicalCores: false });
      assert.ok(Date.now() - started < 3000, 'took too long');
      const got = takeCpus(topo, all, 16, { fullPhysicalCores: true });
      const nodes = new Set(got.map((c) => topo.cpus.find((x) => x.id === c)!.numa));
      assert.equal(nodes.size, 1);
    } finally {
      host.cleanup();
    }
  });
});
