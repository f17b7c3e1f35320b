import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { detectVirtualization, hostInfo, hybridArchitectureNotice, readCpuTimes, sampleSteal, stealFraction } from '../../src/sys/host-info.js';
import { HOST_CGROUP_VIEW, MOUNTINFO, OVERLAY_ROOT_MOUNTINFO, fakeHost, procStat } from './fake-host.js';

const CPU_FLAGS = 'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep';
const cpuinfo = (flags: string, n = 2) =>
  Array.from({ length: n }, (_, i) => `processor\t: ${i}\nmodel name\t: Test CPU\n${flags}\n`).join('\n');

describe('virtualization detection', () => {
  const roots: string[] = [];
  const host = async (files: Record<string, string>) => {
    const root = await fakeHost(files);
    roots.push(root);
    return root;
  };
  after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  it('bare metal: no flag, no DMI hint, no markers', async () => {
    const v = await detectVirtualization(await host({
      'proc/cpuinfo': cpuinfo(CPU_FLAGS),
      'sys/class/dmi/id/sys_vendor': 'Dell Inc.\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'tsc hpet acpi_pm \n',
    }));
    assert.equal(v.kind, 'bare-metal');
    assert.equal(v.hypervisor, undefined);
    assert.equal(hybridArchitectureNotice(v), undefined);
  });

  it('KVM without DMI: the cpu flag plus kvm-clock (this project\'s VMs)', async () => {
    const v = await detectVirtualization(await host({
      'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`),
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'tsc kvm-clock \n',
    }));
    assert.equal(v.kind, 'vm');
    assert.equal(v.hypervisor, 'KVM');
    assert.match(hybridArchitectureNotice(v)!, /^running on a virtual machine \(KVM\): this is a hybrid container architecture/);
  });

  it('VMware from DMI', async () => {
    const v = await detectVirtualization(await host({
      'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`),
      'sys/class/dmi/id/sys_vendor': 'VMware, Inc.\n',
      'sys/class/dmi/id/product_name': 'VMware Virtual Platform\n',
    }));
    assert.deepEqual([v.kind, v.hypervisor], ['vm', 'VMware']);
  });

  it('Xen from /sys/hypervisor/type', async () => {
    const v = await detectVirtualization(await host({ 'sys/hypervisor/type': 'xen\n', 'proc/cpuinfo': cpuinfo(CPU_FLAGS) }));
    assert.deepEqual([v.kind, v.hypervisor], ['vm', 'Xen']);
  });

  it('an unnamed hypervisor from the cpu flag alone', async () => {
    const v = await detectVirtualization(await host({ 'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`) }));
    assert.deepEqual([v.kind, v.hypervisor], ['vm', 'unknown']);
  });

  it('containers: a marker needs a second, independent signal', async () => {
    const docker = await detectVirtualization(await host({
      '.dockerenv': '', 'proc/cpuinfo': cpuinfo(CPU_FLAGS), 'proc/self/mountinfo': OVERLAY_ROOT_MOUNTINFO,
      'proc/1/cgroup': '12:pids:/docker/0123abcd\n1:name=systemd:/docker/0123abcd\n',
    }));
    assert.deepEqual([docker.kind, docker.container], ['container', 'docker']);
    assert.ok(docker.evidence.includes('/.dockerenv exists') && docker.evidence.includes('/ is an overlay mount'));
    const podman = await detectVirtualization(await host({
      'run/.containerenv': '', 'proc/1/environ': 'PATH=/bin\0container=podman\0', 'proc/self/mountinfo': OVERLAY_ROOT_MOUNTINFO,
    }));
    assert.deepEqual([podman.kind, podman.container], ['container', 'podman']);
    // cgroup v2 with a cgroup namespace: PID 1 sees "/", but the mount root is a non-root cgroup.
    const lxc = await detectVirtualization(await host({
      'run/systemd/container': 'lxc\n', 'proc/1/cgroup': '0::/\n', 'sys/fs/cgroup/cgroup.type': 'domain\n',
    }));
    assert.deepEqual([lxc.kind, lxc.container], ['container', 'lxc']);
    // cgroup v1 with a namespace: the name=systemd root lacks release_agent.
    const nspawn = await detectVirtualization(await host({
      'proc/1/environ': 'HOME=/\0container=systemd-nspawn\0', 'sys/fs/cgroup/systemd/cgroup.procs': '1\n',
    }));
    assert.deepEqual([nspawn.kind, nspawn.container], ['container', 'systemd-nspawn']);
    // Without a marker or manager word the engine is named from the cgroup path, or left unknown.
    const bare = await detectVirtualization(await host({ 'proc/1/cgroup': '4:memory:/kubepods/pod1/abc\n', 'proc/self/mountinfo': OVERLAY_ROOT_MOUNTINFO }));
    assert.deepEqual([bare.kind, bare.container], ['container', 'kubernetes']);
  });

  it('a single marker file is not enough, nor one family of signals', async () => {
    for (const files of <Array<Record<string, string>>>[
      { '.dockerenv': '' },
      { 'run/.containerenv': '' },
      { '.dockerenv': '', 'run/.containerenv': '' },                                   // two markers, one family
      { 'run/systemd/container': 'lxc\n', 'proc/1/environ': 'container=lxc\0' },        // systemd copies one to the other
      { '.dockerenv': '', ...HOST_CGROUP_VIEW, 'proc/self/mountinfo': MOUNTINFO.v1 },   // a stale marker on a plain host
    ]) {
      const v = await detectVirtualization(await host({ 'proc/cpuinfo': cpuinfo(CPU_FLAGS), ...files }));
      assert.equal(v.kind, 'bare-metal', JSON.stringify(Object.keys(files)));
      assert.equal(v.container, undefined);
      assert.ok(v.evidence.length > 0 && v.evidence.every((e) => /not corroborated/.test(e)), v.evidence.join('; '));
    }
  });

  it('platform signals (OpenVZ, WSL) stand alone', async () => {
    const vz = await detectVirtualization(await host({ 'proc/vz/veinfo': '' }));
    assert.deepEqual([vz.kind, vz.container], ['container', 'openvz']);
    assert.equal((await detectVirtualization(await host({ 'proc/vz/veinfo': '', 'proc/bc/0': '' }))).kind, 'bare-metal');
  });

  it('a container inside a VM is both', async () => {
    const v = await detectVirtualization(await host({
      '.dockerenv': '',
      'proc/self/mountinfo': OVERLAY_ROOT_MOUNTINFO,
      'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`),
      'proc/stat': procStat({ user: 9000, system: 500, idle: 90000, steal: 500 }),
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'kvm-clock tsc\n',
    }));
    assert.deepEqual([v.kind, v.hypervisor, v.container], ['vm+container', 'KVM', 'docker']);
    assert.ok(hybridArchitectureNotice(v));
    assert.ok(v.evidence.length >= 5);
    assert.equal(v.stealSinceBoot, 0.005);
  });

  it('steal time: reported under a VM, a VM signal on its own, zero on bare metal', async () => {
    const vm = await detectVirtualization(await host({
      'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`),
      'proc/stat': procStat({ user: 700, system: 200, idle: 8900, steal: 200 }),
    }));
    assert.equal(vm.stealSinceBoot, 0.02);
    assert.ok(vm.evidence.includes('steal time is 2.00% of CPU time since boot'));
    assert.match(hybridArchitectureNotice(vm)!, /steal time since boot: 2\.00%\)$/);
    // A hypervisor that hides the cpu flag still steals time.
    const hidden = await detectVirtualization(await host({ 'proc/cpuinfo': cpuinfo(CPU_FLAGS), 'proc/stat': procStat({ user: 1, system: 1, idle: 97, steal: 1 }) }));
    assert.deepEqual([hidden.kind, hidden.hypervisor], ['vm', 'unknown']);
    const metal = await detectVirtualization(await host({ 'proc/cpuinfo': cpuinfo(CPU_FLAGS), 'proc/stat': procStat({ user: 5, system: 5, idle: 90, steal: 0 }) }));
    assert.deepEqual([metal.kind, metal.stealSinceBoot], ['bare-metal', 0]);
    assert.equal((await detectVirtualization(await host({}))).stealSinceBoot, undefined);
  });

  it('steal deltas between two readings, and a live sample', async () => {
    const root = await host({ 'proc/stat': procStat({ user: 100, system: 0, idle: 800, steal: 100 }) });
    const t0 = (await readCpuTimes(root))!;
    assert.deepEqual(t0, { total: 1000, steal: 100 });
    assert.equal(stealFraction({ total: 1400, steal: 200 }, t0), 0.25);
    assert.equal(stealFraction(t0, t0), 0);
    assert.equal(await sampleSteal(1, root), 0, 'an unchanged /proc/stat steals nothing');
    assert.equal(await readCpuTimes(await host({ 'proc/stat': 'garbage\n' })), undefined);
    if (process.platform === 'linux') {
      const live = await sampleSteal(50);
      assert.ok(live !== undefined && live >= 0 && live <= 1, String(live));
    }
  });

  it('hostInfo reads a fake tree', async () => {
    const info = await hostInfo(await host({
      'proc/self/mountinfo': MOUNTINFO.v2,
      'proc/cpuinfo': cpuinfo(CPU_FLAGS, 8),
      'proc/meminfo': 'MemTotal:        2048000 kB\nMemFree:  1 kB\n',
      'proc/sys/kernel/osrelease': '6.1.0-test\n',
      'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    }));
    assert.equal(info.kernel, '6.1.0-test');
    assert.deepEqual(info.os, { id: 'debian', name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    assert.equal(info.cpus, 8);
    assert.equal(info.memTotal, 2048000 * 1024);
    assert.deepEqual(info.cgroup, { mode: 'v2', version: 2, driver: 'cgroupfs', v1Controllers: [] });
    assert.equal(info.virtualization.kind, 'bare-metal');
  });

  it('this host: a KVM virtual machine with hybrid cgroups (smoke test)', { skip: process.platform !== 'linux' }, async () => {
    const info = await hostInfo();
    assert.ok(info.virtualization.kind === 'vm' || info.virtualization.kind === 'vm+container', info.virtualization.kind);
    assert.equal(info.virtualization.hypervisor, 'KVM');
    assert.ok(info.virtualization.stealSinceBoot !== undefined && info.virtualization.stealSinceBoot < 1);
    assert.equal(info.cgroup.mode, 'hybrid');
    assert.equal(info.arch, 'amd64');
    assert.ok(info.cpus >= 1 && info.memTotal > 0);
    assert.match(info.kernel, /^\d+\.\d+/);
    assert.equal(info.os.id, 'debian');
    assert.match(hybridArchitectureNotice(info.virtualization)!, /virtual machine \(KVM\)/);
  });
});
