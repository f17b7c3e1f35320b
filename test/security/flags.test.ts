// Every isolation flag, read back from the kernel inside the container (/proc/self/status, id, /proc/sys, the
// device nodes), and every bad input: a one-line error, a non-zero exit, and a daemon still serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';
import { buildProbe, engineCapMask } from './probe-binary.js';

const engine = new TestEngine('bh-test-secflags-');
let probe = '';
before(async () => {
  await engine.setup();
  probe = buildProbe(engine.dir);
});
after(() => engine.cleanup());

/** Runs `sh -c script` in a new busybox container with the flags; returns its trimmed stdout. */
const sh = (flags: string[], script: string) => engine.ok(['run', '--rm', ...flags, '-v', `${probe}:/probe:ro`, 'busybox', 'sh', '-c', script]);
const status = (flags: string[], key: string) => sh(flags, `awk '$1=="${key}:" {print $2}' /proc/self/status`);

test('--cap-add and --cap-drop change the kernel\'s capability sets', () => {
  assert.equal(status([], 'CapEff'), '00000000a80425fb');
  assert.equal(status(['--cap-drop', 'chown'], 'CapEff'), '00000000a80425fa');
  assert.equal(status(['--cap-add', 'NET_ADMIN'], 'CapEff'), '00000000a80435fb');
  assert.equal(status(['--cap-add', 'cap_net_admin'], 'CapBnd'), '00000000a80435fb');
  assert.equal(status(['--cap-drop', 'ALL'], 'CapEff'), '0000000000000000');
  assert.equal(status(['--cap-drop', 'all', '--cap-add', 'NET_BIND_SERVICE'], 'CapEff'), '0000000000000400');
  assert.equal(status(['--cap-add', 'ALL'], 'CapEff'), engineCapMask());
  assert.equal(status(['--privileged', '--cap-drop', 'ALL'], 'CapEff'), engineCapMask(), '--privileged gives every capability');
});

test('seccomp follows the capabilities: SYS_ADMIN brings mount back, SYS_PTRACE brings ptrace back', () => {
  assert.equal(sh([], '/probe/syscall-probe mount'), 'EPERM');
  assert.equal(sh(['--cap-add', 'SYS_ADMIN'], '/probe/syscall-probe mount'), 'ok');
  assert.equal(sh(['--cap-add', 'SYS_ADMIN'], 'unshare -U true && echo ok'), 'ok');
  // `; true` keeps sh as pid 1, the process the probe attaches to (a lone command would be exec'd as pid 1 itself).
  assert.equal(sh([], '/probe/syscall-probe ptrace; true'), 'EPERM');
  assert.equal(sh(['--cap-add', 'SYS_PTRACE'], '/probe/syscall-probe ptrace; true'), 'ok');
  assert.equal(sh(['--cap-add', 'SYS_PTRACE'], '/probe/syscall-probe keyctl'), 'EPERM', 'the keyring stays closed');
});

test('--security-opt seccomp=unconfined and seccomp=<file>', () => {
  assert.equal(status([], 'Seccomp'), '2');
  assert.equal(status(['--security-opt', 'seccomp=unconfined'], 'Seccomp'), '0');
  assert.equal(status(['--security-opt', 'seccomp=unconfined'], 'CapEff'), '00000000a80425fb', 'capabilities unchanged');
  const file = join(engine.dir, 'no-mkdir.json');
  writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
  assert.equal(sh(['--security-opt', `seccomp=${file}`], 'mkdir /x 2>&1; awk \'$1=="Seccomp:" {print $2}\' /proc/self/status'),
    'mkdir: can\'t create directory \'/x\': Permission denied\n2');
  assert.equal(sh(['--security-opt', `seccomp=${file}`], '/probe/syscall-probe sethostname'), 'EPERM', 'capabilities still refuse what seccomp allows');
});

test('the default profile allows the native ABI only; a profile that lists x86 lets 32-bit calls through', { skip: process.arch !== 'x64' }, () => {
  assert.equal(sh([], '/probe/syscall-probe int80-getpid; echo "exit $?"'), 'exit 159', 'killed by SIGSYS (128 + 31)');
  const file = join(engine.dir, 'with-x86.json');
  writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }], syscalls: [] }));
  assert.equal(sh(['--security-opt', `seccomp=${file}`], '/probe/syscall-probe int80-getpid'), 'ok');
});

