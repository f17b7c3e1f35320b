// The cgroup v2 side, which this (v1) host cannot run: paths and counters read from a fake cgroupfs tree that
// looks like a v2 host running one container. Plus the counter parsers both versions share.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { cgroupDirsForPath, containerCgroupsPath, processCgroupDirs } from '../../src/sys/cgroup-paths.js';
import { parseBlkioServiceBytes, parseIoStat, parseNetDev, readCgroupUsage, readNetUsage, readV1Usage } from '../../src/sys/cgroup-stats.js';
import { errorKind } from '../../src/core/index.js';
import { MOUNTINFO, fakeHost } from '../sys/fake-host.js';

const ID = 'c0ffee'.padEnd(64, '0');
const CG = `sys/fs/cgroup/bulkhead/${ID}`;

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  999999      10    0    0    0     0          0         0   999999      10    0    0    0     0       0          0
  eth0:    1500      12    0    0    0     0          0         0      700       8    0    0    0     0       0          0
  eth1:     500       2    0    0    0     0          0         0      300       1    0    0    0     0       0          0
`;

describe('cgroup v2 on a fake tree', () => {
  const roots: string[] = [];
  after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  async function v2Host(extra: Record<string, string> = {}): Promise<string> {
    const root = await fakeHost({
      'proc/self/mountinfo': MOUNTINFO.v2,
      'proc/4242/cgroup': `0::/bulkhead/${ID}\n`,
      'proc/4242/net/dev': NET_DEV,
      [`${CG}/cpu.stat`]: 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 10\n',
      [`${CG}/memory.current`]: '10485760\n',
      [`${CG}/memory.max`]: '67108864\n',
      [`${CG}/memory.stat`]: 'anon 4194304\nfile 6291456\nactive_file 2097152\ninactive_file 4194304\n',
      [`${CG}/pids.current`]: '7\n',
      [`${CG}/pids.max`]: '2048\n',
      [`${CG}/io.stat`]: '254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:0 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
      ...extra,
    });
    roots.push(root);
    return root;
  }

  it('maps a cgroupsPath to one directory under the cgroup2 mount', async () => {
    const root = await v2Host();
    assert.deepEqual(cgroupDirsForPath(containerCgroupsPath(ID), root), { version: 2, dir: `${root}/${CG}` });
    assert.deepEqual(cgroupDirsForPath(containerCgroupsPath(ID, '/machine/ours'), root), { version: 2, dir: `${root}/sys/fs/cgroup/machine/ours/${ID}` });
  });

  it('finds a process cgroup from /proc/<pid>/cgroup', async () => {
    const root = await v2Host();
    assert.deepEqual(processCgroupDirs(4242, root), { version: 2, dir: `${root}/${CG}` });
    assert.throws(() => processCgroupDirs(999, root), (e) => errorKind(e) === 'NotFound');
  });

  it('reads cpu, memory (without inactive file cache), pids and io counters', async () => {
    const root = await v2Host();
    const usage = await readCgroupUsage(processCgroupDirs(4242, root));
    assert.deepEqual(usage, {
      cpuUsageNs: 2_500_000_000, memoryUsage: 10485760 - 4194304, memoryLimit: 67108864, pids: 7, pidsLimit: 2048,
      blockRead: 4196, blockWrite: 8192,
    });
  });

  it('reports "max" as no limit (0)', async () => {
    const root = await v2Host({ [`${CG}/memory.max`]: 'max\n', [`${CG}/pids.max`]: 'max\n' });
    const usage = await readCgroupUsage(processCgroupDirs(4242, root));
    assert.equal(usage.memoryLimit, 0);
    assert.equal(usage.pidsLimit, 0);
  });

  it('reads network counters of the namespace, loopback excluded', async () => {
    const root = await v2Host();
    assert.deepEqual(await readNetUsage(4242, root), { rx: 2000, tx: 1000 });
  });

  it('refuses a cgroup parent that is not a clean absolute path', () => {
    for (const bad of ['bulkhead', '/a/../b', '/a//b', '/']) {
      assert.throws(() => containerCgroupsPath(ID, bad), (e) => errorKind(e) === 'InvalidArgument', bad);
    }
  });
});

describe('cgroup counter parsers', () => {
  it('sums v1 blkio service bytes over devices, ignoring totals', () => {
    const text = '254:0 Read 4096\n254:0 Write 100\n254:0 Sync 0\n254:0 Total 4196\n8:0 Read 4\n8:0 Write 6\nTotal 4206\n';
    assert.deepEqual(parseBlkioServiceBytes(text), { read: 4100, write: 106 });
  });

  it('sums v2 io.stat over devices', () => {
    assert.deepEqual(parseIoStat('8:0 rbytes=1 wbytes=2 rios=3\n8:16 rbytes=10 wbytes=20\n'), { read: 11, write: 22 });
    assert.deepEqual(parseIoStat(''), { read: 0, write: 0 });
  });

  it('parses /proc/net/dev', () => {
    assert.deepEqual(parseNetDev(NET_DEV), { rx: 2000, tx: 1000 });
  });

  it('v1 reader: missing controllers read as zero, an unlimited memory limit as 0', async () => {
    const root = await fakeHost({
      'memory/memory.usage_in_bytes': '5000\n', 'memory/memory.limit_in_bytes': '9223372036854771712\n',
      'memory/memory.stat': 'cache 3000\ntotal_inactive_file 1000\n',
    });
    try {
      const usage = await readV1Usage({ memory: `${root}/memory` });
      assert.deepEqual(usage, { cpuUsageNs: 0, memoryUsage: 4000, memoryLimit: 0, pids: 0, pidsLimit: 0, blockRead: 0, blockWrite: 0 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
