import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPABILITIES, DEVICE_RULES, MASKED_PATHS, READONLY_PATHS } from '../../src/security/index.js';

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
