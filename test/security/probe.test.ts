// The probe suite: checks run inside a default busybox container, each with its expected result, then the same
// suite with --privileged, asserting exactly which checks change. Every check is harmless when allowed (see
// fixtures/syscall-probe.c), because under --privileged it is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';
import { buildProbe, engineCapMask } from './probe-binary.js';

type Expect = string | { test: (v: string) => boolean; says: string };
interface Check { name: string; sh: string; expect: Expect; privileged?: Expect }

const notEperm: Expect = { test: (v) => v !== 'EPERM' && v !== '', says: 'anything but EPERM (the kernel\'s own answer)' };
const count = (op: '>' | '<', n: number): Expect => ({ test: (v) => (op === '>' ? Number(v) > n : Number(v) < n), says: `${op} ${n}` });
const has = (s: string): Expect => ({ test: (v) => v.split(' ').includes(s), says: `includes ${s}` });

// The /dev a container gets: the runtime-spec default devices and the engine's mounts, nothing of the host's.
const MINIMAL_DEV = 'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero';

function checks(e: TestEngine): Check[] {
  // privileged: null when the answer must not change.
  const syscall = (name: string, expect: Expect, privileged: Expect | null = notEperm): Check =>
    ({ name: `syscall ${name}`, sh: `/probe/syscall-probe ${name}`, expect, ...(privileged ? { privileged } : {}) });
  const sysrq = existsSync('/proc/sysrq-trigger');
  const kcore = existsSync('/proc/kcore');
  return [
    // Mounts and the kernel's own files.
    { name: 'mount a tmpfs', sh: 'mkdir -p /bh-mnt; r mount -t tmpfs none /bh-mnt', expect: 'fail', privileged: 'ok' },
    { name: '/proc/kcore unreadable', sh: 'head -c 16 /proc/kcore 2>/dev/null | wc -c', expect: '0', ...(kcore ? { privileged: count('>', 0) } : {}) },
    { name: '/proc/keys masked', sh: 'stat -c %F /proc/keys', expect: 'character special file', privileged: { test: (v) => v.startsWith('regular'), says: 'a regular file' } },
    { name: '/proc/timer_list masked', sh: 'wc -c < /proc/timer_list', expect: '0', privileged: count('>', 0) },
    { name: '/sys/firmware masked', sh: 'ls /sys/firmware | wc -l', expect: '0', privileged: count('>', 0) },
    { name: '/proc/sys not writable', sh: "r sh -c 'echo bh > /proc/sys/kernel/domainname'", expect: 'fail', privileged: 'ok' },
    { name: '/proc/sys mounted read-only', sh: 'mnt /proc/sys', expect: 'ro', privileged: 'none' },
    { name: '/proc/bus mounted read-only', sh: 'mnt /proc/bus', expect: 'ro', privileged: 'none' },
    { name: '/proc/sysrq-trigger read-only', sh: sysrq ? 'mnt /proc/sysrq-trigger' : 'test -e /proc/sysrq-trigger && echo present || echo absent',
      expect: sysrq ? 'ro' : 'absent', ...(sysrq ? { privileged: 'none' } : {}) },
    { name: '/sys read-only', sh: 'mnt /sys', expect: 'ro', privileged: 'rw' },
    { name: 'cgroup fs read-only', sh: 'mnt /sys/fs/cgroup/pids', expect: 'ro', privileged: 'rw' },
    // Devices.
    { name: '/dev has only the minimal set', sh: "ls /dev | tr '\\n' ' '", expect: MINIMAL_DEV, privileged: has('kmsg') },
    { name: 'mknod of a block device', sh: 'r mknod /bh-blk b 7 0', expect: 'fail', privileged: 'ok' },
    { name: 'open a char device outside the allowlist', sh: 'mknod /bh-kmsg c 1 11; r sh -c "true < /bh-kmsg"', expect: 'fail', privileged: 'ok' },
    { name: 'mknod of an allowed char device', sh: 'r mknod /bh-null c 1 3', expect: 'ok' },
    // Processes and namespaces.
    { name: 'host processes invisible', sh: 'ls -d /proc/[0-9]* | wc -l', expect: count('<', 8) },
    { name: 'pid 1 is the container\'s', sh: "tr '\\0' ' ' < /proc/1/cmdline", expect: { test: (v) => v.includes('/probe/suite.sh'), says: 'the suite script' } },
    // A process started in the container inherits exactly what init was given (the shell's own fds are close-on-
    // exec): stdio only, never a socket or file of the engine's, conmon's or runc's.
    { name: 'no engine fds inherited', sh: '/probe/syscall-probe fds', expect: {
      test: (v) => v.split(' ').length === 3 && v.split(' ').every((fd) => /^[012]=(\/dev\/null|pipe:\[\d+\]|\/dev\/pts\/\d+)$/.test(fd)),
      says: 'fds 0, 1 and 2 only (null, pipes or pts)' } },
    { name: 'create a network interface', sh: 'r ip link add bh0 type bridge', expect: 'fail', privileged: 'ok' },
    { name: 'change the hostname', sh: 'r hostname bh-changed', expect: 'fail', privileged: 'ok' },
    { name: 'unshare -U (new user namespace)', sh: 'r unshare -U true', expect: 'fail', privileged: 'ok' },
    { name: 'unshare -m (new mount namespace)', sh: 'r unshare -m true', expect: 'fail', privileged: 'ok' },
    { name: 'nsenter pid 1 (setns)', sh: 'r nsenter -t 1 -u true', expect: 'fail', privileged: 'ok' },
    { name: 'read the kernel log', sh: 'r dmesg', expect: 'fail', privileged: 'ok' },
    { name: 'chroot still works', sh: 'r chroot / true', expect: 'ok' },
    { name: 'runs as root in the container', sh: 'id -u', expect: '0' },
    { name: 'root filesystem writable by default', sh: 'r touch /bh-file', expect: 'ok' },
    // The engine is out of reach.
    { name: 'engine socket unreachable', sh: `test -e ${e.socket} && echo visible || echo absent`, expect: 'absent' },
    { name: 'engine data root unreachable', sh: `test -e ${e.root} && echo visible || echo absent`, expect: 'absent' },
    { name: 'default engine socket unreachable', sh: 'test -e /run/bulkhead/bulkhead.sock && echo visible || echo absent', expect: 'absent' },
    // What the kernel says about this process.
    { name: 'CapEff', sh: 'status CapEff', expect: '00000000a80425fb', privileged: engineCapMask() },
    { name: 'CapBnd', sh: 'status CapBnd', expect: '00000000a80425fb', privileged: engineCapMask() },
    { name: 'CapInh empty', sh: 'status CapInh', expect: '0000000000000000' },
    { name: 'CapAmb empty', sh: 'status CapAmb', expect: '0000000000000000' },
    { name: 'NoNewPrivs', sh: 'status NoNewPrivs', expect: '1' },
    { name: 'Seccomp filter mode', sh: 'status Seccomp', expect: '2', privileged: '0' },
    // Syscalls the seccomp profile refuses (the privileged answer is the kernel's, with harmless arguments).
    syscall('mount', 'EPERM'),
    syscall('umount2', 'EPERM'),
    syscall('pivot_root', 'EPERM'),
    syscall('kexec_load', 'EPERM'),
    syscall('kexec_file_load', 'EPERM'),
    syscall('init_module', 'EPERM'),
    syscall('finit_module', 'EPERM'),
    syscall('delete_module', 'EPERM'),
    syscall('bpf', 'EPERM'),
    syscall('keyctl', 'EPERM'),
    syscall('add_key', 'EPERM'),
    syscall('request_key', 'EPERM'),
    syscall('ptrace', 'EPERM'),
    syscall('clock_settime', 'EPERM'),
    syscall('settimeofday', 'EPERM'),
    syscall('adjtimex', 'EPERM'),
    syscall('clock_adjtime', 'EPERM'),
    syscall('reboot', 'EPERM'),
    syscall('swapon', 'EPERM'),
    syscall('swapoff', 'EPERM'),
    syscall('unshare-user', 'EPERM'),
    syscall('clone-newuser', 'EPERM'),
    syscall('clone-newns', 'EPERM'),
    syscall('clone3', 'ENOSYS', { test: (v) => v !== 'ENOSYS', says: 'not ENOSYS' }),
    syscall('setns', 'EPERM'),
    syscall('open_by_handle_at', 'EPERM'),
    syscall('perf_event_open', 'EPERM'),
    syscall('userfaultfd', 'EPERM'),
    syscall('io_uring_setup', 'EPERM'),
    syscall('syslog', 'EPERM'),
    syscall('sethostname', 'EPERM'),
    syscall('personality-exec', 'EPERM'),
    syscall('mknod-block', 'EPERM'),
    syscall('socket-alg', 'EPERM'),
    syscall('socket-raw-without-cap', 'EPERM', null),
    // What must keep working.
    syscall('clone', 'ok', null),
    syscall('unshare-files', 'ok', null),
    syscall('personality-linux32', 'ok', null),
    syscall('mknod-char', 'ok', null),
    syscall('mknod-fifo', 'ok', null),
    syscall('socket-inet', 'ok', null),
    syscall('socket-raw', 'ok', null),
  ];
}

