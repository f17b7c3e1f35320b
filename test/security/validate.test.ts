// validateSecurity: defaults, normalisation, and a one-line InvalidArgument (or NotSupported) for each mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../src/core/index.js';
import { defaultSecurity, validateSecurity } from '../../src/engine/validate-security.js';
import type { SecurityRequest } from '../../src/engine/index.js';

const bad = (req: unknown, message: RegExp, kind = 'InvalidArgument', ctx = {}) =>
  assert.throws(() => validateSecurity(req as SecurityRequest, ctx), (e) => {
    assert.equal(errorKind(e), kind);
    assert.match((e as Error).message, message);
    assert.ok(!(e as Error).message.includes('\n'), 'one line');
    return true;
  });

test('no request means the hardened defaults', () => {
  const d = validateSecurity(undefined);
  assert.deepEqual(d, defaultSecurity());
  assert.equal(d.noNewPrivileges, true);
  assert.equal(d.seccomp, 'default');
  assert.equal(d.privileged, false);
  assert.equal(d.cgroupns, 'private', 'on cgroup v1 too, unlike docker');
  assert.equal(validateSecurity({ cgroupns: 'host' }).cgroupns, 'host');
});

test('names are normalised', () => {
  const s = validateSecurity({ capAdd: ['net_admin', 'CAP_NET_ADMIN', 'all'], capDrop: ['Chown'], groupAdd: ['007', 'video'] });
  assert.deepEqual(s.capAdd, ['CAP_NET_ADMIN', 'ALL']);
  assert.deepEqual(s.capDrop, ['CAP_CHOWN']);
  assert.deepEqual(s.groupAdd, ['7', 'video']);
  assert.deepEqual(validateSecurity({ devices: [{ hostPath: '/dev/null', containerPath: '', permissions: '' }] }).devices,
    [{ hostPath: '/dev/null', containerPath: '/dev/null', permissions: 'rwm' }]);
  assert.equal(validateSecurity({ seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW"}' }).seccomp, 'custom');
});

test('mistakes are one-line errors', () => {
  bad([], /"security" must be an object/);
  bad({ apparmor: 'x' }, /unknown security option "apparmor"/);
  bad({ idMap: { hostUid: 0, hostGid: 0, size: 1 } }, /unknown security option "idMap"/);
  bad({ privileged: 'yes' }, /"privileged": must be true or false/);
  bad({ capAdd: 'NET_ADMIN' }, /expected a list of strings/);
  bad({ capAdd: ['FLY'] }, /invalid --cap-add "FLY": unknown capability/);
  bad({ seccomp: 'strict' }, /invalid seccomp mode "strict"/);
  bad({ seccomp: 'custom' }, /needs a profile/);
  bad({ seccomp: 'unconfined', seccompProfile: '{}' }, /conflicting seccomp options/);
  bad({ privileged: true, seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW"}' }, /--privileged runs without seccomp/);
  bad({ seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}' }, /syscalls\[0\] has no "names"/);
  bad({ seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["Mount!"],"action":"SCMP_ACT_ALLOW"}]}' }, /not a syscall name/);
  bad({ seccompProfile: '[1]' }, /the profile must be an object/);
  bad({ pid: 'container:x' }, /invalid --pid "container:x"/);
  bad({ cgroupns: 'shared' }, /^invalid --cgroupns "shared": expected host or private$/);
  bad({ userns: 'auto', privileged: true }, /--privileged cannot be combined with --userns=auto/);
  bad({ userns: 'other' }, /invalid --userns "other"/);
  bad({ devices: [{ hostPath: 'dev/null' }] }, /host path must be absolute/);
  bad({ devices: [{ hostPath: '/dev/null' }, { hostPath: '/dev/zero', containerPath: '/dev/null' }] }, /\/dev\/null is given twice/);
  bad({ devices: [{ hostPath: '/dev/null', permissions: 'rr' }] }, /permissions "rr"/);
  bad({ devices: [{ hostPath: '/tmp' }] }, /not a character or block device/);
  bad({ sysctls: { 'kernel.domainname': 'x' } }, /sysctl "kernel.domainname" is not allowed/);
  bad({ sysctls: { 'net.ipv4.ip_forward': '1' } }, /not allowed with --network host/, 'InvalidArgument', { network: 'host' });
  bad({ ipc: 'host', sysctls: { 'fs.mqueue.msg_max': '1' } }, /not allowed with --ipc host/);
  bad({ sysctls: { 'net.core.somaxconn': { v: 1 } } }, /the value must be a string/);
  bad({ groupAdd: ['a b'] }, /invalid --group-add "a b"/);
  bad({ groupAdd: ['99999999999'] }, /out of range/);
});

test('--privileged with --cap-drop ALL is accepted', () => {
  const s = validateSecurity({ privileged: true, capDrop: ['ALL'] });
  assert.equal(s.privileged, true);
  assert.deepEqual(s.capDrop, ['ALL']);
});
