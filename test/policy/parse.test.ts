// Loading a policy: the documented shape is accepted, a profile is laid under the file's rules, and every
// mistake (typo, wrong type, unknown profile, bad value) is one InvalidArgument line naming the key path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorKind } from '../../src/core/index.js';
import { builtinProfile, loadPolicyFile, parsePolicy } from '../../src/security/policy/index.js';

const refused = (doc: unknown, message: RegExp) => assert.throws(() => parsePolicy(doc, '/etc/bulkhead/policy.json'), (e) => {
  assert.equal(errorKind(e), 'InvalidArgument');
  assert.match((e as Error).message, message);
  assert.ok((e as Error).message.startsWith('policy /etc/bulkhead/policy.json: '), (e as Error).message);
  assert.ok(!(e as Error).message.includes('\n'), 'one line');
  return true;
});

test('the documented example parses, with names normalised', () => {
  const p = parsePolicy({
    profile: 'baseline',
    description: 'production hosts',
    rules: {
      allowPrivileged: false, allowHostNamespaces: false, allowedCapabilities: ['NET_BIND_SERVICE', 'cap_net_bind_service'],
      allowUnconfinedSeccomp: false, requireNoNewPrivileges: true, requireNonRoot: true, requireReadOnlyRootfs: true,
      requireMemoryLimit: true, requireCpuLimit: true, requirePidsLimit: true, bindMountRoots: ['/srv/data/'],
      allowedRegistries: ['Registry.Example:5000', 'index.docker.io/library'], requireImageDigest: false,
      publishedPorts: { hostPorts: ['8000-8999', 'random'], hostIps: ['127.0.0.1', '::1'] },
    },
  }, 'p.json');
  assert.equal(p.profile, 'baseline');
  assert.deepEqual(p.rules.allowedCapabilities, ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(p.rules.bindMountRoots, ['/srv/data']);
  assert.deepEqual(p.rules.allowedRegistries, ['registry.example:5000', 'docker.io/library']);
  assert.deepEqual(p.rules.allowedSysctls, builtinProfile('baseline').allowedSysctls, 'kept from the profile');
  assert.ok(p.explicitRules.includes('requireNonRoot') && !p.explicitRules.includes('allowedSysctls'));
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p, 'plain data');
});

test('explicit rules override the profile, and null lifts a list', () => {
  const p = parsePolicy({ profile: 'restricted', rules: { requireNonRoot: false, allowedCapabilities: null, bindMountRoots: ['/srv'] } }, 'p.json');
  assert.equal(p.rules.requireNonRoot, false);
  assert.ok(!('allowedCapabilities' in p.rules));
  assert.deepEqual(p.rules.bindMountRoots, ['/srv']);
  assert.equal(p.rules.requireNoNewPrivileges, true, 'the rest of the profile stays');
  assert.deepEqual(parsePolicy({}, 'empty.json'), { source: 'empty.json', rules: {}, explicitRules: [] });
});

test('typos and unknown keys are refused, with a suggestion when one is close', () => {
  refused({ rules: { requireNonroot: true } }, /rules.requireNonroot: unknown rule \(did you mean "requireNonRoot"\?\)/);
  refused({ rules: { allowPriviledged: false } }, /rules.allowPriviledged: unknown rule \(did you mean "allowPrivileged"\?\)/);
  refused({ rules: { frobnicate: 1 } }, /rules.frobnicate: unknown rule \(known: allowPrivileged, /);
  refused({ rule: {} }, /: rule: unknown key \(did you mean "rules"\?\)/);
  refused({ rules: { publishedPorts: { hostPort: [] } } }, /rules.publishedPorts.hostPort: unknown key \(did you mean "hostPorts"\?\)/);
});

test('wrong types are refused naming the key path', () => {
  refused([], /the policy must be a JSON object/);
  refused({ rules: [] }, /rules: must be an object/);
  refused({ rules: { allowPrivileged: 'no' } }, /rules.allowPrivileged: must be true or false, not "no"/);
  refused({ rules: { requirePidsLimit: null } }, /rules.requirePidsLimit: must be true or false, not null/);
  refused({ rules: { bindMountRoots: '/srv' } }, /rules.bindMountRoots: must be a list of strings, or null for no limit/);
  refused({ rules: { allowedSysctls: ['kernel.shm_rmid_forced', 7] } }, /rules.allowedSysctls\[1\]: must be a string, not 7/);
  refused({ rules: { publishedPorts: ['80'] } }, /rules.publishedPorts: must be an object/);
  refused({ description: 5 }, /description: must be a string/);
});

test('bad values are refused naming the list index', () => {
  refused({ rules: { allowedCapabilities: ['CHOWN', 'FOO'] } }, /rules.allowedCapabilities\[1\]: "FOO" is not a capability/);
  refused({ rules: { allowedAddedCapabilities: ['all'] } }, /rules.allowedAddedCapabilities\[0\]: "ALL" cannot be listed/);
  refused({ rules: { bindMountRoots: ['srv'] } }, /bindMountRoots\[0\]: "srv" must be an absolute host path/);
  refused({ rules: { bindMountRoots: ['/srv/../etc'] } }, /bindMountRoots\[0\]: "\/srv\/..\/etc" must be a clean path/);
  refused({ rules: { allowedRegistries: ['https://reg.example'] } }, /allowedRegistries\[0\]: "https:\/\/reg.example" is not a registry/);
  refused({ rules: { allowedSysctls: ['net.*.x'] } }, /allowedSysctls\[0\]: "net.\*.x" is not a sysctl name/);
  refused({ rules: { publishedPorts: { hostPorts: ['80', '9000-8000'] } } }, /publishedPorts.hostPorts\[1\]: "9000-8000" is not a port/);
  refused({ rules: { publishedPorts: { hostPorts: ['0'] } } }, /hostPorts\[0\]: "0" is not a port/);
  refused({ rules: { publishedPorts: { hostIps: ['localhost'] } } }, /publishedPorts.hostIps\[0\]: "localhost" is not an IP address/);
});

test('an unknown profile is refused, listing the known ones', () => {
  refused({ profile: 'strict' }, /profile: unknown profile "strict" \(known: baseline, restricted\)/);
  refused({ profile: 3 }, /profile: unknown profile 3/);
  assert.throws(() => builtinProfile('privileged'), /unknown policy profile "privileged" \(known: baseline, restricted\)/);
});

test('loadPolicyFile reads a file, and names it in every error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bh-test-policy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify({ profile: 'restricted' }));
  const p = await loadPolicyFile(good);
  assert.equal(p.source, good);
  assert.equal(p.profile, 'restricted');
  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{"profile": "baseline",}');
  await assert.rejects(loadPolicyFile(broken), (e) => errorKind(e) === 'InvalidArgument' && (e as Error).message.startsWith(`policy ${broken} is not valid JSON: `));
  const typo = join(dir, 'typo.json');
  await writeFile(typo, '{"rules": {"requireReadonlyRootfs": true}}');
  await assert.rejects(loadPolicyFile(typo), new RegExp(`^InvalidArgumentError: policy ${typo}: rules.requireReadonlyRootfs: unknown rule \\(did you mean "requireReadOnlyRootfs"\\?\\)$`));
  await assert.rejects(loadPolicyFile(join(dir, 'missing.json')), /cannot read policy .*missing.json: ENOENT/);
});