const HELPERS = [
  'r() { if "$@" >/dev/null 2>&1; then echo ok; else echo fail; fi; }',
  'status() { awk -v k="$1:" \'$1==k {print $2}\' /proc/self/status; }',
  'mnt() { awk -v p="$1" \'$5==p {m=substr($6,1,2)} END {print m ? m : "none"}\' /proc/self/mountinfo; }',
];

function script(list: Check[]): string {
  const lines = list.map((c, i) => `printf '%s\\t%s\\n' ${i} "$( { ${c.sh} ; } 2>/dev/null | tr '\\n' ' ' | sed 's/ *$//')"`);
  return [...HELPERS, ...lines, ''].join('\n');
}

const ok = (e: Expect, v: string) => (typeof e === 'string' ? v === e : e.test(v));
const say = (e: Expect) => (typeof e === 'string' ? JSON.stringify(e) : e.says);

const engine = new TestEngine('bh-test-probe-');
let probeDir = '';
let suite: Check[] = [];

before(async () => {
  await engine.setup();
  probeDir = buildProbe(engine.dir);
  suite = checks(engine);
  writeFileSync(join(probeDir, 'suite.sh'), script(suite));
});
after(() => engine.cleanup());

function runSuite(extra: string[]): Map<number, string> {
  const out = engine.ok(['run', '--rm', ...extra, '-v', `${probeDir}:/probe:ro`, 'busybox', 'sh', '/probe/suite.sh']);
  const results = new Map<number, string>();
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) results.set(Number(line.slice(0, tab)), line.slice(tab + 1));
  }
  return results;
}

