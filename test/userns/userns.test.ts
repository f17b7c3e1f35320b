// --userns=auto end to end, read from the kernel: the mapping inside the container, the host uid its init runs
// as, who owns what it writes, what it cannot read, and the engine's range bookkeeping (disjoint ranges, freed
// on rm, one-line errors for an exhausted pool and for missing entries). The engine's subuid/subgid files are
// the test's own (two ranges of 65536), named in a daemon config file; the daemon defaults to userns auto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, renameSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';

const UID_START = 1_700_000;
const GID_START = 1_800_000;
const POOL = 2 * 65536;

/** A TestEngine whose daemon reads a config file of this test's (subuid/subgid files, userns default). */
class UsernsEngine extends TestEngine {
  readonly subuid = join(this.dir, 'subuid');
  readonly subgid = join(this.dir, 'subgid');
  readonly config = join(this.dir, 'daemon.json');

  writeSubIds(uid = `bulkhead:${UID_START}:${POOL}\n`, gid = `bulkhead:${GID_START}:${POOL}\n`): void {
    writeFileSync(this.subuid, `someoneelse:100000:65536\n${uid}`);
    writeFileSync(this.subgid, `someoneelse:100000:65536\n${gid}`);
  }

  protected override daemonArgs(): string[] {
    return ['--config', this.config];
  }
}

const engine = new UsernsEngine('bh-test-userns-');
const secret = join(engine.dir, 'secret');
const initPath = join(engine.dir, 'tini');
before(async () => {
  // mkdtemp made the dir 0700: the mapped root (an unprivileged host uid) must be able to walk to its rootfs.
  chmodSync(engine.dir, 0o711);
  engine.writeSubIds();
  // The init --init runs comes from the daemon config, so a test can take it away.
  copyFileSync('/usr/bin/tini-static', initPath);
  chmodSync(initPath, 0o755);
  writeFileSync(engine.config, JSON.stringify({ userns: 'auto', subuidFile: engine.subuid, subgidFile: engine.subgid, initPath }));
  writeFileSync(secret, 'host secret\n', { mode: 0o600 });
  await engine.setup();
});
after(() => engine.cleanup());

const shiftedDir = () => join(engine.root, 'layers-shifted');
const idMap = (name: string) => JSON.parse(engine.ok(['inspect', '-f', '{{json .Config.security.idMap}}', name])) as { hostUid: number; hostGid: number; size: number };
const exec = (name: string, script: string) => engine.ok(['exec', name, 'sh', '-c', script]);
const oneLineError = (args: string[], re: RegExp) => {
  const r = engine.run(args);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
};

test('inside: mapped root owns the image; outside: an unprivileged host uid that cannot read root\'s files', () => {
  engine.ok(['run', '-d', '--name', 'u1', '--userns=auto', '-v', `${secret}:/secret`, 'busybox', 'sleep', '300']);
  const map = idMap('u1');
  assert.equal(map.size, 65536);
  assert.ok(map.hostUid >= UID_START && map.hostUid + 65536 <= UID_START + POOL, `uid range ${map.hostUid} in the pool`);
  assert.ok(map.hostGid >= GID_START && map.hostGid + 65536 <= GID_START + POOL, `gid range ${map.hostGid} in the pool`);
  assert.deepEqual(exec('u1', 'cat /proc/self/uid_map').split(/\s+/), ['0', String(map.hostUid), '65536']);
  assert.deepEqual(exec('u1', 'cat /proc/self/gid_map').split(/\s+/), ['0', String(map.hostGid), '65536']);
  assert.equal(exec('u1', 'id -u; id -g').replace(/\n/g, ' '), '0 0');
  assert.equal(exec('u1', 'stat -c "%u:%g" / /bin /bin/busybox /etc/passwd').replace(/\n/g, ' '), '0:0 0:0 0:0 0:0');
  assert.equal(exec('u1', 'echo x >> /etc/passwd && mkdir /bin/newdir && echo hi > /created && echo ok'), 'ok');

  const pid = Number(engine.ok(['inspect', '-f', '{{.State.Pid}}', 'u1']));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, new RegExp(`^Uid:\\s+${map.hostUid}\\s+${map.hostUid}\\s`, 'm'));
  assert.match(status, new RegExp(`^Gid:\\s+${map.hostGid}\\s+${map.hostGid}\\s`, 'm'));

  const id = engine.ok(['inspect', '-f', '{{.Id}}', 'u1']);
  const created = statSync(join(engine.root, 'containers', id, 'upper', 'created'));
  assert.equal(created.uid, map.hostUid);
  assert.equal(created.gid, map.hostGid);

  // Real root's 0600 file: the container's root is nobody to it.
  const r = engine.run(['exec', 'u1', 'cat', '/secret']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /Permission denied/);
  assert.equal(exec('u1', 'cat /etc/hostname'), engine.ok(['inspect', '-f', '{{.Config.hostname}}', 'u1']));
});

