// applySecurity through generateSpec: what lands in config.json for each option (the probe and flag suites
// then show the kernel enforcing it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { errorKind, type SecurityOptions } from '../../src/core/index.js';
import { defaultSecurity } from '../../src/engine/validate-security.js';
import { generateSpec } from '../../src/specgen/index.js';
import type { SecureOciLinux } from '../../src/specgen/security.js';
import { hardeningView } from '../../src/security/index.js';
import { makeConfig, makeRootfs } from '../specgen/fixtures.js';

const fx = makeRootfs();
after(() => rmSync(fx.base, { recursive: true, force: true }));
const spec = (security: Partial<SecurityOptions> = {}, over: Parameters<typeof makeConfig>[0] = {}) =>
  generateSpec({ config: makeConfig({ ...over, security: { ...defaultSecurity(), ...security } }), rootfs: fx.rootfs, etcFilesDir: fx.containerDir, volumePaths: { v: '/tmp' } });
const linux = (s: { linux: unknown }) => s.linux as SecureOciLinux;

test('defaults: seccomp profile, no-new-privileges, masked paths', async () => {
  const s = await spec();
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(linux(s).seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  assert.equal(linux(s).devices, undefined);
});

test('unconfined and privileged have no seccomp; privileged opens everything else too', async () => {
  assert.equal(linux(await spec({ seccomp: 'unconfined' })).seccomp, undefined);
  const p = await spec({ privileged: true });
  assert.equal(linux(p).seccomp, undefined);
  assert.deepEqual(p.linux.maskedPaths, []);
  assert.deepEqual(p.linux.readonlyPaths, []);
  assert.ok(!p.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  assert.deepEqual(p.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(linux(p).devices!.some((d) => d.path === '/dev/null' || d.path === '/dev/kmsg'));
  assert.ok(p.process.capabilities.bounding.length > 14);
});

test('a custom profile is compiled as given', async () => {
  const s = await spec({ seccomp: 'custom', seccompProfile: JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO' }] }) });
  assert.deepEqual(linux(s).seccomp, { defaultAction: 'SCMP_ACT_ALLOW', architectures: [], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
});

test('devices, sysctls, groups, host namespaces', async () => {
  const s = await spec({ devices: [{ hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: 'rw' }], sysctls: { 'kernel.shmmax': '1' },
    groupAdd: ['extra', '77'], uts: 'host', pid: 'host' }, { user: 'app' });
  assert.deepEqual(linux(s).devices, [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }]);
  assert.deepEqual(s.linux.resources.devices.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
  assert.equal(s.linux.sysctl!['kernel.shmmax'], '1');
  assert.equal(s.linux.sysctl!['net.ipv4.ping_group_range'], '0 2147483647', 'the netns defaults stay');
  assert.deepEqual(s.process.user.additionalGids, [1000, 2000, 2001, 77]);
  assert.equal(s.hostname, '');
  assert.deepEqual(s.linux.namespaces.map((n) => n.type).sort(), ['cgroup', 'ipc', 'mount', 'network']);
  const hostCgroup = await spec({ cgroupns: 'host' });
  assert.deepEqual(hostCgroup.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  await assert.rejects(spec({ groupAdd: ['nosuch'] }), (e) => errorKind(e) === 'InvalidArgument' && /unable to find group nosuch/.test(String(e)));
  await assert.rejects(spec({ sysctls: { 'net.ipv4.ip_forward': '1' } }, { network: 'host' }), /not allowed with --network host/);
});

test('--read-only adds tmpfs on /tmp and /run before mounts below them, unless the user mounts there', async () => {
  const s = await spec({}, { readOnlyRootfs: true, mounts: [{ type: 'volume', source: 'v', target: '/tmp/data', readOnly: false }] });
  const dests = s.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf('/tmp') >= 0 && dests.indexOf('/tmp') < dests.indexOf('/tmp/data'));
  assert.ok(dests.includes('/run'));
  const own = await spec({}, { readOnlyRootfs: true, mounts: [{ type: 'tmpfs', source: '', target: '/tmp', readOnly: false, options: ['size=1m'] }] });
  assert.equal(own.mounts.filter((m) => m.destination === '/tmp').length, 1);
  assert.ok(own.mounts.find((m) => m.destination === '/tmp')!.options.includes('size=1m'));
  assert.ok(!(await spec()).mounts.some((m) => m.destination === '/run'), 'no tmpfs without --read-only');
});

test('the hardening summary', () => {
  const d = hardeningView(makeConfig());
  assert.equal(d.dataInVolumesOnly.followed, false);
  assert.equal(d.privateNetwork.followed, true);
  assert.equal(d.minimalPrivileges.followed, false);
  assert.match(d.minimalPrivileges.reason, /runs as root/);
  const h = hardeningView(makeConfig({ readOnlyRootfs: true, user: 'app', mounts: [{ type: 'bind', source: '/srv', target: '/srv', readOnly: false }] }));
  assert.equal(h.dataInVolumesOnly.followed, true);
  assert.equal(h.writesOnlyContainerFilesystems.followed, false);
  assert.match(h.writesOnlyContainerFilesystems.reason, /\/srv/);
  assert.equal(h.minimalPrivileges.followed, true);
  assert.equal(hardeningView(makeConfig({ network: 'host' })).privateNetwork.followed, false);
  assert.match(hardeningView(makeConfig({ user: 'app', security: { ...defaultSecurity(), capAdd: ['CAP_NET_ADMIN'] } })).minimalPrivileges.reason, /adds CAP_NET_ADMIN/);
});
