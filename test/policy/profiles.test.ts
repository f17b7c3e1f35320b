// The built-in profiles: baseline accepts what `run busybox` creates and refuses the known escalations;
// restricted also refuses root, the default capabilities and a custom seccomp profile. Messages name the profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPABILITIES } from '../../src/security/index.js';
import { SAFE_SYSCTLS, builtinProfile, describePolicy, enforcePolicy, evaluatePolicy, evaluateUserPolicy, parsePolicy, policyRuleViews } from '../../src/security/policy/index.js';
import { defaultConfig, hardenedConfig, subject } from './fixtures.js';

const baseline = parsePolicy({ profile: 'baseline' }, 'p.json');
const restricted = parsePolicy({ profile: 'restricted' }, 'p.json');
const rulesBroken = (policy: typeof baseline, f: (c: ReturnType<typeof defaultConfig>) => void, base = defaultConfig()) => {
  f(base);
  return evaluatePolicy(policy, subject(base)).map((v) => v.rule);
};

test('baseline accepts a default container, published ports, safe sysctls and the default capabilities re-added', () => {
  assert.deepEqual(evaluatePolicy(baseline, subject(defaultConfig())), []);
  assert.deepEqual(rulesBroken(baseline, (c) => {
    c.ports = [{ hostIp: '', hostPort: 80, containerPort: 80, protocol: 'tcp' }];
    c.security.sysctls = { 'net.ipv4.tcp_syncookies': '1' };
    c.security.capAdd = ['CAP_NET_RAW', 'CAP_CHOWN'];
    c.mounts = [{ type: 'volume', source: 'data', target: '/data', readOnly: false }, { type: 'tmpfs', source: '', target: '/tmp', readOnly: false }];
  }), []);
});

test('baseline refuses privileged, host namespaces, added capabilities, unconfined seccomp, unsafe sysctls, binds and devices', () => {
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.privileged = true; }), ['allowPrivileged', 'allowedAddedCapabilities', 'allowUnconfinedSeccomp']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.ipc = 'host'; }), ['allowHostNamespaces']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.cgroupns = 'host'; }), ['allowHostNamespaces']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.capAdd = ['CAP_SYS_ADMIN']; }), ['allowedAddedCapabilities']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.seccomp = 'unconfined'; }), ['allowUnconfinedSeccomp']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.sysctls = { 'kernel.msgmax': '65536' }; }), ['allowedSysctls']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.mounts = [{ type: 'bind', source: '/var/run/docker.sock', target: '/s', readOnly: false }]; }), ['bindMountRoots']);
  assert.deepEqual(rulesBroken(baseline, (c) => { c.security.devices = [{ hostPath: '/dev/kmsg', containerPath: '/dev/kmsg', permissions: 'r' }]; }), ['allowDevices']);
  assert.throws(() => enforcePolicy(baseline, subject(Object.assign(defaultConfig(), { network: 'host' }))),
    /^PolicyDeniedError: refused by policy rule "allowHostNamespaces": the host's namespaces are not allowed \(--network host\) \(profile baseline\)$/);
});

test('restricted refuses a default container (root, default capabilities) and accepts a hardened one', () => {
  assert.deepEqual(evaluatePolicy(restricted, subject(defaultConfig())).map((v) => v.rule), ['allowedCapabilities', 'requireNonRoot']);
  assert.deepEqual(evaluatePolicy(restricted, subject(hardenedConfig())), []);
  assert.deepEqual(rulesBroken(restricted, (c) => { c.security.noNewPrivileges = false; }, hardenedConfig()), ['requireNoNewPrivileges']);
  assert.deepEqual(rulesBroken(restricted, (c) => { c.security.seccomp = 'custom'; }, hardenedConfig()), ['allowCustomSeccomp']);
  assert.deepEqual(rulesBroken(restricted, (c) => { c.ports = [{ hostIp: '', hostPort: 443, containerPort: 443, protocol: 'tcp' }]; }, hardenedConfig()), ['publishedPorts']);
  assert.deepEqual(rulesBroken(restricted, (c) => { c.ports = [{ hostIp: '', hostPort: 0, containerPort: 443, protocol: 'tcp' }]; }, hardenedConfig()), []);
  assert.throws(() => enforcePolicy(restricted, subject(Object.assign(hardenedConfig(), { user: 'root' }))),
    /refused by policy rule "requireNonRoot": the container must not run as root \(user "root"; use --user with a non-zero uid\) \(profile restricted\)$/);
  assert.equal(evaluateUserPolicy(restricted, { user: '0' }, 'exec')[0]?.rule, 'requireNonRoot');
  assert.deepEqual(evaluateUserPolicy(restricted, { user: '' , uid: 1000 }, 'exec'), []);
});

test('a rule the file overrides is attributed to the file, the rest to the profile', () => {
  const p = parsePolicy({ profile: 'restricted', rules: { requireMemoryLimit: true } }, '/etc/bulkhead/policy.json');
  const v = evaluatePolicy(p, subject(defaultConfig()));
  assert.deepEqual(v.map((x) => [x.rule, x.origin]), [
    ['allowedCapabilities', 'profile restricted'], ['requireNonRoot', 'profile restricted'], ['requireMemoryLimit', 'policy /etc/bulkhead/policy.json']]);
});

test('profile data: baseline adds nothing beyond the PSS list (which the default set contains), restricted extends baseline', () => {
  const pssBaselineAdds = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
  for (const c of pssBaselineAdds) assert.ok(DEFAULT_CAPABILITIES.includes(`CAP_${c}`), c);
  const b = builtinProfile('baseline');
  const r = builtinProfile('restricted');
  for (const [k, v] of Object.entries(b)) assert.deepEqual((r as Record<string, unknown>)[k], v, `restricted keeps baseline's ${k}`);
  assert.deepEqual(b.allowedSysctls, [...SAFE_SYSCTLS]);
  b.allowedSysctls!.push('x');
  assert.deepEqual(builtinProfile('baseline').allowedSysctls, [...SAFE_SYSCTLS], 'a copy each time');
});

test('describePolicy lists every rule with its state and origin', () => {
  const p = parsePolicy({ profile: 'baseline', rules: { requirePidsLimit: true, bindMountRoots: null } }, '/etc/bulkhead/policy.json');
  const text = describePolicy(p);
  const lines = text.split('\n');
  assert.equal(lines[0], 'policy /etc/bulkhead/policy.json (profile baseline)');
  assert.equal(lines.length, 1 + policyRuleViews(p).length);
  assert.match(text, /^allowPrivileged +enforced +false +\[profile baseline\]/m);
  assert.match(text, /^requirePidsLimit +enforced +true +\[policy \/etc\/bulkhead\/policy.json\]/m);
  assert.match(text, /^bindMountRoots +off +null \(no limit\) +\[policy \/etc\/bulkhead\/policy.json\]/m);
  assert.match(text, /^requireNonRoot +off +- +# /m);
});
