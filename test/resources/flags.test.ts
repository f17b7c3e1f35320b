// Every resource flag, checked where it takes effect: the container's cgroup files under
// /sys/fs/cgroup/<controller>/bulkhead/<id>/ and, from inside the container, /proc/self/status, /proc/self/limits,
// /proc/self/oom_score_adj and the /dev/shm mount. Bad values must fail as one line before anything runs.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { allNames, assertOneLineError } from '../integration/cli-checks.js';
import { cgroupFile, field, logsWhen, runDetached } from './helpers.js';

const MiB = 1024 * 1024;
const skip = process.getuid?.() !== 0 ? 'needs root' : undefined;
// The first real block device of this host, for the throttle flags.
const BLOCK_DEV = ['/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/xvda'].find((p) => existsSync(p) && statSync(p).isBlockDevice());

describe('resource flags reach the kernel', { skip }, () => {
  const e = new TestEngine('bh-test-resflags-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('memory, CPU, pids and block I/O flags are the cgroup values', async () => {
    const flags = ['-m', '64m', '--memory-reservation', '32m', '--memory-swap', '128m', '--cpus', '0.5', '--cpu-shares', '512',
      '--cpuset-cpus', '0', '--cpuset-mems', '0', '--pids-limit', '100', '--blkio-weight', '300'];
    if (BLOCK_DEV) flags.push('--device-read-bps', `${BLOCK_DEV}:1mb`, '--device-write-bps', `${BLOCK_DEV}:2mb`,
      '--device-read-iops', `${BLOCK_DEV}:40`, '--device-write-iops', `${BLOCK_DEV}:50`);
    const id = runDetached(e, flags, 'cat /proc/self/status; echo ready; sleep 1000');
    const status = await logsWhen(e, id, 'ready');
    assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(cgroupFile('memory', id, 'memory.soft_limit_in_bytes'), String(32 * MiB));
    assert.equal(cgroupFile('memory', id, 'memory.memsw.limit_in_bytes'), String(128 * MiB));
    assert.match(cgroupFile('memory', id, 'memory.oom_control'), /oom_kill_disable 0/);
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '50000');
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_period_us'), '100000');
    assert.equal(cgroupFile('cpu', id, 'cpu.shares'), '512');
    assert.equal(cgroupFile('cpuset', id, 'cpuset.cpus'), '0');
    assert.equal(cgroupFile('cpuset', id, 'cpuset.mems'), '0');
    assert.equal(field(status, 'Cpus_allowed_list'), '0', 'the process itself may only run on CPU 0');
    assert.equal(field(status, 'Mems_allowed_list'), '0');
    assert.equal(cgroupFile('pids', id, 'pids.max'), '100');
    // Kernels without CFQ expose the BFQ weight only.
    const weightFile = existsSync(`/sys/fs/cgroup/blkio/bulkhead/${id}/blkio.weight`) ? 'blkio.weight' : 'blkio.bfq.weight';
    assert.match(cgroupFile('blkio', id, weightFile), /^(default )?300$/m);
    if (BLOCK_DEV) {
      const st = statSync(BLOCK_DEV);
      const dev = `${Math.floor(st.rdev / 256) & 0xfff}:${st.rdev & 0xff}`;
      assert.equal(cgroupFile('blkio', id, 'blkio.throttle.read_bps_device'), `${dev} ${MiB}`);
      assert.equal(cgroupFile('blkio', id, 'blkio.throttle.write_bps_device'), `${dev} ${2 * MiB}`);
      assert.equal(cgroupFile('blkio', id, 'blkio.throttle.read_iops_device'), `${dev} 40`);
      assert.equal(cgroupFile('blkio', id, 'blkio.throttle.write_iops_device'), `${dev} 50`);
    }
    e.ok(['rm', '-f', id]);
  });

  it('--cpu-period/--cpu-quota and --oom-kill-disable', async () => {
    const id = runDetached(e, ['--cpu-period', '50000', '--cpu-quota', '20000', '-m', '64m', '--oom-kill-disable'], 'echo ready; sleep 1000');
    await logsWhen(e, id, 'ready');
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_period_us'), '50000');
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '20000');
    assert.match(cgroupFile('memory', id, 'memory.oom_control'), /oom_kill_disable 1/);
    e.ok(['rm', '-f', id]);
  });

  it('pids: 2048 by default, none with -1 or 0', async () => {
    const plain = runDetached(e, [], 'echo ready; sleep 1000');
    const unlimited = runDetached(e, ['--pids-limit', '-1'], 'echo ready; sleep 1000');
    const zero = runDetached(e, ['--pids-limit', '0'], 'echo ready; sleep 1000');
    await logsWhen(e, zero, 'ready');
    assert.equal(cgroupFile('pids', plain, 'pids.max'), '2048');
    assert.equal(cgroupFile('pids', unlimited, 'pids.max'), 'max');
    assert.equal(cgroupFile('pids', zero, 'pids.max'), 'max');
    e.ok(['rm', '-f', plain, unlimited, zero]);
  });

  it('--ulimit, --oom-score-adj and --shm-size, seen from inside the container', async () => {
    const out = e.ok(['run', '--rm', '--ulimit', 'nofile=1024:2048', '--ulimit', 'core=0', '--ulimit', 'nproc=500:600',
      '--oom-score-adj', '300', '--shm-size', '128m', 'busybox', 'sh', '-c',
      'cat /proc/self/limits; echo adj=$(cat /proc/self/oom_score_adj); grep " /dev/shm " /proc/self/mounts']);
    assert.match(out, /^Max open files\s+1024\s+2048\s/m);
    assert.match(out, /^Max core file size\s+0\s+0\s/m);
    assert.match(out, /^Max processes\s+500\s+600\s/m);
    assert.match(out, /^adj=300$/m);
    assert.match(out, /\/dev\/shm tmpfs .*size=131072k/);
    // Without the flags: the default open-files limit (the host's hard limit, never above it) and a 64m /dev/shm.
    const plain = e.ok(['run', '--rm', 'busybox', 'sh', '-c', 'cat /proc/self/limits; grep " /dev/shm " /proc/self/mounts']);
    assert.match(plain, /\/dev\/shm tmpfs .*size=65536k/);
    const hostHard = /^Max open files\s+\S+\s+(\S+)/m.exec((await import('node:fs')).readFileSync('/proc/self/limits', 'utf8'))![1];
    assert.match(plain, new RegExp(`^Max open files\\s+\\S+\\s+${hostHard}\\s`, 'm'));
  });

  it('bad values fail as one line naming the flag, and create nothing', () => {
    const before = allNames(e);
    const cases: Array<[string[], RegExp]> = [
      [['--cpus', '0.5', '--cpu-quota', '20000'], /conflicting options: --cpus/],
      [['--cpus', '99'], /--cpus 99/],
      [['--cpu-shares', '1'], /--cpu-shares 1/],
      [['--cpu-period', '10'], /--cpu-period 10/],
      [['--cpu-quota', '10'], /--cpu-quota 10/],
      [['--cpuset-cpus', '0-99'], /--cpuset-cpus 0-99/],
      [['--cpuset-mems', '9'], /--cpuset-mems 9/],
      [['-m', '1m'], /--memory .*6MB/],
      [['-m', '64m', '--memory-reservation', '65m'], /--memory-reservation/],
      [['-m', '64m', '--memory-swap', '32m'], /--memory-swap/],
      [['--memory-swap', '64m'], /--memory-swap .*needs --memory/],
      [['--pids-limit', '-7'], /--pids-limit -7/],
      [['--blkio-weight', '2000'], /--blkio-weight 2000/],
      [['--device-read-bps', '/dev/null:1mb'], /--device-read-bps .*not a block device/],
      [['--device-write-iops', '/dev/bh-test-none:5'], /--device-write-iops .*no such device/],
      [['--ulimit', 'nofile=99999999:99999999'], /--ulimit .*above this host's own/],
      [['--ulimit', 'nofile=20:10'], /--ulimit .*soft limit/],
      [['--ulimit', 'wings=1'], /--ulimit .*unknown limit "wings"/],
      [['--oom-score-adj', '-1001'], /--oom-score-adj -1001/],
      [['--shm-size', 'lots'], /--shm-size/],
    ];
    for (const [flags, mentions] of cases) assertOneLineError(e.run(['run', '--rm', ...flags, 'busybox', 'true']), mentions, 125);
    assert.deepEqual(allNames(e), before, 'no container was left behind');
  });
});
