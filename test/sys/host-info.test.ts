import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { detectVirtualization, hostInfo, hybridArchitectureNotice } from '../../src/sys/host-info.js';
import { MOUNTINFO, fakeHost } from './fake-host.js';

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

  it('containers: docker, podman, and the systemd marker', async () => {
    const docker = await detectVirtualization(await host({ '.dockerenv': '', 'proc/cpuinfo': cpuinfo(CPU_FLAGS) }));
    assert.deepEqual([docker.kind, docker.container], ['container', 'docker']);
    const podman = await detectVirtualization(await host({ 'run/.containerenv': '' }));
    assert.deepEqual([podman.kind, podman.container], ['container', 'podman']);
    const lxc = await detectVirtualization(await host({ 'run/systemd/container': 'lxc\n' }));
    assert.deepEqual([lxc.kind, lxc.container], ['container', 'lxc']);
    const env = await detectVirtualization(await host({ 'proc/1/environ': 'HOME=/\0container=systemd-nspawn\0' }));
    assert.deepEqual([env.kind, env.container], ['container', 'systemd-nspawn']);
  });

  it('a container inside a VM is both', async () => {
    const v = await detectVirtualization(await host({
      '.dockerenv': '',
      'proc/cpuinfo': cpuinfo(`${CPU_FLAGS} hypervisor`),
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'kvm-clock tsc\n',
    }));
    assert.deepEqual([v.kind, v.hypervisor, v.container], ['vm+container', 'KVM', 'docker']);
    assert.ok(hybridArchitectureNotice(v));
    assert.ok(v.evidence.length >= 3);
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
    assert.equal(info.cgroup.mode, 'hybrid');
    assert.equal(info.arch, 'amd64');
    assert.ok(info.cpus >= 1 && info.memTotal > 0);
    assert.match(info.kernel, /^\d+\.\d+/);
    assert.equal(info.os.id, 'debian');
    assert.match(hybridArchitectureNotice(info.virtualization)!, /virtual machine \(KVM\)/);
  });
});
