// Validation, flag parsing and spec generation of resource limits, without containers. Host facts come from a
// fake tree (4 CPUs, 2 memory nodes, known rlimits) so the answers do not depend on this machine.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { errorKind, type ResourceLimits } from '../../src/core/index.js';
import { DEFAULT_PIDS_LIMIT, validateResources } from '../../src/engine/validate-resources.js';
import { parseThrottle, parseUlimit, resourcesFromFlags } from '../../src/cli/flags/resources.js';
import { buildResources, limitResources, mergeRlimits } from '../../src/specgen/resources.js';
import { setShmSize, defaultMounts } from '../../src/specgen/mounts.js';
import { blockDeviceNumbers, blockWeightRefusal, hostRlimits, parseCpuList } from '../../src/sys/cgroup-host.js';
import { normalizeCgroupParent } from '../../src/sys/cgroup-paths.js';
import { formatDeviceCgroupRule, parseDeviceCgroupRule } from '../../src/security/index.js';
import { MOUNTINFO, fakeHost } from '../sys/fake-host.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max core file size        0                    unlimited            bytes
Max processes             4000                 5000                 processes
Max open files            1024                 4096                 files
`;

let root: string;
before(async () => {
  root = await fakeHost({
    'sys/devices/system/cpu/online': '0-3\n', 'sys/devices/system/node/online': '0-1\n', 'proc/self/limits': LIMITS,
  });
});
after(() => rm(root, { recursive: true, force: true }));

const v = (r: ResourceLimits, defaults = true) => validateResources(r, { hostRoot: root, defaults });
const MiB = 1024 * 1024;

function refuses(r: ResourceLimits, mentions: RegExp): void {
  assert.throws(() => v(r), (e: unknown) => {
    assert.equal(errorKind(e), 'InvalidArgument', String(e));
    const msg = (e as Error).message;
    assert.doesNotMatch(msg, /\n/, 'one line');
    assert.match(msg, mentions);
    return true;
  });
}

describe('validateResources', () => {
  it('adds the default pids limit and normalises "unlimited"', () => {
    assert.equal(v({}).pidsLimit, DEFAULT_PIDS_LIMIT);
    assert.equal(v({}, false).pidsLimit, undefined);
    assert.equal(v({ pidsLimit: 0 }).pidsLimit, -1);
    assert.equal(v({ pidsLimit: -1 }).pidsLimit, -1);
    assert.equal(v({ pidsLimit: 50 }).pidsLimit, 50);
  });

  it('accepts a full set of good values', () => {
    const r = v({ memory: 64 * MiB, memoryReservation: 32 * MiB, memorySwap: -1, cpus: 3.5, cpuShares: 512, cpusetCpus: '0-1,3',
      cpusetMems: '1', blkioWeight: 10, oomScoreAdj: -1000, shmSize: MiB, ulimits: [{ name: 'NOFILE', soft: 10, hard: 4096 }] });
    assert.equal(r.cpusetCpus, '0-1,3');
    assert.deepEqual(r.ulimits, [{ name: 'nofile', soft: 10, hard: 4096 }]);
    assert.equal(v({ ulimits: [{ name: 'cpu', soft: 1, hard: 2 ** 40 }] }).ulimits?.[0]?.hard, 2 ** 40, 'host hard unlimited');
  });

  it('refuses each bad value naming the flag', () => {
    refuses({ cpuShares: 1 }, /--cpu-shares 1: must be between 2/);
    refuses({ cpuPeriod: 999 }, /--cpu-period/);
    refuses({ cpuPeriod: 1_000_001 }, /--cpu-period/);
    refuses({ cpuQuota: 999 }, /--cpu-quota 999/);
    refuses({ blkioWeight: 1001 }, /--blkio-weight/);
    refuses({ memory: 6 * MiB - 1 }, /--memory .*6MB/);
    refuses({ memory: 64 * MiB, memoryReservation: 65 * MiB }, /--memory-reservation/);
    refuses({ memory: 64 * MiB, memorySwap: 63 * MiB }, /--memory-swap .*at least/);
    refuses({ memorySwap: 64 * MiB }, /--memory-swap .*needs --memory/);
    refuses({ cpus: 4.5 }, /--cpus 4.5: .*0.01 to 4/);
    refuses({ cpus: 1, cpuQuota: 50_000 }, /conflicting options: --cpus/);
    refuses({ cpus: 1, cpuPeriod: 50_000 }, /conflicting options/);
    refuses({ cpusetCpus: '4' }, /--cpuset-cpus 4: CPUs 4 not available/);
    refuses({ cpusetCpus: '1-0' }, /--cpuset-cpus/);
    refuses({ cpusetCpus: 'a' }, /--cpuset-cpus/);
    refuses({ cpusetMems: '2' }, /--cpuset-mems 2: memory nodes 2/);
    refuses({ pidsLimit: -2 }, /--pids-limit/);
    refuses({ pidsLimit: 1.5 }, /--pids-limit .*whole number/);
    refuses({ oomScoreAdj: 1001 }, /--oom-score-adj/);
    refuses({ shmSize: 0 } as ResourceLimits, /--shm-size/);
    refuses({ ulimits: [{ name: 'nofile', soft: 10, hard: 4097 }] }, /--ulimit .*above this host's own \(4096\)/);
    refuses({ ulimits: [{ name: 'nproc', soft: 6, hard: 5 }] }, /soft limit must not exceed/);
    refuses({ ulimits: [{ name: 'nosuch', soft: 1, hard: 1 }] }, /unknown limit "nosuch"/);
    refuses({ ulimits: [{ name: 'core', soft: 1, hard: 1 }, { name: 'core', soft: 2, hard: 2 }] }, /given twice/);
    refuses({ deviceReadBps: [{ path: '/dev/bh-test-nope', rate: 1 }] }, /--device-read-bps .*no such device/);
    refuses({ deviceWriteIops: [{ path: '/dev/null', rate: 1 }] }, /--device-write-iops .*not a block device/);
    refuses({ deviceReadIops: [{ path: '/dev/null', rate: 0 }] }, /positive/);
    refuses({ memory: '64m' as unknown as number }, /--memory .*whole number/);
    refuses({ bogus: 1 } as unknown as ResourceLimits, /unknown field "bogus"/);
  });

  it('reads host facts: cpu lists and rlimits', () => {
    assert.deepEqual([...parseCpuList('0-2,5')], [0, 1, 2, 5]);
    assert.deepEqual(hostRlimits(root)['core'], { soft: 0, hard: -1 });
    assert.deepEqual(hostRlimits(root)['nofile'], { soft: 1024, hard: 4096 });
  });
});

describe('resource flags', () => {
  it('parse docker syntax into a request holding only what was given', () => {
    const r = resourcesFromFlags({ cpus: '1.5', cpuShares: '512', memory: '64m', memorySwap: '-1', pidsLimit: '-1',
      deviceReadBps: ['/dev/sda:1mb'], deviceWriteIops: ['/dev/sda:100'], ulimit: ['nofile=10:20', 'core=0'], shmSize: '1g' });
    assert.deepEqual(r, { cpus: 1.5, cpuShares: 512, memory: 64 * MiB, memorySwap: -1, pidsLimit: -1,
      deviceReadBps: [{ path: '/dev/sda', rate: MiB }], deviceWriteIops: [{ path: '/dev/sda', rate: 100 }],
      ulimits: [{ name: 'nofile', soft: 10, hard: 20 }, { name: 'core', soft: 0, hard: 0 }], shmSize: 1024 * MiB });
    assert.deepEqual(resourcesFromFlags({}), {});
  });

  it('refuse bad syntax with one line naming the flag', () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => resourcesFromFlags({ cpus: 'x' }), /--cpus/],
      [() => resourcesFromFlags({ cpuShares: '1.5' }), /--cpu-shares/],
      [() => resourcesFromFlags({ memory: '12q' }), /--memory/],
      [() => parseThrottle(['sda:1'], '--device-read-bps', 'bps'), /--device-read-bps/],
      [() => parseThrottle(['/dev/sda:x'], '--device-read-iops', 'iops'), /--device-read-iops/],
      [() => parseUlimit('nofile'), /--ulimit/],
      [() => parseUlimit('core=unlimited'), /unlimited/],
    ];
    for (const [fn, re] of bad) assert.throws(fn, (e: unknown) => errorKind(e) === 'InvalidArgument' && re.test((e as Error).message));
  });
});

describe('resource spec', () => {
  it('builds linux.resources from limits', () => {
    const res = buildResources({ memory: 64 * MiB, memoryReservation: 32 * MiB, memorySwap: 128 * MiB, oomKillDisable: true,
      cpuQuota: 20_000, cpuPeriod: 50_000, cpuShares: 100, cpusetCpus: '0', cpusetMems: '0', pidsLimit: -1, blkioWeight: 300 });
    assert.deepEqual(res.memory, { limit: 64 * MiB, reservation: 32 * MiB, swap: 128 * MiB, disableOOMKiller: true });
    assert.deepEqual(res.cpu, { quota: 20_000, period: 50_000, shares: 100, cpus: '0', mems: '0' });
    assert.deepEqual(res.pids, { limit: -1 });
    assert.deepEqual(res.blockIO, { weight: 300 });
    assert.ok(res.devices.length > 0, 'device rules stay');
    assert.deepEqual(limitResources({ cpus: 0.5 }).cpu, { quota: 50_000, period: 100_000 });
  });

  it('throttle devices carry the device numbers', () => {
    const dev = ['/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/loop0'].find((p) => { try { return blockDeviceNumbers(p); } catch { return false; } });
    assert.ok(dev, 'this host has a block device');
    const res = buildResources({ deviceReadIops: [{ path: dev, rate: 7 }], deviceWriteBps: [{ path: dev, rate: 9 }] });
    const [r] = res.blockIO!.throttleReadIOPSDevice!;
    assert.equal(r!.rate, 7);
    assert.ok(Number.isInteger(r!.major) && Number.isInteger(r!.minor));
    assert.equal(res.blockIO!.throttleWriteBpsDevice![0]!.rate, 9);
  });

  it('user rlimits replace the default of the same type; shm size replaces the default size', () => {
    const merged = mergeRlimits([{ type: 'RLIMIT_NOFILE', soft: 9, hard: 9 }], [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
    assert.deepEqual(merged, [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
    const mounts = defaultMounts();
    setShmSize(mounts, 5 * MiB);
    const shm = mounts.find((m) => m.destination === '/dev/shm')!;
    assert.deepEqual(shm.options.filter((o) => o.startsWith('size=')), [`size=${5 * MiB}`]);
    assert.ok(mounts.find((m) => m.destination === '/dev')!.options.includes('size=65536k'), '/dev is untouched');
  });
});

describe('allocation and real-time requests', () => {
  it('accepts exclusive CPUs and a guarantee, and refuses what can never be right, naming the flag', () => {
    assert.equal(v({ cpusExclusive: 2, memoryGuaranteed: 64 * MiB, memory: 128 * MiB }).cpusExclusive, 2);
    assert.equal(v({ cpusExclusive: 0 }).cpusExclusive, undefined, '0 means not given');
    refuses({ cpusExclusive: 5 }, /--cpus-exclusive 5: must be between 1 and 4/);
    refuses({ cpusExclusive: 1.5 }, /--cpus-exclusive 1.5: must be a whole number/);
    refuses({ cpusExclusive: 1, cpusetCpus: '1' }, /--cpus-exclusive lets the engine choose the CPUs/);
    refuses({ memoryGuaranteed: MiB }, /--memory-guaranteed 1048576: the minimum guarantee is 6MB/);
    refuses({ memoryGuaranteed: 64 * MiB, memory: 32 * MiB }, /--memory-guaranteed \d+: must not exceed the memory limit/);
  });

  it('passes the guarantee to the kernel as the soft limit and real-time time to the cpu controller', () => {
    assert.deepEqual(limitResources({ memoryGuaranteed: 64 * MiB }).memory, { reservation: 64 * MiB });
    assert.deepEqual(limitResources({ memoryGuaranteed: 64 * MiB, memoryReservation: 32 * MiB }).memory, { reservation: 32 * MiB });
    assert.deepEqual(limitResources({ cpuRtRuntime: 10_000, cpuRtPeriod: 100_000 }).cpu, { realtimeRuntime: 10_000, realtimePeriod: 100_000 });
    assert.deepEqual(resourcesFromFlags({ cpusExclusive: '2', memoryGuaranteed: '1g', cpuRtRuntime: '5000' }),
      { cpusExclusive: 2, memoryGuaranteed: 1024 ** 3, cpuRtRuntime: 5000 });
  });

  it('refuses real-time time on cgroup v2 and where the kernel has no real-time groups, and bounds it by the period', async () => {
    const v2 = await fakeHost({ 'sys/devices/system/cpu/online': '0-3\n', 'proc/self/mountinfo': MOUNTINFO.v2 });
    const v1 = await fakeHost({ 'sys/devices/system/cpu/online': '0-3\n', 'proc/self/mountinfo': MOUNTINFO.v1,
      'sys/fs/cgroup/cpu,cpuacct/cpu.rt_runtime_us': '950000\n' });
    const noRt = await fakeHost({ 'sys/devices/system/cpu/online': '0-3\n', 'proc/self/mountinfo': MOUNTINFO.v1 });
    try {
      const at = (hostRoot: string, r: ResourceLimits) => () => validateResources(r, { hostRoot });
      assert.throws(at(v2, { cpuRtRuntime: 1000 }), /--cpu-rt-runtime 1000: real-time CPU time cannot be limited on cgroup v2/);
      assert.throws(at(noRt, { cpuRtRuntime: 1000 }), /no real-time group scheduling \(CONFIG_RT_GROUP_SCHED\)/);
      assert.equal(validateResources({ cpuRtRuntime: 1000, cpuRtPeriod: 10_000 }, { hostRoot: v1 }).cpuRtRuntime, 1000);
      assert.throws(at(v1, { cpuRtRuntime: 20_000, cpuRtPeriod: 10_000 }), /--cpu-rt-runtime 20000: must be between 0 and 10000/);
      assert.throws(at(v1, { cpuRtPeriod: 10 }), /--cpu-rt-period 10: must be between 1000 and 1000000/);
    } finally {
      for (const r of [v2, v1, noRt]) await rm(r, { recursive: true, force: true });
    }
  });
});

describe('cgroup options without containers', () => {
  it('device cgroup rules: docker syntax with * wildcards, one spelling in the record, bad ones named', () => {
    assert.deepEqual(parseDeviceCgroupRule('c 1:3 mr'), { allow: true, type: 'c', major: 1, minor: 3, access: 'mr' });
    assert.deepEqual(parseDeviceCgroupRule(' b *:* rwm '), { allow: true, type: 'b', access: 'rwm' });
    assert.equal(formatDeviceCgroupRule(parseDeviceCgroupRule('a 7:* w')), 'a 7:* w');
    for (const bad of ['c 1:3', 'c 1 r', 'd 1:3 r', 'c 1:3 x', 'c 1:3 rr', 'c -1:3 r', 'c 1:99999999999 r', 'c  1:3 r']) {
      assert.throws(() => parseDeviceCgroupRule(bad), (e: unknown) => errorKind(e) === 'InvalidArgument' && (e as Error).message.includes(`"${bad}"`), bad);
    }
  });

  it('cgroup parents: relative ones from the root, no empty or dot components', () => {
    assert.equal(normalizeCgroupParent('team/a'), '/team/a');
    assert.equal(normalizeCgroupParent('/team.x/a_b-c'), '/team.x/a_b-c');
    for (const bad of ['', '/', 'a//b', 'a/', '../x', '/a/./b', 'a b', 'a/b\n']) {
      assert.throws(() => normalizeCgroupParent(bad), (e: unknown) => errorKind(e) === 'InvalidArgument' && /--cgroup-parent/.test((e as Error).message), bad);
    }
    assert.deepEqual(resourcesFromFlags({ blkioWeightDevice: ['/dev/sda:200'] }), { blkioWeightDevice: [{ path: '/dev/sda', weight: 200 }] });
  });

  it('per-device weights need BFQ (or CFQ) on a whole disk', async () => {
    const host = await fakeHost({
      'sys/dev/block/8:0/queue/scheduler': 'mq-deadline kyber [bfq] none\n',
      'sys/dev/block/8:16/queue/scheduler': '[none] mq-deadline bfq\n',
      'sys/dev/block/8:1/partition': '1\n',
      'sys/dev/block/9:0/size': '0\n',
    });
    try {
      assert.equal(blockWeightRefusal(8, 0, host), undefined);
      assert.match(blockWeightRefusal(8, 16, host)!, /scheduler is "none"/);
      assert.match(blockWeightRefusal(8, 1, host)!, /partition/);
      assert.match(blockWeightRefusal(9, 0, host)!, /no I\/O scheduler/);
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });
});
