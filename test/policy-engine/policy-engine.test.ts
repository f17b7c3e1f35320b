// The engine-wide security policy end to end, on one engine restarted with three daemon configs: none (the
// containers made then are what `policy check` later finds), a restrictive custom policy file (every rule refused
// once through `bulkhead` and once through the docker CLI or a raw Docker API request, with a one-line message
// naming the rule; a compliant container accepted by both; exec and update judged too), and the built-in
// "restricted" profile. A broken policy file stops the daemon with the loader's one-line error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerTestEngine, haveDockerCli } from '../docker/helpers.js';
import { TestEngine } from '../helpers/engine-harness.js';

/** A docker-capable test engine whose daemon reads this test's config file (rewritten between restarts). */
class PolicyEngine extends DockerTestEngine {
  readonly config = join(this.dir, 'daemon.json');
  protected override daemonArgs(): string[] {
    return ['--config', this.config];
  }
  async restart(config: object): Promise<void> {
    await this.killDaemon('SIGTERM'); // not `daemon stop`: it would wait on our unreaped child while we block
    writeFileSync(this.config, JSON.stringify(config));
    await this.startDaemon();
  }
}

const engine = new PolicyEngine('bh-test-policy-');
const allowed = join(engine.dir, 'allowed');
const policyFile = join(engine.dir, 'policy.json');
const seccompFile = join(engine.dir, 'seccomp.json');

const RULES = {
  allowPrivileged: false,
  allowHostNamespaces: false,
  allowedCapabilities: ['NET_BIND_SERVICE', 'CAP_NET_ADMIN', 'CAP_SYS_TIME'],
  allowedAddedCapabilities: ['CAP_NET_ADMIN'],
  allowUnconfinedSeccomp: false,
  allowCustomSeccomp: false,
  requireNoNewPrivileges: true,
  requireNonRoot: true,
  requireReadOnlyRootfs: true,
  requireMemoryLimit: true,
  requireCpuLimit: true,
  requirePidsLimit: true,
  allowDevices: false,
  allowedSysctls: ['net.ipv4.tcp_*'],
  bindMountRoots: [allowed],
  allowedRegistries: ['docker.io/library'],
  requireImageDigest: true,
  publishedPorts: { hostPorts: ['20000-20100'], hostIps: ['127.0.0.1'] },
};

