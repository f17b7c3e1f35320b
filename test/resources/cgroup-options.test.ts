// The cgroup options docker has and the engine once refused: --device-cgroup-rule, --blkio-weight-device and a
// container's own --cgroup-parent, each from the bulkhead CLI and the docker CLI, checked in the kernel: the
// devices cgroup's list and what a process inside may open, the BFQ weight file of a loop device this test makes,
// and the cgroup directories under the parent in every hierarchy (across a daemon restart, and after rm).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine } from '../docker/helpers.js';
import { allNames, assertOneLineError } from '../integration/cli-checks.js';
import { detectCgroups } from '../../src/sys/cgroups.js';
import { logsWhen, runDetached } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync('/dev/loop-control') ? 'needs /dev/loop-control' : undefined;
const CGROUP_ROOT = '/sys/fs/cgroup';

function devNumbers(path: string): { major: number; minor: number } {
  const rdev = statSync(path).rdev;
  return { major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
}

/** Every hierarchy mounted under /sys/fs/cgroup (v1 controllers, the named systemd one, the cgroup2 beside them). */
function hierarchies(): string[] {
  return readdirSync(CGROUP_ROOT).map((n) => join(CGROUP_ROOT, n)).filter((p) => existsSync(join(p, 'cgroup.procs')));
}

/** Removes a cgroup directory tree this test made, deepest first (cgroup directories go only with rmdir). */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  rmdirSync(dir);
}

