import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPABILITIES, DEVICE_RULES, MASKED_PATHS, READONLY_PATHS } from '../../src/security/index.js';
import { ALL_CAPABILITIES, ALWAYS_REFUSED_BY_DEFAULT, CLONE_NAMESPACE_FLAGS, DEFAULT_NO_NEW_PRIVILEGES, DEFAULT_SECCOMP_PROFILE,
  capabilityMask, compileSeccomp, effectiveCapabilities, normalizeCapability, sysctlRefusal } from '../../src/security/index.js';

// Capability numbers from linux/capability.h, to check the set against Docker's CapEff.
const CAP_NUMBERS: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6,
  CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_NET_BIND_SERVICE: 10, CAP_NET_RAW: 13, CAP_SYS_CHROOT: 18, CAP_SYS_ADMIN: 21,
  CAP_MKNOD: 27, CAP_AUDIT_WRITE: 29, CAP_SETFCAP: 31,
};

test("default capabilities are exactly Docker's (CapEff 00000000a80425fb)", () => {
  let mask = 0n;
  for (const c of DEFAULT_CAPABILITIES) {
    assert.ok(c in CAP_NUMBERS, `known capability ${c}`);
    mask |= 1n << BigInt(CAP_NUMBERS[c]!);
  }
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.equal(mask.toString(16).padStart(16, '0'), '00000000a80425fb');
  assert.ok(!DEFAULT_CAPABILITIES.includes('CAP_SYS_ADMIN'));
});

test('masked and read-only paths cover the sensitive /proc and /sys entries', () => {
  for (const p of ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/sys/firmware']) assert.ok(MASKED_PATHS.includes(p), p);
  for (const p of ['/proc/sys', '/proc/sysrq-trigger', '/proc/bus', '/proc/fs', '/proc/irq']) assert.ok(READONLY_PATHS.includes(p), p);
});

test('device rules deny everything first and never allow block devices beyond mknod', () => {
  assert.deepEqual(DEVICE_RULES[0], { allow: false, access: 'rwm' });
  for (const r of DEVICE_RULES.slice(1)) {
    assert.equal(r.allow, true);
    if (r.type === 'b') assert.equal(r.access, 'm');
    if (r.major === undefined) assert.equal(r.access, 'm', 'wildcard rules only allow mknod');
  }
});

// ---- seccomp profile, capabilities arithmetic, sysctl rules (pure, no containers) ----

const allowedNames = (caps: string[]) => {
  const p = compileSeccomp(DEFAULT_SECCOMP_PROFILE, caps, 'SCMP_ARCH_X86_64');
  return new Set(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
};

test('no-new-privileges is on by default', () => {
  assert.equal(DEFAULT_NO_NEW_PRIVILEGES, true);
});

test('the default seccomp profile is an allowlist that refuses the dangerous syscalls', () => {
  assert.equal(DEFAULT_SECCOMP_PROFILE.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(DEFAULT_SECCOMP_PROFILE.defaultErrnoRet, 1);
  const allowed = allowedNames([...DEFAULT_CAPABILITIES]);
  for (const name of ALWAYS_REFUSED_BY_DEFAULT) assert.ok(!allowed.has(name), `${name} must not be allowed`);
  for (const name of ['read', 'write', 'openat', 'execve', 'pipe2', 'futex', 'epoll_wait', 'socket', 'mknodat', 'chroot']) {
    assert.ok(allowed.has(name), `${name} must be allowed`);
  }
  const p = compileSeccomp(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES], 'SCMP_ARCH_X86_64');
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64'], 'the native ABI only: no 32-bit compat calls');
  assert.deepEqual(compileSeccomp(DEFAULT_SECCOMP_PROFILE, [], 'SCMP_ARCH_AARCH64').architectures, ['SCMP_ARCH_AARCH64']);
  const clone = p.syscalls.find((r) => r.names.includes('clone'))!;
  assert.deepEqual(clone.args, [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: CLONE_NAMESPACE_FLAGS, valueTwo: 0 }]);
  assert.deepEqual(p.syscalls.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  // Every name in the profile is a syscall-shaped word, listed once per unconditional allow.
  const flat = DEFAULT_SECCOMP_PROFILE.syscalls[0]!.names;
  assert.equal(new Set(flat).size, flat.length, 'no duplicates in the main allowlist');
});

test('capabilities bring their syscalls back, as in Docker', () => {
  const withAdmin = allowedNames([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  for (const n of ['mount', 'umount2', 'setns', 'unshare', 'clone', 'clone3', 'bpf']) assert.ok(withAdmin.has(n), n);
  for (const n of ['keyctl', 'io_uring_setup', 'kexec_load']) assert.ok(!withAdmin.has(n), n);
  const p = compileSeccomp(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'SCMP_ARCH_X86_64');
  assert.ok(!p.syscalls.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'), 'clone3 allowed, not ENOSYS');
  assert.ok(allowedNames([...DEFAULT_CAPABILITIES, 'CAP_SYS_TIME']).has('settimeofday'));
  assert.ok(allowedNames([...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']).has('ptrace'));
  assert.ok(allowedNames([...DEFAULT_CAPABILITIES, 'CAP_SYS_MODULE']).has('finit_module'));
});

test('capability names and the add/drop arithmetic', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('CAP_SYS_TIME'), 'CAP_SYS_TIME');
  assert.equal(normalizeCapability('all'), 'ALL');
  assert.equal(normalizeCapability('FLY'), undefined);
  const all = [...ALL_CAPABILITIES];
  const eff = (capAdd: string[], capDrop: string[], privileged = false) => effectiveCapabilities({ privileged, capAdd, capDrop }, all);
  assert.equal(capabilityMask(eff([], [])), '00000000a80425fb');
  assert.deepEqual(eff([], ['ALL']), []);
  assert.deepEqual(eff(['CAP_NET_BIND_SERVICE'], ['ALL']), ['CAP_NET_BIND_SERVICE']);
  assert.equal(eff(['ALL'], ['CAP_SYS_ADMIN']).length, all.length - 1);
  assert.equal(eff([], ['ALL'], true).length, all.length, 'privileged ignores drops');
  assert.ok(eff(['CAP_CHOWN'], ['CAP_CHOWN']).includes('CAP_CHOWN'), 'an add wins over a drop of the same capability');
  assert.equal(effectiveCapabilities({ privileged: true, capAdd: [], capDrop: [] }, ['CAP_CHOWN']).length, 1, 'never more than the engine has');
});

test('only namespaced sysctls, and not those of a namespace shared with the host', () => {
  const ctx = { hostNetwork: false, hostIpc: false };
  for (const k of ['kernel.shmmax', 'kernel.shm_rmid_forced', 'kernel.msgmax', 'kernel.sem', 'fs.mqueue.msg_max', 'net.ipv4.ip_forward']) {
    assert.equal(sysctlRefusal(k, ctx), undefined, k);
  }
  for (const k of ['kernel.hostname', 'vm.swappiness', 'kernel.panic', 'fs.file-max', 'kernel.semx']) assert.match(sysctlRefusal(k, ctx)!, new RegExp(`"${k.replace('.', '\\.')}" is not allowed`));
  assert.match(sysctlRefusal('net.ipv4.ip_forward', { hostNetwork: true, hostIpc: false })!, /--network host/);
  assert.match(sysctlRefusal('kernel.shmmax', { hostNetwork: false, hostIpc: true })!, /--ipc host/);
});