test('a new volume belongs to the mapped root: the container can write to it, and the data is owned by the range on the host', () => {
  const out = engine.ok(['run', '--rm', '--userns', 'auto', '-v', 'bh-userns-vol:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f && stat -c %u /data/f']);
  assert.equal(out, '0');
  const mountpoint = JSON.parse(engine.ok(['volume', 'inspect', 'bh-userns-vol']))[0].mountpoint as string;
  assert.ok(statSync(join(mountpoint, 'f')).uid >= 1000, 'owned by an unprivileged host uid, not by root');
  engine.ok(['volume', 'rm', 'bh-userns-vol']);
});

test('the daemon default gives a second container a disjoint range; --userns host opts out', () => {
  engine.ok(['run', '-d', '--name', 'u2', 'busybox', 'sleep', '300']);
  const a = idMap('u1');
  const b = idMap('u2');
  assert.ok(b.hostUid + b.size <= a.hostUid || a.hostUid + a.size <= b.hostUid, `disjoint uids ${a.hostUid} ${b.hostUid}`);
  assert.ok(b.hostGid + b.size <= a.hostGid || a.hostGid + a.size <= b.hostGid, `disjoint gids ${a.hostGid} ${b.hostGid}`);
  assert.deepEqual(exec('u2', 'cat /proc/self/uid_map').split(/\s+/), ['0', String(b.hostUid), '65536']);
  assert.deepEqual(engine.ok(['run', '--rm', '--userns', 'host', 'busybox', 'cat', '/proc/self/uid_map']).split(/\s+/), ['0', '0', '4294967295']);
  assert.deepEqual(readdirSync(shiftedDir()).sort(), [String(a.hostUid), String(b.hostUid)].sort());
});

test('an exhausted pool is a one-line error; rm frees the range and its shifted layers for the next container', () => {
  oneLineError(['create', '--name', 'u3', 'busybox', 'true'], /in use.*subuid.*subgid|subuid.*subgid.*in use/);
  assert.equal(engine.run(['inspect', 'u3']).code === 0, false, 'the refused container was not recorded');
  const freed = idMap('u1');
  engine.ok(['rm', '-f', 'u1']);
  assert.equal(existsSync(join(shiftedDir(), String(freed.hostUid))), false, 'shifted copy of the freed range removed');
  engine.ok(['create', '--name', 'u3', 'busybox', 'true']);
  assert.equal(idMap('u3').hostUid, freed.hostUid);
  assert.equal(engine.ok(['start', '-a', 'u3']), '');
});

test('no entries for bulkhead, or no file at all: a one-line error naming the file and what to add', () => {
  engine.writeSubIds('', `bulkhead:${GID_START}:${POOL}\n`);
  oneLineError(['run', '--rm', 'busybox', 'true'], new RegExp(`no subuid entries for user "bulkhead" in ${engine.subuid}: add a line such as "bulkhead:`));
  engine.writeSubIds(`bulkhead:${UID_START}:100\n`);
  oneLineError(['run', '--rm', 'busybox', 'true'], /hold fewer than 65536 ids/);
  engine.writeSubIds();
  writeFileSync(engine.subgid, '');
  oneLineError(['run', '--rm', 'busybox', 'true'], new RegExp(`no subgid entries for user "bulkhead" in ${engine.subgid}`));
  rmSync(engine.subuid);
  oneLineError(['run', '--rm', 'busybox', 'true'], new RegExp(`${engine.subuid} does not exist: add a line such as "bulkhead:`));
  engine.writeSubIds();
  assert.equal(engine.ok(['run', '--rm', '--userns', 'host', 'busybox', 'echo', 'host ok']), 'host ok');
});