function report(title: string, results: Map<number, string>, pick: (c: Check) => Expect): string[] {
  const failures: string[] = [];
  const rows = suite.map((c, i) => {
    const got = results.get(i) ?? '<missing>';
    const pass = ok(pick(c), got);
    if (!pass) failures.push(`${c.name}: got ${JSON.stringify(got)}, expected ${say(pick(c))}`);
    return `  ${pass ? 'ok  ' : 'FAIL'} ${c.name.padEnd(44)} ${got}`;
  });
  console.log(`${title} (${suite.length} checks)\n${rows.join('\n')}`);
  return failures;
}

test('the probe suite holds in a default container', () => {
  assert.ok(suite.length >= 30);
  const failures = report('default container', runSuite([]), (c) => c.expect);
  assert.deepEqual(failures, []);
});

test('with --privileged exactly the expected checks change', () => {
  const results = runSuite(['--privileged']);
  const failures = report('privileged container', results, (c) => c.privileged ?? c.expect);
  assert.deepEqual(failures, []);
  // A check marked as changing must really give a different answer: its default expectation no longer holds.
  const notChanged = suite.filter((c, i) => c.privileged !== undefined && ok(c.expect, results.get(i) ?? '')).map((c) => c.name);
  assert.deepEqual(notChanged, [], 'checks expected to change under --privileged but did not');
  const changed = suite.filter((c) => c.privileged !== undefined).length;
  console.log(`${changed} of ${suite.length} checks change under --privileged; the other ${suite.length - changed} hold`);
});