test('no-new-privileges is on by default and can be turned off', () => {
  assert.equal(status([], 'NoNewPrivs'), '1');
  assert.equal(status(['--security-opt', 'no-new-privileges=false'], 'NoNewPrivs'), '0');
  assert.equal(status(['--security-opt', 'no-new-privileges:false', '--security-opt', 'no-new-privileges'], 'NoNewPrivs'), '1');
});

test('--group-add adds numeric and named groups', () => {
  assert.equal(sh(['--group-add', '4242', '--group-add', 'nobody'], 'id -G'), '0 4242 65534');
  assert.equal(sh(['--user', 'nobody', '--group-add', 'root'], 'id -G'), '65534 0');
});

test('--device gives one host device with its permissions', () => {
  assert.equal(sh(['--device', '/dev/fuse:/dev/myfuse:r'], "stat -c '%F %t:%T' /dev/myfuse"), 'character special file a:e5');
  assert.equal(sh(['--device', '/dev/fuse:/dev/myfuse:r'], '(true < /dev/myfuse) && echo read-ok; (true > /dev/myfuse) 2>/dev/null || echo write-refused'), 'read-ok\nwrite-refused');
  assert.equal(sh(['--device', '/dev/fuse'], '(true <> /dev/fuse) && echo rw-ok'), 'rw-ok');
  assert.equal(sh([], 'mknod /f c 10 229; (true < /f) 2>/dev/null || echo refused'), 'refused', 'without --device the cgroup refuses it');
});