describe('cgroup options: device rules, per-device weights, a container\'s own cgroup parent', { skip }, () => {
  const e = new DockerTestEngine('bh-test-cgopts-');
  const parent = `bh-test-cgparent-${process.pid}`;
  const loopControl = devNumbers('/dev/loop-control');
  let loop = '';
  let image = '';

  before(async () => {
    await e.setup();
    // A block device of the test's own, so its I/O scheduler can be set to BFQ (the one that applies weights).
    image = join(e.dir, 'weight-disk.img');
    writeFileSync(image, '');
    spawnSync('truncate', ['-s', '8M', image]);
    loop = spawnSync('losetup', ['--find', '--show', image]).stdout.toString().trim();
    assert.match(loop, /^\/dev\/loop\d+$/, 'losetup gave a loop device');
    writeFileSync(`/sys/block/${basename(loop)}/queue/scheduler`, 'bfq');
  });
  after(async () => {
    await e.cleanup();
    if (loop) spawnSync('losetup', ['-d', loop]);
    rmSync(image, { force: true });
    for (const h of hierarchies()) removeCgroupTree(join(h, parent));
  });

  it('--device-cgroup-rule lets the container open a node it made; without it the kernel refuses (CLI and docker)', async () => {
    const { major, minor } = loopControl;
    // A failed redirection ends the subshell; its message says why.
    const script = `mknod /tmp/dev c ${major} ${minor} && { (exec 3< /tmp/dev) 2>/tmp/err && echo opened || cat /tmp/err; }; echo ready; sleep 1000`;
    const allowed = runDetached(e, ['--device-cgroup-rule', `c ${major}:${minor} rm`, '--device-cgroup-rule', 'b 7:* r'], script);
    assert.match(await logsWhen(e, allowed, 'ready'), /^opened$/m);
    const list = readFileSync(join(CGROUP_ROOT, 'devices/bulkhead', allowed, 'devices.list'), 'utf8').split('\n');
    assert.ok(list.includes(`c ${major}:${minor} rm`), list.join(' | '));
    assert.ok(list.includes('b 7:* r'), list.join(' | '));
    const inspected = JSON.parse(e.ok(['inspect', allowed]))[0].Config.security.deviceCgroupRules;
    assert.deepEqual(inspected, [`c ${major}:${minor} rm`, 'b 7:* r']);
    e.ok(['rm', '-f', allowed]);

    // Without the rule, and with a rule lacking "r": the node exists (mknod is allowed), opening it is not.
    for (const flags of [[], ['--device-cgroup-rule', `c ${major}:${minor} m`]]) {
      const out = e.ok(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script.replace('; sleep 1000', '')]);
      assert.match(out, /can't open \/tmp\/dev: Operation not permitted/, flags.join(' '));
    }

    const viaDocker = e.dockerOk(['run', '-d', '--device-cgroup-rule', `c ${major}:${minor} rwm`, 'busybox', 'sh', '-c', script]);
    assert.match(await logsWhen(e, viaDocker, 'ready'), /^opened$/m);
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.DeviceCgroupRules}}', viaDocker]), `["c ${major}:${minor} rwm"]`);
    e.dockerOk(['rm', '-f', viaDocker]);
  });

  it('--blkio-weight-device writes the BFQ weight of that device; a device that cannot take one is refused', () => {
    const { major, minor } = devNumbers(loop);
    const id = runDetached(e, ['--blkio-weight-device', `${loop}:200`], 'sleep 1000');
    const file = join(CGROUP_ROOT, 'blkio/bulkhead', id, 'blkio.bfq.weight_device');
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^${major}:${minor} 200$`, 'm'));
    e.ok(['rm', '-f', id]);

    const viaDocker = e.dockerOk(['run', '-d', '--blkio-weight-device', `${loop}:700`, 'busybox', 'sleep', '1000']);
    assert.match(readFileSync(join(CGROUP_ROOT, 'blkio/bulkhead', viaDocker, 'blkio.bfq.weight_device'), 'utf8'), new RegExp(`^${major}:${minor} 700$`, 'm'));
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.BlkioWeightDevice}}', viaDocker]), `[{"Path":"${loop}","Weight":700}]`);
    e.dockerOk(['rm', '-f', viaDocker]);

    // Under a scheduler without weights the kernel would refuse the write at start: refused at create instead.
    writeFileSync(`/sys/block/${basename(loop)}/queue/scheduler`, 'none');
    try {
      assertOneLineError(e.run(['run', '--rm', '--blkio-weight-device', `${loop}:200`, 'busybox', 'true']),
        new RegExp(`--blkio-weight-device ${loop}:200: .*scheduler is "none"`), 125);
      const r = e.docker(['run', '--rm', '--blkio-weight-device', `${loop}:200`, 'busybox', 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /scheduler is "none"/);
    } finally {
      writeFileSync(`/sys/block/${basename(loop)}/queue/scheduler`, 'bfq');
    }
  });

  it('--cgroup-parent: the cgroup is made under it in every hierarchy; stats and top follow it across a daemon restart; rm removes it', async () => {
    const cli = runDetached(e, ['--cgroup-parent', `${parent}/cli`], 'echo ready; sleep 1000');
    const viaDocker = e.dockerOk(['run', '-d', '--cgroup-parent', `/${parent}/docker`, 'busybox', 'sleep', '1000']);
    await logsWhen(e, cli, 'ready');
    const info = detectCgroups();
    const v1 = Object.values(info.v1Mounts);
    assert.ok(v1.length >= 6, `v1 controllers: ${v1.join(', ')}`);
    for (const [id, sub] of [[cli, 'cli'], [viaDocker, 'docker']] as const) {
      for (const mount of v1) {
        const dir = join(mount, parent, sub, id);
        assert.ok(existsSync(dir), `${dir} exists`);
        assert.equal(existsSync(join(mount, 'bulkhead', id)), false, `nothing under the daemon's parent in ${mount}`);
      }
      assert.ok(readFileSync(join(info.v1Mounts.pids!, parent, sub, id, 'cgroup.procs'), 'utf8').trim() !== '');
    }
    assert.equal(e.dockerOk(['inspect', '-f', '{{.HostConfig.CgroupParent}}', viaDocker]), `/${parent}/docker`);
    assert.equal(JSON.parse(e.ok(['inspect', cli]))[0].Config.cgroupParent, `/${parent}/cli`);

    const check = (id: string) => {
      assert.match(e.ok(['top', id]), /sleep 1000/);
      const [stats] = JSON.parse(e.ok(['stats', '--no-stream', '--format', 'json', id])) as Array<{ pids: number; memoryUsage: number }>;
      assert.equal(stats!.pids, 1);
      assert.ok(stats!.memoryUsage > 0);
      assert.match(e.dockerOk(['stats', '--no-stream', '--format', '{{.PIDs}}', id]), /^1$/);
    };
    check(cli);
    check(viaDocker);
    // A new daemon adopts the running containers and still reads them under their own parent.
    await e.killDaemon();
    await e.startDaemon();
    check(cli);
    check(viaDocker);

    e.ok(['rm', '-f', cli, viaDocker]);
    for (const h of hierarchies()) {
      for (const [id, sub] of [[cli, 'cli'], [viaDocker, 'docker']] as const) {
        assert.equal(existsSync(join(h, parent, sub, id)), false, `${h}: the container's cgroup is gone`);
      }
    }
    // As docker: the parent directories stay (they may hold other cgroups, and were the user's to name).
    assert.ok(existsSync(join(info.v1Mounts.memory!, parent, 'cli')));

    // The OOM mark comes from the container's own memory cgroup too (tail holds all it reads of /dev/zero).
    const hog = e.ok(['run', '-d', '--cgroup-parent', `${parent}/hog`, '-m', '16m', 'busybox', 'tail', '/dev/zero']);
    assert.equal(e.ok(['wait', hog]), '137');
    assert.equal(JSON.parse(e.ok(['inspect', hog]))[0].State.oomKilled, true);
    e.ok(['rm', hog]);
  });

  it('bad rules, weights and parents fail as one line naming the input, and create nothing', async () => {
    const before = allNames(e);
    const cases: Array<[string[], RegExp]> = [
      [['--device-cgroup-rule', 'c 1:3'], /invalid --device-cgroup-rule "c 1:3": expected TYPE MAJOR:MINOR ACCESS/],
      [['--device-cgroup-rule', 'x 1:3 r'], /--device-cgroup-rule "x 1:3 r"/],
      [['--device-cgroup-rule', 'c 1:3 rwx'], /--device-cgroup-rule "c 1:3 rwx"/],
      [['--device-cgroup-rule', 'c 1:3 rr'], /--device-cgroup-rule "c 1:3 rr": access "rr" repeats/],
      [['--blkio-weight-device', `${loop}:5`], /--blkio-weight-device .*between 10 and 1000/],
      [['--blkio-weight-device', '/dev/null:100'], /--blkio-weight-device \/dev\/null:100: .*not a block device/],
      [['--blkio-weight-device', '/dev/bh-test-none:100'], /--blkio-weight-device .*no such device/],
      [['--blkio-weight-device', 'sda'], /"sda" for --blkio-weight-device: expected DEVICE:WEIGHT/],
      [['--cgroup-parent', 'a//b'], /--cgroup-parent "a\/\/b": empty path component/],
      [['--cgroup-parent', `${parent}/../x`], /--cgroup-parent .*"\.\." are not allowed/],
      [['--cgroup-parent', '/'], /--cgroup-parent "\/": empty path component/],
      [['--cgroup-parent', `${parent}/x`, '--cpu-rt-runtime', '1000'], /conflicting options: --cpu-rt-runtime/],
    ];
    for (const [flags, mentions] of cases) assertOneLineError(e.run(['run', '--rm', ...flags, 'busybox', 'true']), mentions, 125);
    for (const [field, value, mentions] of [
      ['DeviceCgroupRules', ['c 1:3'], /--device-cgroup-rule "c 1:3"/],
      ['BlkioWeightDevice', [{ Path: loop, Weight: 2000 }], /--blkio-weight-device/],
      ['CgroupParent', '/a/../b', /--cgroup-parent/],
    ] as const) {
      const r = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { [field]: value } });
      assert.equal(r.status, 400, `${field}: ${r.body}`);
      assert.match(JSON.parse(r.body).message, mentions);
    }
    assert.deepEqual(allNames(e), before, 'no container was left behind');
  });
});
