// Every rule: one config it refuses and one it accepts, and a refusal message that names the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind, type ContainerConfig } from '../../src/core/index.js';
import { PolicyDeniedError, enforcePolicy, evaluatePolicy, type PolicyRules, type PolicySubject, type RuleName } from '../../src/security/policy/index.js';
import { defaultConfig, hardenedConfig, policyOf, subject } from './fixtures.js';

interface Case {
  rule: RuleName;
  rules: PolicyRules | Record<string, unknown>;
  refused: PolicySubject;
  accepted: PolicySubject;
  message: RegExp;
}

const change = (f: (c: ContainerConfig) => void, base = hardenedConfig()): ContainerConfig => { f(base); return base; };
const ok = subject(hardenedConfig());

const CASES: Case[] = [
  { rule: 'allowPrivileged', rules: { allowPrivileged: false }, refused: subject(change((c) => { c.security.privileged = true; })),
    accepted: ok, message: /privileged containers are not allowed/ },
  { rule: 'allowHostNamespaces', rules: { allowHostNamespaces: false }, refused: subject(change((c) => { c.network = 'host'; c.security.pid = 'host'; })),
    accepted: ok, message: /--network host, --pid host/ },
  { rule: 'allowedCapabilities', rules: { allowedCapabilities: ['NET_BIND_SERVICE'] }, refused: subject(defaultConfig()),
    accepted: ok, message: /capabilities CAP_CHOWN, .* are not allowed \(allowed: CAP_NET_BIND_SERVICE/ },
  { rule: 'allowedAddedCapabilities', rules: { allowedAddedCapabilities: ['CAP_NET_ADMIN'] },
    refused: subject(change((c) => { c.security.capAdd = ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']; }, defaultConfig())),
    accepted: subject(change((c) => { c.security.capAdd = ['CAP_NET_ADMIN', 'CAP_NET_RAW']; }, defaultConfig())),
    message: /beyond the default set are not allowed: CAP_SYS_ADMIN \(allowed to add: CAP_NET_ADMIN\)/ },
  { rule: 'allowUnconfinedSeccomp', rules: { allowUnconfinedSeccomp: false }, refused: subject(change((c) => { c.security.seccomp = 'unconfined'; })),
    accepted: ok, message: /without seccomp is not allowed \(seccomp=unconfined\)/ },
  { rule: 'allowCustomSeccomp', rules: { allowCustomSeccomp: false },
    refused: subject(change((c) => { c.security.seccomp = 'custom'; c.security.seccompProfile = '{"defaultAction":"SCMP_ACT_ALLOW"}'; })),
    accepted: ok, message: /custom seccomp profile is not allowed/ },
  { rule: 'requireNoNewPrivileges', rules: { requireNoNewPrivileges: true }, refused: subject(change((c) => { c.security.noNewPrivileges = false; })),
    accepted: ok, message: /no-new-privileges must stay on/ },
  { rule: 'requireNonRoot', rules: { requireNonRoot: true }, refused: subject(change((c) => { c.user = '0:1000'; })),
    accepted: ok, message: /must not run as root \(user "0:1000"/ },
  { rule: 'requireReadOnlyRootfs', rules: { requireReadOnlyRootfs: true }, refused: subject(defaultConfig()),
    accepted: ok, message: /root filesystem must be read-only/ },
  { rule: 'requireMemoryLimit', rules: { requireMemoryLimit: true }, refused: subject(defaultConfig()),
    accepted: ok, message: /memory limit is required/ },
  { rule: 'requireCpuLimit', rules: { requireCpuLimit: true }, refused: subject(change((c) => { c.resources = { cpuShares: 512 }; })),
    accepted: subject(change((c) => { c.resources = { cpuQuota: 50000, cpuPeriod: 100000 }; })), message: /CPU limit is required/ },
  { rule: 'requirePidsLimit', rules: { requirePidsLimit: true }, refused: subject(change((c) => { c.resources.pidsLimit = -1; })),
    accepted: subject(defaultConfig()), message: /pids limit is required/ },
  { rule: 'allowDevices', rules: { allowDevices: false },
    refused: subject(change((c) => { c.security.devices = [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rwm' }]; })),
    accepted: ok, message: /host devices are not allowed \(\/dev\/fuse\)/ },
  { rule: 'allowedSysctls', rules: { allowedSysctls: ['net.ipv4.tcp_*', 'kernel.shm_rmid_forced'] },
    refused: subject(change((c) => { c.security.sysctls = { 'net.ipv4.tcp_syncookies': '1', 'net.core.somaxconn': '1024' }; })),
    accepted: subject(change((c) => { c.security.sysctls = { 'net.ipv4.tcp_syncookies': '1', 'kernel.shm_rmid_forced': '1' }; })),
    message: /sysctls net.core.somaxconn are not allowed/ },
  { rule: 'bindMountRoots', rules: { bindMountRoots: ['/srv/data'] },
    refused: subject(change((c) => { c.mounts = [{ type: 'bind', source: '/srv/data/../../etc', target: '/x', readOnly: true }]; })),
    accepted: subject(change((c) => { c.mounts = [{ type: 'bind', source: '/srv/data/app', target: '/x', readOnly: false },
      { type: 'volume', source: 'v', target: '/v', readOnly: false }]; })),
    message: /bind mounts from \/srv\/data\/\.\.\/\.\.\/etc are not allowed \(allowed under: \/srv\/data\)/ },
  { rule: 'allowedRegistries', rules: { allowedRegistries: ['registry.example:5000', 'docker.io/library'] },
    refused: subject(hardenedConfig(), { registry: 'docker.io', repository: 'evil/busybox' }),
    accepted: subject(hardenedConfig(), { registry: 'registry.example:5000', repository: 'team/app' }),
    message: /image docker.io\/evil\/busybox is not from an allowed registry/ },
  { rule: 'requireImageDigest', rules: { requireImageDigest: true }, refused: ok,
    accepted: subject(hardenedConfig(), { registry: 'docker.io', repository: 'library/busybox', digest: `sha256:${'b'.repeat(64)}` }),
    message: /must be named by digest/ },
  { rule: 'publishedPorts', rules: { publishedPorts: { hostPorts: ['8000-8999'], hostIps: ['127.0.0.1'] } },
    refused: subject(change((c) => { c.ports = [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]; })),
    accepted: subject(change((c) => { c.ports = [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]; })),
    message: /binds every host address, not one of 127.0.0.1/ },
];

for (const c of CASES) {
  test(`rule ${c.rule}: refuses and accepts`, () => {
    const policy = policyOf(c.rules);
    const refused = evaluatePolicy(policy, c.refused);
    assert.deepEqual(refused.map((v) => v.rule), [c.rule]);
    assert.match(refused[0]!.message, c.message);
    assert.deepEqual(evaluatePolicy(policy, c.accepted), []);
    assert.throws(() => enforcePolicy(policy, c.refused), (e) => {
      assert.ok(e instanceof PolicyDeniedError);
      assert.equal(errorKind(e), 'PermissionDenied');
      assert.equal(e.rule, c.rule);
      assert.ok(e.message.startsWith(`refused by policy rule "${c.rule}": `), e.message);
      assert.ok(e.message.endsWith('(policy test.json)'), e.message);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    enforcePolicy(policy, c.accepted);
  });
}

test('every rule of the catalogue has a case above', async () => {
  const { RULE_NAMES } = await import('../../src/security/policy/index.js');
  assert.deepEqual(CASES.map((c) => c.rule).sort(), [...RULE_NAMES].sort());
});

test('privileged breaks every rule it implies, and the denial names the first and lists the rest', () => {
  const policy = policyOf({ allowPrivileged: false, allowUnconfinedSeccomp: false, allowedAddedCapabilities: [] });
  const s = subject(change((c) => { c.security.privileged = true; }, defaultConfig()));
  assert.deepEqual(evaluatePolicy(policy, s).map((v) => v.rule), ['allowPrivileged', 'allowedAddedCapabilities', 'allowUnconfinedSeccomp']);
  assert.throws(() => enforcePolicy(policy, s),
    /^PolicyDeniedError: refused by policy rule "allowPrivileged": privileged containers are not allowed \(policy test.json\); also refused by "allowedAddedCapabilities", "allowUnconfinedSeccomp"$/);
  // --cap-add ALL is judged by what it gives, not by its spelling.
  const all = subject(change((c) => { c.security.capAdd = ['ALL']; }, defaultConfig()));
  assert.match(evaluatePolicy(policy, all)[0]!.message, /CAP_SYS_ADMIN/);
});

test('allowDevices: a device cgroup rule opens devices as --device does, and is refused alike', () => {
  const rules = subject(change((c) => { c.security.deviceCgroupRules = ['c 10:237 rm']; }));
  assert.match(evaluatePolicy(policyOf({ allowDevices: false }), rules)[0]!.message, /device cgroup rules are not allowed \(c 10:237 rm\)/);
  assert.deepEqual(evaluatePolicy(policyOf({ allowDevices: true }), rules), []);
});

test('requireNonRoot: the image default is root, names need a resolved uid, numeric uids pass', () => {
  const policy = policyOf({ requireNonRoot: true });
  const as = (user: string, uid?: number) => evaluatePolicy(policy, subject(change((c) => { c.user = user; }), undefined, uid === undefined ? {} : { uid }));
  assert.match(as('')[0]!.message, /neither the image nor --user names a user/);
  assert.match(as('root')[0]!.message, /must not run as root/);
  assert.match(as('000')[0]!.message, /must not run as root/);
  assert.match(as('app')[0]!.message, /cannot be verified as non-root/);
  assert.deepEqual(as('app', 1000), []);
  assert.match(as('toor', 0)[0]!.message, /is uid 0/);
  assert.deepEqual(as('65534:65534'), []);
});

test('bindMountRoots: [] refuses every bind, a symlink leading out of a root is judged by its real path, "/" allows all', () => {
  const bind = (source: string) => change((c) => { c.mounts = [{ type: 'bind', source, target: '/x', readOnly: true }]; });
  assert.match(evaluatePolicy(policyOf({ bindMountRoots: [] }), subject(bind('/srv/data')))[0]!.message, /bind mounts from the host are not allowed/);
  const sneaky = subject(bind('/srv/data/link'), undefined, { realBindSources: { '/srv/data/link': '/etc' } });
  assert.match(evaluatePolicy(policyOf({ bindMountRoots: ['/srv/data'] }), sneaky)[0]!.message, /\/srv\/data\/link \(really \/etc\)/);
  assert.deepEqual(evaluatePolicy(policyOf({ bindMountRoots: ['/srv/data'] }), subject(bind('/srv/database'))).length, 1, 'prefix is by path component');
  assert.deepEqual(evaluatePolicy(policyOf({ bindMountRoots: ['/'] }), sneaky), []);
});

test('publishedPorts: random ports only when listed, -P judged too, [] forbids publishing, host network has nothing published', () => {
  const withPorts = (f: (c: ContainerConfig) => void) => subject(change(f));
  const random = withPorts((c) => { c.ports = [{ hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp' }]; });
  assert.match(evaluatePolicy(policyOf({ publishedPorts: { hostPorts: ['1024-65535'] } }), random)[0]!.message, /random:80\/tcp uses a host port outside/);
  assert.deepEqual(evaluatePolicy(policyOf({ publishedPorts: { hostPorts: ['1024-65535', 'random'] } }), random), []);
  const publishAll = withPorts((c) => { c.publishAll = true; c.exposedPorts = ['80/tcp']; });
  assert.match(evaluatePolicy(policyOf({ publishedPorts: { hostPorts: ['8080'] } }), publishAll)[0]!.message, /-P publishes on random host ports/);
  const low = withPorts((c) => { c.ports = [{ hostIp: '::1', hostPort: 80, containerPort: 80, protocol: 'udp' }]; });
  assert.match(evaluatePolicy(policyOf({ publishedPorts: { hostPorts: [] } }), low)[0]!.message, /-p \[::1\]:80:80\/udp .*publishing is off/);
  assert.deepEqual(evaluatePolicy(policyOf({ publishedPorts: { hostIps: ['0.0.0.0'] } }), withPorts((c) => {
    c.ports = [{ hostIp: '', hostPort: 80, containerPort: 80, protocol: 'tcp' }];
  })), []);
});

test('allowedRegistries: an image named by id has no registry; index.docker.io means docker.io; prefixes end at a path component', () => {
  const policy = policyOf({ allowedRegistries: ['index.docker.io/library'] });
  const img = (registry: string, repository: string) => evaluatePolicy(policy, subject(hardenedConfig(), { registry, repository }));
  assert.deepEqual(img('docker.io', 'library/busybox'), []);
  assert.equal(img('docker.io', 'library-evil/busybox').length, 1);
  assert.match(img('', '')[0]!.message, /\(no registry\)/);
});