test('--sysctl sets namespaced values', () => {
  assert.equal(sh(['--sysctl', 'kernel.shmmax=123456', '--sysctl', 'net.ipv4.ip_forward=1'], 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'), '123456\n1');
  assert.equal(sh([], 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start'), '0', 'the network namespace defaults');
});

test('--pid, --ipc and --uts host share the host\'s namespaces', () => {
  assert.ok(Number(sh([], 'ls -d /proc/[0-9]* | wc -l')) < 8);
  assert.ok(Number(sh(['--pid', 'host'], 'ls -d /proc/[0-9]* | wc -l')) > 10, 'host processes visible with --pid host');
  const hostIpc = readlinkSync('/proc/self/ns/ipc');
  assert.notEqual(sh([], 'readlink /proc/self/ns/ipc'), hostIpc);
  assert.equal(sh(['--ipc', 'host'], 'readlink /proc/self/ns/ipc'), hostIpc);
  assert.notEqual(sh([], 'hostname'), hostname());
  assert.equal(sh(['--uts', 'host'], 'hostname'), hostname());
});

test('--read-only keeps the root read-only with writable /tmp and /run', () => {
  assert.equal(sh(['--read-only'], 'touch /x 2>/dev/null || echo ro; touch /tmp/x /run/x && echo tmp-ok'), 'ro\ntmp-ok');
  assert.equal(sh(['--read-only', '--tmpfs', '/tmp:size=1m'], "awk '$5==\"/tmp\" {print $NF}' /proc/self/mountinfo"), 'rw,size=1024k', 'the user\'s own /tmp wins');
  assert.equal(sh(['--read-only', '-v', 'bh-test-data:/tmp/data'], 'touch /tmp/a /tmp/data/b && echo ok'), 'ok', 'a volume below /tmp stays visible');
});

test('exec gets the container\'s capabilities and no-new-privileges', () => {
  const id = engine.ok(['run', '-d', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges=false', 'busybox', 'sleep', '300']);
  try {
    const out = engine.ok(['exec', id, 'awk', '$1=="CapEff:" || $1=="NoNewPrivs:" {print $2}', '/proc/self/status']);
    assert.equal(out, '0000000000000000\n0');
  } finally {
    engine.run(['rm', '-f', id]);
  }
});

test('inspect shows --privileged and the hardening summary', () => {
  const id = engine.ok(['create', '--privileged', 'busybox', 'true']);
  const hardened = engine.ok(['create', '--read-only', '--user', 'nobody', '-v', 'bh-test-v:/data', 'busybox', 'true']);
  try {
    const [c] = JSON.parse(engine.ok(['inspect', id])) as { Config: { security: { privileged: boolean } }; Hardening: Record<string, { followed: boolean; reason: string }> }[];
    assert.equal(c!.Config.security.privileged, true);
    assert.equal(c!.Hardening.minimalPrivileges!.followed, false);
    assert.match(c!.Hardening.minimalPrivileges!.reason, /is privileged/);
    assert.equal(c!.Hardening.dataInVolumesOnly!.followed, false);
    const [h] = JSON.parse(engine.ok(['inspect', hardened])) as { Hardening: Record<string, { followed: boolean; reason: string }> }[];
    for (const [rule, v] of Object.entries(h!.Hardening)) {
      assert.equal(v.followed, true, `${rule}: ${v.reason}`);
      assert.ok(!v.reason.includes('\n'));
    }
  } finally {
    engine.run(['rm', '-v', id, hardened]);
  }
});

test('every bad input is a one-line error, and the daemon keeps serving', () => {
  const notJson = join(engine.dir, 'bad.json');
  writeFileSync(notJson, '{ nope');
  const badAction = join(engine.dir, 'bad-action.json');
  writeFileSync(badAction, JSON.stringify({ defaultAction: 'SCMP_ACT_MAYBE' }));
  const badArg = join(engine.dir, 'bad-arg.json');
  writeFileSync(badArg, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 9, value: 1, op: 'SCMP_CMP_EQ' }] }] }));
  const cases: [string[], RegExp][] = [
    [['--cap-add', 'FLY'], /invalid --cap-add "FLY": unknown capability/],
    [['--cap-drop', 'CAP_NOPE'], /invalid --cap-drop "CAP_NOPE": unknown capability/],
    [['--security-opt', 'seccomp=/nonexistent/profile.json'], /cannot read profile \/nonexistent\/profile.json: ENOENT/],
    [['--security-opt', `seccomp=${notJson}`], /invalid seccomp profile: not valid JSON/],
    [['--security-opt', `seccomp=${badAction}`], /defaultAction "SCMP_ACT_MAYBE" is not one of/],
    [['--security-opt', `seccomp=${badArg}`], /syscalls\[0\]\.args\[0\]\.index must be a whole number from 0 to 5/],
    [['--privileged', '--security-opt', `seccomp=${badAction}`], /invalid seccomp profile|conflicting options/],
    [['--security-opt', 'apparmor=unconfined'], /invalid --security-opt "apparmor=unconfined"/],
    [['--security-opt', 'no-new-privileges=maybe'], /no-new-privileges takes true or false/],
    [['--device', '/dev/bh-no-such-device'], /invalid --device \/dev\/bh-no-such-device: no such device on the host/],
    [['--device', '/etc/passwd'], /invalid --device \/etc\/passwd: not a character or block device/],
    [['--device', '/dev/null:relative'], /container path "relative" must be absolute/],
    [['--device', '/dev/null:/dev/n:rwx'], /permissions "rwx" must be a combination of r, w and m/],
    [['--sysctl', 'vm.swappiness=10'], /sysctl "vm.swappiness" is not allowed: only namespaced sysctls/],
    [['--sysctl', 'kernel.hostname=x'], /sysctl "kernel.hostname" is not allowed/],
    [['--sysctl', 'noequals'], /invalid --sysctl "noequals": expected KEY=VALUE/],
    [['--ipc', 'host', '--sysctl', 'kernel.shmmax=1'], /not allowed with --ipc host/],
    [['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'], /not allowed with --network host/],
    [['--pid', 'container:abc'], /invalid --pid "container:abc": expected host or private/],
    [['--uts', 'shared'], /invalid --uts "shared"/],
    [['--userns', 'auto', '--privileged'], /--privileged cannot be combined/],
    [['--userns', 'keep-id'], /invalid --userns "keep-id"/],
    [['--group-add', 'bad name'], /invalid --group-add "bad name"/],
    [['--group-add', 'no-such-group'], /unable to find group no-such-group/],
    [['--group-add', '4294967296'], /id out of range/],
  ];
  for (const [flags, message] of cases) {
    const r = engine.run(['run', '--rm', ...flags, 'busybox', 'true']);
    assert.notEqual(r.code, 0, `${flags.join(' ')} must fail`);
    assert.match(r.stderr, message, `${flags.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${flags.join(' ')}: one line, got ${JSON.stringify(r.stderr)}`);
  }
  assert.equal(engine.ok(['run', '--rm', 'busybox', 'echo', 'still serving']), 'still serving');
  assert.equal(engine.ok(['ps', '-aq']), '', 'no container left behind by a refused run');
});