test('userns cannot be combined with --privileged, --pid host or --ipc host', () => {
  oneLineError(['run', '--rm', '--userns=auto', '--privileged', 'busybox', 'true'], /--privileged cannot be combined with --userns=auto/);
  oneLineError(['run', '--rm', '--userns=auto', '--pid', 'host', 'busybox', 'true'], /--pid host cannot be combined/);
  // With the daemon default, a privileged container keeps the host's user namespace (as docker's userns-remap).
  assert.deepEqual(engine.ok(['run', '--rm', '--privileged', 'busybox', 'cat', '/proc/self/uid_map']).split(/\s+/), ['0', '0', '4294967295']);
});

test('--network host binds the host\'s /sys read-only instead of mounting sysfs', () => {
  engine.ok(['rm', '-f', 'u2', 'u3']);   // the pool holds two ranges
  const out = engine.ok(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class >/dev/null && echo listed; touch /sys/x 2>/dev/null || echo ro']);
  assert.equal(out, 'listed\nro');
});

test('concurrent creates never share a range: with two free, three at once give two containers and one refusal', async () => {
  const results = await Promise.all(['c1', 'c2', 'c3'].map((n) => engine.runAsync(['create', '--name', n, 'busybox', 'true'])));
  const made = ['c1', 'c2', 'c3'].filter((_, i) => results[i]!.code === 0);
  assert.equal(made.length, 2, results.map((r) => r.stderr).join(''));
  assert.match(results.find((r) => r.code !== 0)!.stderr, /are in use/);
  const [a, b] = made.map(idMap);
  assert.notEqual(a!.hostUid, b!.hostUid);
  engine.ok(['rm', ...made]);
});

test('--init runs the configured init in a user namespace; a missing init is one line at create and at start', () => {
  assert.equal(engine.ok(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'tr "\\0" " " </proc/1/cmdline; cat /proc/1/uid_map; exit 0'])
    .replace(/\s+/g, ' ').replace(/ 0 \d+ 65536$/, ' 0 <mapped> 65536'), '/sbin/docker-init -- sh -c tr "\\0" " " </proc/1/cmdline; cat /proc/1/uid_map; exit 0 0 <mapped> 65536');
  engine.ok(['create', '--name', 'un-init', '--init', 'busybox', 'true']);
  renameSync(initPath, `${initPath}.gone`);
  try {
    const missing = new RegExp(`--init: the init binary ${initPath} is missing or not executable on this host \\(fix the daemon's "initPath" or --init-path\\)`);
    oneLineError(['create', '--name', 'un-init-2', '--init', 'busybox', 'true'], missing);
    assert.notEqual(engine.run(['inspect', 'un-init-2']).code, 0, 'a refused create leaves no container');
    oneLineError(['start', 'un-init'], missing);
    assert.equal(engine.ok(['inspect', '-f', '{{.State.status}}', 'un-init']), 'created');
  } finally {
    renameSync(`${initPath}.gone`, initPath);
  }
  assert.equal(engine.ok(['start', '-a', 'un-init']), '');
  assert.equal(engine.ok(['inspect', '-f', '{{.State.exitCode}}', 'un-init']), '0');
  engine.ok(['rm', 'un-init']);
});

test('once every container is removed, no shifted layer copy is left', () => {
  assert.equal(engine.ok(['ps', '-aq']), '');
  assert.deepEqual(readdirSync(shiftedDir()), []);
});

test('on a bridge network the namespace is the container\'s own: exec joins it, sysfs shows eth0, containers reach each other', () => {
  engine.ok(['network', 'create', 'bh-t-usernet']);
  engine.ok(['run', '-d', '--name', 'un1', '--network', 'bh-t-usernet', 'busybox', 'httpd', '-f', '-p', '8080', '-h', '/etc']);
  assert.match(exec('un1', 'cat /sys/class/net/eth0/operstate'), /^up$/, 'a fresh sysfs of its own namespace');
  assert.equal(exec('un1', 'cat /proc/sys/net/ipv4/ping_group_range').split(/\s+/).join(' '), '0 65535', 'the default sysctls, set by runc');
  const ip = engine.ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'un1']);
  assert.match(exec('un1', 'cat /etc/hosts'), new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`, 'm'), '/etc/hosts names its address');
  const id = engine.ok(['inspect', '-f', '{{.Id}}', 'un1']).slice(0, 12);
  assert.equal(engine.ok(['run', '--rm', '--network', 'bh-t-usernet', 'busybox', 'wget', '-q', '-O', '-', 'http://un1:8080/hostname']), id);
  engine.ok(['rm', '-f', 'un1']);
  engine.ok(['network', 'rm', 'bh-t-usernet']);
});