let imageId = '';
/** Flags of a container every rule above accepts; each case changes one thing. */
const compliant = (image = `busybox@${imageId}`) => ['--user', '1000:1000', '--read-only', '--memory', '64m', '--cpus', '0.5',
  '--pids-limit', '100', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', image];
const without = (flags: string[], ...drop: string[]) => {
  const out = [...flags];
  for (const f of drop) {
    const i = out.indexOf(f);
    out.splice(i, f.startsWith('--') && !['--read-only'].includes(f) ? 2 : 1);
  }
  return out;
};

/** One rule: the flags that break it (on top of, or instead of, the compliant ones). Same flags for both CLIs. */
const CASES: Array<{ rule: keyof typeof RULES; args: () => string[] }> = [
  { rule: 'allowPrivileged', args: () => ['--privileged', ...compliant()] },
  { rule: 'allowHostNamespaces', args: () => ['--pid', 'host', ...compliant()] },
  { rule: 'allowedCapabilities', args: () => without(compliant(), '--cap-drop') },
  { rule: 'allowedAddedCapabilities', args: () => ['--cap-add', 'SYS_TIME', ...compliant()] },
  { rule: 'allowUnconfinedSeccomp', args: () => ['--security-opt', 'seccomp=unconfined', ...compliant()] },
  { rule: 'allowCustomSeccomp', args: () => ['--security-opt', `seccomp=${seccompFile}`, ...compliant()] },
  { rule: 'requireNoNewPrivileges', args: () => ['--security-opt', 'no-new-privileges=false', ...compliant()] },
  { rule: 'requireNonRoot', args: () => ['--user', '0', ...without(compliant(), '--user')] },
  { rule: 'requireReadOnlyRootfs', args: () => without(compliant(), '--read-only') },
  { rule: 'requireMemoryLimit', args: () => without(compliant(), '--memory') },
  { rule: 'requireCpuLimit', args: () => without(compliant(), '--cpus') },
  { rule: 'requirePidsLimit', args: () => ['--pids-limit', '-1', ...without(compliant(), '--pids-limit')] },
  { rule: 'allowDevices', args: () => ['--device', '/dev/zero:/dev/zz', ...compliant()] },
  { rule: 'allowedSysctls', args: () => ['--sysctl', 'net.core.somaxconn=1024', ...compliant()] },
  { rule: 'bindMountRoots', args: () => ['-v', '/etc:/host-etc:ro', ...compliant()] },
  { rule: 'allowedRegistries', args: () => compliant(`registry.example:5000/team/busybox@${imageId}`) },
  { rule: 'requireImageDigest', args: () => compliant('busybox') },
  { rule: 'publishedPorts', args: () => ['-p', '8080:80', ...compliant()] },
];

before(async () => {
  if (!haveDockerCli()) return;
  mkdirSync(allowed);
  writeFileSync(policyFile, JSON.stringify({ description: 'test policy', rules: RULES }));
  writeFileSync(seccompFile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
  writeFileSync(engine.config, '{}');
  await engine.setup();
  imageId = (JSON.parse(engine.ok(['image', 'inspect', 'busybox'])) as Array<{ Id: string }>)[0]!.Id;
  engine.ok(['tag', 'busybox', 'registry.example:5000/team/busybox']);
  // Made before any policy: `policy check` finds them later; the engine never touches them for it.
  engine.ok(['create', '--name', 'pre-default', 'busybox', 'true']);
  engine.ok(['create', '--name', 'pre-privileged', '--privileged', 'busybox', 'true']);
});
after(() => engine.cleanup());

const skip = !haveDockerCli() && 'the docker CLI is not installed';

const refusedLine = (rule: string) => new RegExp(`refused by policy rule "${rule}": [^\\n]+ \\((policy ${policyFile.replace(/[.]/g, '\\.')}|profile restricted)\\)`);

function refusedByBulkhead(args: string[], rule: string): void {
  const r = engine.run(args);
  assert.equal(r.code, args[0] === 'run' ? 125 : 1, `bulkhead ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^bulkhead: (update container \\S+: )?${refusedLine(rule).source}`));
}

function refusedByDocker(args: string[], rule: string): void {
  const r = engine.docker(args);
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail`);
  assert.match(r.stderr, new RegExp(`Error response from daemon: (update container \\S+: )?${refusedLine(rule).source}`), r.stderr);
}

test('no policy: show says so, check with none finds nothing, check with a profile or a file lists the old containers', { skip }, () => {
  assert.match(engine.ok(['policy', 'show']), /^no policy/);
  const none = engine.run(['policy', 'check']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /2 container\(s\) checked against no policy/);

  const baseline = engine.run(['policy', 'check', '--profile', 'baseline']);
  assert.equal(baseline.code, 0, baseline.stderr);
  const lines = baseline.stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => /^(\S+): refused by policy rule "(\w+)": .+ \(profile baseline\)$/.exec(l)?.slice(1).join(' ')),
    ['pre-privileged allowPrivileged', 'pre-privileged allowedAddedCapabilities', 'pre-privileged allowUnconfinedSeccomp']);
  assert.match(baseline.stderr, /2 container\(s\) checked against policy builtin \(profile baseline\): 1 would be refused/);

  const fromFile = JSON.parse(engine.ok(['policy', 'check', '--file', policyFile, '--format', 'json'])) as { source: string; violations: Array<{ name: string; rule: string }> };
  assert.equal(fromFile.source, policyFile);
  const rulesOf = (name: string) => fromFile.violations.filter((v) => v.name === name).map((v) => v.rule);
  assert.deepEqual(rulesOf('pre-default'), ['allowedCapabilities', 'requireNonRoot', 'requireReadOnlyRootfs', 'requireMemoryLimit',
    'requireCpuLimit', 'requireImageDigest']);
  assert.ok(rulesOf('pre-privileged').includes('allowPrivileged'));

  // Bad input is the only failure: an unknown profile, a missing file, a broken rule.
  const unknown = engine.run(['policy', 'check', '--profile', 'strict']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^bulkhead: .*unknown (policy )?profile "?strict"?.*known: baseline, restricted/);
  const missing = engine.run(['policy', 'check', '--file', join(engine.dir, 'nope.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^bulkhead: cannot read policy .*nope\.json: ENOENT\n$/);
});

test('a broken policy file stops the daemon with the loader\'s one-line error', { skip }, async () => {
  const bad = join(engine.dir, 'bad-policy.json');
  writeFileSync(bad, JSON.stringify({ profile: 'baseline', rules: { requireReadonlyRootfs: true } }));
  const badConfig = join(engine.dir, 'bad-daemon.json');
  writeFileSync(badConfig, JSON.stringify({ policy: bad }));
  // A root of its own: if the daemon did start, it must not share this engine's root or socket.
  const other = new TestEngine('bh-test-policy-bad-');
  try {
    const r = other.run(['daemon', '--config', badConfig], { timeoutMs: 20_000 });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `bulkhead: policy ${bad}: rules.requireReadonlyRootfs: unknown rule (did you mean "requireReadOnlyRootfs"?)\n`);
    writeFileSync(badConfig, JSON.stringify({ policy: 'policy.json' }));
    assert.match(other.run(['daemon', '--config', badConfig], { timeoutMs: 20_000 }).stderr,
      /^bulkhead: daemon config .*: "policy" must be "baseline", "restricted" or the absolute path of a policy file, not "policy\.json"\n$/);
  } finally {
    rmSync(other.dir, { recursive: true, force: true });
  }
});

test('custom policy: every rule refused through bulkhead and docker, a compliant container accepted by both', { skip }, async () => {
  await engine.restart({ policy: policyFile });
  const shown = JSON.parse(engine.ok(['policy', 'show', '--format', 'json'])) as { enabled: boolean; source: string; rules: Array<{ rule: string; active: boolean }> };
  assert.equal(shown.enabled, true);
  assert.equal(shown.source, policyFile);
  assert.ok(shown.rules.every((r) => r.active), 'every rule is on');
  assert.match(engine.ok(['policy', 'show']), new RegExp(`^policy ${policyFile} \\(no profile\\)\\n`));

  for (const c of CASES) {
    refusedByBulkhead(['run', '--rm', ...c.args(), 'true'], c.rule);
    refusedByDocker(['run', '--rm', ...c.args(), 'true'], c.rule);
  }
  // The Docker API answers 403 with the one-line message, as for a request an authorization plugin refuses.
  const raw = await engine.http('POST', '/v1.43/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { Privileged: true } });
  assert.equal(raw.status, 403);
  assert.match((JSON.parse(raw.body) as { message: string }).message, /^refused by policy rule "allowPrivileged": privileged containers are not allowed \(policy .*\); also refused by /);
  assert.equal(engine.ok(['ps', '-aq']).split('\n').length, 2, 'nothing was created by a refused request');

  const ports = ['-p', '127.0.0.1:20001:80', '-v', `${allowed}:/data:ro`, '--sysctl', 'net.ipv4.tcp_syncookies=1'];
  engine.ok(['run', '-d', '--name', 'ok-bh', ...ports, ...compliant(), 'sleep', '300']);
  engine.dockerOk(['run', '-d', '--name', 'ok-docker', ...compliant(), 'sleep', '300']);
  assert.equal(engine.ok(['exec', 'ok-bh', 'id', '-u']), '1000');

  // exec judges the user the process would run as; update judges the config it would leave.
  refusedByBulkhead(['exec', '--user', '0', 'ok-bh', 'true'], 'requireNonRoot');
  refusedByDocker(['exec', '--user', 'root', 'ok-docker', 'true'], 'requireNonRoot');
  refusedByBulkhead(['update', '--pids-limit', '-1', 'ok-bh'], 'requirePidsLimit');
  refusedByDocker(['update', '--pids-limit', '-1', 'ok-docker'], 'requirePidsLimit');
  engine.ok(['update', '--memory', '96m', 'ok-bh']);
  // A container made before the policy keeps its old problems but may still be updated (here: fixing one).
  engine.ok(['update', '--memory', '32m', 'pre-default']);

  const check = engine.run(['policy', 'check']);
  assert.equal(check.code, 0);
  const names = new Set(check.stdout.trim().split('\n').map((l) => l.split(':')[0]));
  assert.deepEqual([...names].sort(), ['pre-default', 'pre-privileged']);
  const preDefault = check.stdout.split('\n').filter((l) => l.startsWith('pre-default: '));
  assert.ok(preDefault.some((l) => l.includes('"requireCpuLimit"')), check.stdout);
  assert.ok(!preDefault.some((l) => l.includes('"requireMemoryLimit"')), 'the update gave pre-default a memory limit');
  assert.match(check.stderr, /4 container\(s\) checked against policy .*: 2 would be refused/);
});

test('profile restricted: a default container refused by both, a restricted one accepted, check lists the others', { skip }, async () => {
  await engine.restart({ policy: 'restricted' });
  assert.match(engine.ok(['policy', 'show']), /^policy builtin \(profile restricted\)\n/);
  refusedByBulkhead(['run', '--rm', 'busybox', 'true'], 'allowedCapabilities');
  refusedByDocker(['run', '--rm', 'busybox', 'true'], 'allowedCapabilities');
  refusedByBulkhead(['run', '--rm', '--user', '0', '--cap-drop', 'ALL', 'busybox', 'true'], 'requireNonRoot');
  refusedByDocker(['run', '--rm', '-p', '80:80', '--user', '1000', '--cap-drop', 'ALL', 'busybox', 'true'], 'publishedPorts');
  assert.equal(engine.ok(['run', '--rm', '--user', '1000', '--cap-drop', 'ALL', 'busybox', 'id', '-u']), '1000');
  assert.equal(engine.dockerOk(['run', '--rm', '--user', '1000:1000', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', 'busybox', 'id', '-u']), '1000');

  const report = JSON.parse(engine.ok(['policy', 'check', '--format', 'json'])) as { profile: string; violations: Array<{ name: string; rule: string; origin: string }> };
  assert.equal(report.profile, 'restricted');
  // ok-bh met the custom policy, but restricted allows no bind mount at all.
  assert.deepEqual([...new Set(report.violations.map((v) => v.name))].sort(), ['ok-bh', 'pre-default', 'pre-privileged']);
  assert.deepEqual(report.violations.filter((v) => v.name === 'ok-bh').map((v) => v.rule), ['bindMountRoots']);
  assert.ok(report.violations.every((v) => v.origin === 'profile restricted'));
});

test('requireNonRoot with user names: judged by the image\'s passwd at create, and by the container\'s own at start', { skip }, () => {
  // Still on the restricted profile. An image whose passwd has a non-root "app" and a uid-0 alias "toor".
  const passwd = join(engine.dir, 'passwd');
  writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\ntoor:x:0:0::/:/bin/sh\n');
  engine.ok(['create', '--name', 'bh-users-src', '--user', '1000', '--cap-drop', 'ALL', 'busybox', 'true']);
  engine.ok(['cp', passwd, 'bh-users-src:/etc/passwd']);
  engine.ok(['commit', 'bh-users-src', 'bh-test-users:1']);
  engine.ok(['rm', 'bh-users-src']);

  assert.equal(engine.ok(['run', '--rm', '--user', 'app', '--cap-drop', 'ALL', 'bh-test-users:1', 'id', '-u']), '1000');
  refusedByBulkhead(['run', '--rm', '--user', 'toor', '--cap-drop', 'ALL', 'bh-test-users:1', 'true'], 'requireNonRoot');
  assert.match(engine.run(['run', '--rm', '--user', 'toor', '--cap-drop', 'ALL', 'bh-test-users:1', 'true']).stderr, /user "toor" is uid 0/);
  assert.match(engine.run(['run', '--rm', '--user', 'nobody-here', '--cap-drop', 'ALL', 'bh-test-users:1', 'true']).stderr,
    /cannot be verified as non-root/);

  // A container whose own passwd (written by cp, or by the container itself) makes "app" root is refused at start.
  engine.ok(['create', '--name', 'bh-users-swap', '--user', 'app', '--cap-drop', 'ALL', 'bh-test-users:1', 'id', '-u']);
  writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n');
  engine.ok(['cp', passwd, 'bh-users-swap:/etc/passwd']);
  const started = engine.run(['start', '-a', 'bh-users-swap']);
  assert.notEqual(started.code, 0);
  assert.equal(started.stderr.trim().split('\n').length, 1, started.stderr);
  assert.match(started.stderr, /refused by policy rule "requireNonRoot": start: the container must not run as root \(user "app" is uid 0/);
  assert.equal(engine.ok(['inspect', '-f', '{{.State.Status}}', 'bh-users-swap']), 'created');
  engine.ok(['rm', 'bh-users-swap']);
});

test('requireNonRoot with user names: exec --user NAME is judged by the running container\'s own passwd', { skip }, async () => {
  // Still on the restricted profile, with the image of the test above.
  engine.ok(['run', '-d', '--name', 'bh-users-exec', '--user', 'app', '--cap-drop', 'ALL', 'bh-test-users:1', 'sleep', '300']);
  assert.equal(engine.ok(['exec', '--user', 'app', 'bh-users-exec', 'id', '-u']), '1000');
  assert.equal(engine.ok(['exec', 'bh-users-exec', 'id', '-u']), '1000');          // the container's own user, by name
  assert.equal(engine.dockerOk(['exec', '--user', 'app', 'bh-users-exec', 'id', '-u']), '1000');
  refusedByBulkhead(['exec', '--user', 'toor', 'bh-users-exec', 'true'], 'requireNonRoot');
  assert.match(engine.run(['exec', '--user', 'toor', 'bh-users-exec', 'true']).stderr, /exec: the container must not run as root \(user "toor" is uid 0/);
  refusedByDocker(['exec', '--user', 'toor', 'bh-users-exec', 'true'], 'requireNonRoot');
  assert.match(engine.run(['exec', '--user', 'nobody-here', 'bh-users-exec', 'true']).stderr, /requireNonRoot.*"nobody-here" cannot be verified as non-root/);

  // An exec created while "app" was uid 1000 is judged again when it starts, by the uid it then gets.
  const created = await engine.http('POST', '/containers/bh-users-exec/exec', { User: 'app', Cmd: ['true'] });
  assert.equal(created.status, 201, created.body);
  const passwd = join(engine.dir, 'passwd-exec');
  writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n');
  engine.ok(['cp', passwd, 'bh-users-exec:/etc/passwd']);
  const started = await engine.http('POST', `/exec/${(JSON.parse(created.body) as { Id: string }).Id}/start`, { Detach: true });
  assert.equal(started.status, 403, started.body);
  assert.match(started.body, /requireNonRoot.*user \\"app\\" is uid 0/);
  // and the container's passwd now makes "app" root for every new exec too, the default user's included
  refusedByBulkhead(['exec', '--user', 'app', 'bh-users-exec', 'true'], 'requireNonRoot');
  refusedByBulkhead(['exec', 'bh-users-exec', 'true'], 'requireNonRoot');
  engine.ok(['rm', '-f', 'bh-users-exec']);
  engine.ok(['rmi', 'bh-test-users:1']);
});
