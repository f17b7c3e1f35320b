// readTopology on fake sysfs trees (checked against the layout each was written from) and on the real host;
// the CPU list format both ways.
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/index.js';
import { defaultReservedCpus, domainLevels, formatCpuList, parseCpuList, readTopology } from '../../src/resources/index.js';
import { HOSTS, writeFakeHost, type FakeHost } from './fake-sysfs.js';

describe('CPU lists', () => {
  it('parses and formats the kernel format', () => {
    assert.deepEqual(parseCpuList('0-3,7\n'), [0, 1, 2, 3, 7]);
    assert.deepEqual(parseCpuList(' 5, 1-2,2 '), [1, 2, 5]);
    assert.deepEqual(parseCpuList(''), []);
    assert.equal(formatCpuList([7, 0, 1, 2, 3]), '0-3,7');
    assert.equal(formatCpuList([0, 2, 4, 5]), '0,2,4-5');
    assert.equal(formatCpuList([]), '');
    for (const bad of ['a', '3-1', '1,,2', '-1', '1-', '0-999999', '1.5']) {
      assert.throws(() => parseCpuList(bad), InvalidArgumentError, bad);
    }
  });
});

describe('readTopology on fake sysfs trees', () => {
  const hosts: FakeHost[] = [];
  after(() => hosts.forEach((h) => h.cleanup()));

  for (const spec of HOSTS) {
    it(`describes ${spec.name} as it was laid out`, () => {
      const host = writeFakeHost(spec);
      hosts.push(host);
      const topo = readTopology(host.root);
      assert.deepEqual(topo.cpus.map((c) => c.id), host.online);
      for (const t of host.truth) {
        const c = topo.cpus.find((x) => x.id === t.id)!;
        assert.equal(c.socket, t.socket, `socket of cpu ${t.id}`);
        assert.equal(c.core, t.core, `core of cpu ${t.id}`);
        assert.equal(c.numa, spec.noNumaDir ? 0 : t.numa, `node of cpu ${t.id}`);
      }
      assert.equal(topo.smtWidth, spec.smt);
      assert.equal(topo.memTotal, host.memTotal);
      const nodes = spec.noNumaDir ? 1 : spec.sockets * spec.nodesPerSocket;
      assert.equal(topo.numaNodes.length, nodes);
      assert.deepEqual(topo.numaNodes.flatMap((n) => n.cpus).sort((a, b) => a - b), host.online);
      assert.equal(topo.numaNodes.reduce((s, n) => s + n.memTotal, 0), host.memTotal);
      const l3 = topo.caches.filter((c) => c.level === 3);
      assert.equal(l3.length, spec.sockets * spec.llcsPerSocket);
      for (const cache of l3) {
        const llc = host.truth.find((t) => t.id === cache.cpus[0])!.llc;
        assert.deepEqual(cache.cpus, host.truth.filter((t) => t.llc === llc).map((t) => t.id));
        assert.equal(cache.sizeBytes, 32 * 1024 * 1024);
        assert.equal(cache.id, spec.noCacheId ? cache.cpus[0] : llc);
      }
      const cores = new Set(host.truth.map((t) => t.core)).size;
      assert.equal(topo.caches.filter((c) => c.level === 1).length, 2 * cores);
      if (spec.hierarchy[1] === 'llc') assert.deepEqual(domainLevels(topo).map((l) => l.kind), ['socket', 'llc', 'numa', 'core']);
      assert.deepEqual(defaultReservedCpus(topo), host.truth.filter((t) => t.core === host.truth[0]!.core).map((t) => t.id));
    });
  }

  it('names the missing file when the tree is not a sysfs', () => {
    assert.throws(() => readTopology('/tmp/bh-test-alloc-does-not-exist'), /online does not exist/);
  });
});

describe('readTopology on this host', () => {
  it('is consistent with the kernel and with Node', () => {
    const topo = readTopology();
    const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
    assert.deepEqual(topo.cpus.map((c) => c.id), online);
    assert.equal(topo.memTotal, totalmem());
    assert.ok(topo.smtWidth >= 1 && online.length % topo.smtWidth === 0);
    assert.deepEqual(topo.numaNodes.flatMap((n) => n.cpus).sort((a, b) => a - b), online);
    for (const c of topo.cpus) {
      assert.ok(topo.cpus.some((o) => o.id === c.core && o.core === c.core), `core key ${c.core} is a CPU of that core`);
      assert.ok(topo.numaNodes.some((n) => n.id === c.numa && n.cpus.includes(c.id)));
    }
    const llcs = topo.caches.filter((c) => c.type !== 'Instruction' && c.level === Math.max(...topo.caches.map((x) => x.level)));
    if (topo.caches.length > 0) {
      assert.deepEqual(llcs.flatMap((c) => c.cpus).sort((a, b) => a - b), online, 'every CPU has exactly one LLC');
    }
    assert.ok(defaultReservedCpus(topo).includes(online[0]!));
  });
});
