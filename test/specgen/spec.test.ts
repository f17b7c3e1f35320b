import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorKind } from '../../src/core/index.js';
import { execProcessSpec, generateSpec, hostNofileHardLimit, writeBundle, writeEtcFiles, filterResolvConf } from '../../src/specgen/index.js';
import { DEFAULT_CAPABILITIES, MASKED_PATHS, READONLY_PATHS } from '../../src/security/index.js';
import type { ProcessSpec } from '../../src/runtime/types.js';
import { makeConfig, makeRootfs } from './fixtures.js';

const fx = makeRootfs();
after(() => rmSync(fx.base, { recursive: true, force: true }));

const inputs = (over: Parameters<typeof makeConfig>[0] = {}, volumePaths: Record<string, string> = {}) =>
  ({ config: makeConfig(over), rootfs: fx.rootfs, etcFilesDir: fx.containerDir, volumePaths });

test('a typical config gives a complete spec', async () => {
  const spec = await generateSpec(inputs({ entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'], tty: true, workingDir: '/tmp' }));
  assert.equal(spec.ociVersion, '1.0.2');
  assert.deepEqual(spec.process.args, ['/bin/sh', '-c', 'echo hi']);
  assert.equal(spec.process.terminal, true);
  assert.equal(spec.process.cwd, '/tmp');
  assert.equal(spec.hostname, 'bhhost');
  assert.deepEqual(spec.root, { path: fx.rootfs, readonly: false });
  const env = spec.process.env;
  assert.equal(env[0], 'HOSTNAME=bhhost');
  assert.ok(env.includes('FOO=bar'));
  assert.ok(env.some((e) => e.startsWith('PATH=/usr/local/sbin:')));
  assert.ok(env.includes('TERM=xterm'));
  assert.ok(env.includes('HOME=/root'));
  assert.deepEqual(spec.process.capabilities.bounding, [...DEFAULT_CAPABILITIES]);
  assert.equal(spec.process.capabilities.bounding.length, 14);
  assert.deepEqual(spec.process.capabilities.inheritable, []);
  assert.deepEqual(spec.process.capabilities.ambient, []);
  assert.equal(spec.process.noNewPrivileges, true, "no-new-privileges is on by default");
  const dests = spec.mounts.map((m) => m.destination);
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
    assert.ok(dests.includes(d), `mount ${d}`);
  }
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/pts')!.options.includes('ptmxmode=0666'));
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  assert.equal(spec.mounts.find((m) => m.destination === '/etc/hosts')!.source, join(fx.containerDir, 'hosts'));
  assert.deepEqual(spec.linux.namespaces.map((n) => n.type).sort(), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  for (const p of MASKED_PATHS) assert.ok(spec.linux.maskedPaths.includes(p));
  assert.deepEqual(spec.linux.readonlyPaths, [...READONLY_PATHS]);
  assert.deepEqual(spec.linux.resources.devices[0], { allow: false, access: 'rwm' });
});

test('empty command is an InvalidArgument', async () => {
  await assert.rejects(generateSpec(inputs({ entrypoint: [], cmd: [] })), (e) => errorKind(e) === 'InvalidArgument' && /no command specified/.test(String(e)));
});

test('user resolution reads the image passwd and group files', async () => {
  const byName = await generateSpec(inputs({ user: 'app' }));
  assert.deepEqual(byName.process.user, { uid: 1000, gid: 1000, additionalGids: [1000, 2000, 2001] });
  assert.ok(byName.process.env.includes('HOME=/home/app'));
  const root = await generateSpec(inputs({ user: '' }));
  assert.deepEqual(root.process.user, { uid: 0, gid: 0, additionalGids: [0, 10] });
  const withGroup = await generateSpec(inputs({ user: 'app:wheel' }));
  assert.equal(withGroup.process.user.gid, 10);
  const numeric = await generateSpec(inputs({ user: '1:2001' }));
  assert.deepEqual(numeric.process.user, { uid: 1, gid: 2001, additionalGids: [2001, 2000] });
  const unknownUid = await generateSpec(inputs({ user: '4242' }));
  assert.deepEqual(unknownUid.process.user, { uid: 4242, gid: 0 });
});

test('unknown user, unknown group and out-of-range ids are clear errors', async () => {
  await assert.rejects(generateSpec(inputs({ user: 'nobody' })), (e) =>
    errorKind(e) === 'InvalidArgument' && (e as Error).message === 'unable to find user nobody: no matching entries in passwd file');
  await assert.rejects(generateSpec(inputs({ user: 'app:nogroup' })), /unable to find group nogroup: no matching entries in group file/);
  await assert.rejects(generateSpec(inputs({ user: '2147483648' })), (e) => errorKind(e) === 'InvalidArgument' && /out of range/.test(String(e)));
});

test('passwd reached through a symlink out of the rootfs is read inside the rootfs', async () => {
  const fx2 = makeRootfs();
  try {
    // /etc/passwd -> /etc/hostpasswd: must resolve to rootfs/etc/hostpasswd, which does not exist, never the host's.
    unlinkSync(join(fx2.rootfs, 'etc/passwd'));
    symlinkSync('/../../../../etc/shadow', join(fx2.rootfs, 'etc/passwd'));
    await assert.rejects(
      generateSpec({ config: makeConfig({ user: 'root' }), rootfs: fx2.rootfs, etcFilesDir: fx2.containerDir, volumePaths: {} }),
      /unable to find user root/,
    );
  } finally {
    rmSync(fx2.base, { recursive: true, force: true });
  }
});

test('user mounts: bind source must exist, volumes come from volumePaths, tmpfs gets options', async () => {
  const hostDir = mkdtempSync(join(fx.base, 'bind-'));
  const spec = await generateSpec(inputs({
    mounts: [
      { type: 'tmpfs', source: '', target: '/data/tmp', readOnly: false, options: ['size=1m'] },
      { type: 'bind', source: hostDir, target: '/data', readOnly: true },
      { type: 'volume', source: 'vol1', target: '/dev/shm', readOnly: false },
    ],
  }, { vol1: '/var/lib/x/vol1/_data' }));
  const user = spec.mounts.slice(-3);
  // parents before children whatever the order given; equal depths keep the user's order
  assert.deepEqual(user.map((m) => m.destination), ['/data', '/data/tmp', '/dev/shm']);
  assert.deepEqual(user[0]!.options, ['rbind', 'rprivate', 'ro']);
  assert.ok(user[1]!.options.includes('size=1m'));
  assert.equal(user[2]!.source, '/var/lib/x/vol1/_data');
  // the volume replaced the default /dev/shm tmpfs
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);

  await assert.rejects(generateSpec(inputs({ mounts: [{ type: 'bind', source: join(fx.base, 'missing'), target: '/x', readOnly: false }] })),
    (e) => errorKind(e) === 'InvalidArgument' && /bind source path does not exist/.test(String(e)));
  await assert.rejects(generateSpec(inputs({ mounts: [{ type: 'bind', source: hostDir, target: 'rel', readOnly: false }] })),
    (e) => errorKind(e) === 'InvalidArgument');
  await assert.rejects(generateSpec(inputs({ mounts: [{ type: 'volume', source: 'nope', target: '/v', readOnly: false }] })),
    (e) => errorKind(e) === 'NotFound');
});

test('init and annotations: the init before the command, mounted read-only; annotations copied as given', async () => {
  const plain = await generateSpec(inputs({ cmd: ['sleep', '1'] }));
  assert.equal(plain.annotations, undefined);
  assert.ok(!plain.mounts.some((m) => m.destination === '/sbin/docker-init'));
  const spec = await generateSpec({ ...inputs({ cmd: ['sleep', '1'], init: true, annotations: { 'org.example/k': 'v' } }), initPath: '/usr/bin/tini-static' });
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sbin/docker-init'),
    { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['rbind', 'rprivate', 'ro'] });
  assert.deepEqual(spec.annotations, { 'org.example/k': 'v' });
  await assert.rejects(generateSpec(inputs({ cmd: ['sleep', '1'], init: true })), (err) => errorKind(err) === 'Internal');
});

test('host network has no network namespace and no netns sysctls', async () => {
  const spec = await generateSpec(inputs({ network: 'host' }));
  assert.ok(!spec.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(spec.linux.sysctl, undefined);
  const none = await generateSpec(inputs({ network: 'none' }));
  assert.ok(none.linux.namespaces.some((n) => n.type === 'network'));
});

test('RLIMIT_NOFILE equals the host hard limit, never above it', async () => {
  const hard = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
  assert.equal(hostNofileHardLimit(), hard);
  const spec = await generateSpec(inputs());
  const nofile = spec.process.rlimits.find((r) => r.type === 'RLIMIT_NOFILE')!;
  assert.equal(nofile.hard, hard);
  assert.ok(nofile.soft <= nofile.hard);
});

test('resources: memory, cpus, pids and bad values', async () => {
  const spec = await generateSpec(inputs({ resources: { memory: 64 * 1024 * 1024, cpus: 1.5, pidsLimit: 100 } }));
  assert.deepEqual(spec.linux.resources.memory, { limit: 64 * 1024 * 1024 });
  assert.deepEqual(spec.linux.resources.cpu, { quota: 150000, period: 100000 });
  assert.deepEqual(spec.linux.resources.pids, { limit: 100 });
  await assert.rejects(generateSpec(inputs({ resources: { memory: 1024 } })), /minimum memory limit/);
  await assert.rejects(generateSpec(inputs({ resources: { cpus: -1 } })), (e) => errorKind(e) === 'InvalidArgument');
  await assert.rejects(generateSpec(inputs({ workingDir: 'relative' })), /needs to be an absolute path/);
});

test('exec process: container env and user unless overridden, same capabilities', async () => {
  const config = makeConfig({ user: 'app', env: ['A=1', 'B=2'] });
  const p: ProcessSpec = await execProcessSpec(config, { cmd: ['id'], env: ['B=3'], tty: false }, fx.rootfs);
  const proc = p as Awaited<ReturnType<typeof execProcessSpec>>;
  assert.deepEqual(proc.args, ['id']);
  assert.equal(proc.user.uid, 1000);
  assert.ok(proc.env.includes('A=1') && proc.env.includes('B=3') && !proc.env.includes('B=2'));
  assert.equal(proc.capabilities.effective.length, 14);
  const asRoot = await execProcessSpec(config, { cmd: ['sh'], env: [], user: '0', workingDir: '/tmp', tty: true }, fx.rootfs);
  assert.equal(asRoot.user.uid, 0);
  assert.equal(asRoot.cwd, '/tmp');
  assert.ok(asRoot.env.includes('TERM=xterm'));
  await assert.rejects(execProcessSpec(config, { cmd: [], env: [], tty: false }, fx.rootfs), /no command specified/);
});

test('writeBundle writes config.json atomically and writeEtcFiles the /etc files', async () => {
  const bundle = join(fx.base, 'bundle');
  const spec = await generateSpec(inputs());
  await writeBundle(bundle, spec);
  assert.deepEqual(JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')), spec);
  assert.deepEqual(readdirSync(bundle), ['config.json']);
  assert.equal(statSync(join(bundle, 'config.json')).mode & 0o777, 0o600);

  const resolv = join(fx.base, 'host-resolv.conf');
  writeFileSync(resolv, '# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.org\noptions edns0\n');
  await writeEtcFiles(fx.containerDir, makeConfig({ hostname: 'web1' }), { resolvConfPath: resolv });
  assert.equal(readFileSync(join(fx.containerDir, 'hostname'), 'utf8'), 'web1\n');
  assert.match(readFileSync(join(fx.containerDir, 'hosts'), 'utf8'), /127\.0\.0\.1\tlocalhost/);
  assert.match(readFileSync(join(fx.containerDir, 'hosts'), 'utf8'), /127\.0\.0\.1\tweb1/);
  assert.equal(readFileSync(join(fx.containerDir, 'resolv.conf'), 'utf8'), 'nameserver 10.0.0.2\nsearch example.org\noptions edns0\n');
  await writeEtcFiles(fx.containerDir, makeConfig({ network: 'host' }), { resolvConfPath: resolv });
  assert.equal(readFileSync(join(fx.containerDir, 'resolv.conf'), 'utf8'), readFileSync(resolv, 'utf8'));
  assert.equal(readFileSync(join(fx.containerDir, 'hosts'), 'utf8'), readFileSync('/etc/hosts', 'utf8'));
  assert.equal(filterResolvConf('nameserver ::1\n'), '');
});
