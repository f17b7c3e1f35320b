// Container lifecycle through the CLI, as a user drives it: run/create/start/stop/restart/kill/pause/rm, the exit
// codes docker users rely on, ps/inspect/top/wait/rename, create-time options taking effect inside the container,
// and one-line errors for user mistakes that leave the daemon answering.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { allNames, assertDaemonAnswers, assertOneLineError, containerGone, inspectContainer, waitFor } from './cli-checks.js';

describe('container lifecycle (CLI)', () => {
  const e = new TestEngine('bh-test-lifecycle-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('run --rm echo prints the output and leaves no container', () => {
    const r = e.run(['run', '--rm', '--name', 'lc-echo', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.stderr, '');
    assert.ok(containerGone(e, 'lc-echo'), '--rm container still exists');
  });

  it('run exits with the container exit code, 127/126 when the command cannot run, 125 for engine errors', () => {
    assert.equal(e.run(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']).code, 3);
    const missing = e.run(['run', '--rm', 'busybox', 'no-such-command']);
    assertOneLineError(missing, /no-such-command/, 127);
    const notExecutable = e.run(['run', '--rm', 'busybox', '/etc/passwd']);
    assertOneLineError(notExecutable, /\/etc\/passwd/, 126);
    const noImage = e.run(['run', '--rm', '--pull', 'never', 'bh-no-such-image', 'true']);
    assertOneLineError(noImage, /bh-no-such-image/, 125);
    assert.equal(noImage.stdout, '');
    // With the default policy the engine tries to pull it first; a registry on 127.0.0.1 that is not there keeps the
    // attempt on this machine. Docker-like: a notice, then one error line, no stack trace.
    const unpullable = e.run(['run', '--rm', '127.0.0.1:9/bh-no-such-image', 'true']);
    assert.equal(unpullable.code, 125);
    assert.match(unpullable.stderr, /^Unable to find image '127\.0\.0\.1:9\/bh-no-such-image' locally$/m);
    assert.match(unpullable.stderr.trim().split('\n').pop()!, /^bulkhead: .*127\.0\.0\.1:9/);
    assert.doesNotMatch(unpullable.stderr, /^\s+at .+[:(]/m);
    assert.equal(e.run(['run', '--pull', 'sometimes', 'busybox', 'true']).code, 125);
  });

  it('run -d shows in ps (-q, -a, filters, json) and stop/start/restart change its state', () => {
    const id = e.ok(['run', '-d', '--name', 'lc-web', '-l', 'bh.role=web', 'busybox', 'sleep', '300']);
    assert.match(id, /^[0-9a-f]{64}$/);
    e.ok(['create', '--name', 'lc-idle', '-l', 'bh.role=idle', 'busybox', 'true']);

    const table = e.ok(['ps']);
    assert.match(table, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
    assert.match(table, new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"sleep 300"\\s.*\\bUp\\b.*\\slc-web$`, 'm'));
    assert.doesNotMatch(table, /lc-idle/, 'ps without -a must hide created containers');
    assert.equal(e.ok(['ps', '-q']), id.slice(0, 12));
    assert.equal(e.ok(['ps', '-q', '--no-trunc']), id);
    assert.match(e.ok(['ps', '-a']), /lc-idle/);

    const names = (args: string[]) => e.ok(['ps', '-a', '--format', 'json', ...args]);
    const byFilter = (f: string) => (JSON.parse(names(['--filter', f])) as Array<{ Name: string }>).map((c) => c.Name).sort();
    assert.deepEqual(byFilter('name=lc-web'), ['lc-web']);
    assert.deepEqual(byFilter('status=running'), ['lc-web']);
    assert.deepEqual(byFilter('status=created'), ['lc-idle']);
    assert.deepEqual(byFilter('label=bh.role=idle'), ['lc-idle']);
    assert.deepEqual(byFilter('label=bh.role'), ['lc-idle', 'lc-web']);
    const json = JSON.parse(e.ok(['ps', '--format', 'json'])) as Array<{ Id: string; Name: string; Image: string; State: { status: string } }>;
    assert.equal(json.length, 1);
    assert.equal(json[0]!.Id, id);
    assert.equal(json[0]!.Image, 'busybox');
    assert.equal(json[0]!.State.status, 'running');

    // sleep as pid 1 ignores SIGTERM: -t 1 must fall back to SIGKILL after about a second, not the 10 s default.
    const t0 = Date.now();
    assert.equal(e.ok(['stop', '-t', '1', 'lc-web']), 'lc-web');
    assert.ok(Date.now() - t0 < 8000, `stop -t 1 took ${Date.now() - t0}ms`);
    assert.equal(inspectContainer(e, 'lc-web').State.status, 'exited');
    assert.equal(e.ok(['ps', '-q']), '');
    assert.match(e.ok(['ps', '-a', '--filter', 'name=lc-web']), /Exited \(137\)/);

    e.ok(['start', 'lc-web']);
    const first = inspectContainer(e, 'lc-web');
    assert.equal(first.State.status, 'running');
    e.ok(['restart', '-t', '0', 'lc-web']);
    const second = inspectContainer(e, 'lc-web');
    assert.equal(second.State.status, 'running');
    assert.notEqual(second.State.pid, first.State.pid, 'restart must start a new process');
    e.ok(['rm', '-f', 'lc-web', 'lc-idle']);
  });

  it('rm refuses a running container with one clear line; rm -f removes it', () => {
    e.ok(['run', '-d', '--name', 'lc-busy', 'busybox', 'sleep', '300']);
    const refused = e.run(['rm', 'lc-busy']);
    assertOneLineError(refused, /lc-busy.*(running|stop).*(-f|--force)/);
    assert.equal(inspectContainer(e, 'lc-busy').State.status, 'running');
    assert.equal(e.ok(['rm', '-f', 'lc-busy']), 'lc-busy');
    assert.ok(containerGone(e, 'lc-busy'));
  });

  it('kill -s USR1 reaches a trapping shell', async () => {
    e.ok(['run', '-d', '--name', 'lc-trap', 'busybox', 'sh', '-c',
      'trap "echo got-usr1; exit 42" USR1; echo ready; while true; do sleep 0.1; done']);
    await waitFor(() => e.run(['logs', 'lc-trap']).stdout.includes('ready'), 'the trap to be set');
    e.ok(['kill', '-s', 'USR1', 'lc-trap']);
    assert.equal(e.ok(['wait', 'lc-trap']), '42');
    assert.match(e.ok(['logs', 'lc-trap']), /got-usr1/);
    e.ok(['rm', 'lc-trap']);
  });

  it('pause/unpause show in ps and inspect; top lists the process', () => {
    e.ok(['run', '-d', '--name', 'lc-pause', 'busybox', 'sleep', '300']);
    const top = e.ok(['top', 'lc-pause']);
    assert.match(top.split('\n')[0]!, /PID/);
    assert.match(top, /sleep 300/);
    const pid = inspectContainer(e, 'lc-pause').State.pid;
    assert.match(top, new RegExp(`\\b${pid}\\b`), 'top must show the container process host pid');

    e.ok(['pause', 'lc-pause']);
    assert.match(e.ok(['ps', '--filter', 'name=lc-pause']), /\(Paused\)/);
    assert.equal(e.ok(['inspect', '-f', 'State.status', 'lc-pause']), 'paused');
    e.ok(['unpause', 'lc-pause']);
    assert.equal(e.ok(['inspect', '-f', 'State.status', 'lc-pause']), 'running');
    assert.doesNotMatch(e.ok(['ps', '--filter', 'name=lc-pause']), /Paused/);
    e.ok(['rm', '-f', 'lc-pause']);
  });

  it("inspect -f takes docker's field names: State.Status and {{.State.Status}}", () => {
    e.ok(['create', '--name', 'lc-fmt', 'busybox', 'true']);
    assert.equal(e.ok(['inspect', '-f', 'State.Status', 'lc-fmt']), 'created');
    assert.equal(e.ok(['inspect', '-f', '{{.State.Status}}', 'lc-fmt']), 'created');
    e.ok(['rm', 'lc-fmt']);
  });

  it('rename moves the name; wait prints the exit code', () => {
    const id = e.ok(['run', '-d', '--name', 'lc-old', 'busybox', 'sh', '-c', 'sleep 0.5; exit 7']);
    e.ok(['rename', 'lc-old', 'lc-new']);
    assert.ok(containerGone(e, 'lc-old'));
    assert.equal(inspectContainer(e, 'lc-new').Id, id);
    assert.match(e.ok(['ps', '-a', '--filter', 'name=lc-new']), /lc-new/);
    assert.equal(e.ok(['wait', 'lc-new']), '7');
    assert.equal(inspectContainer(e, 'lc-new').State.exitCode, 7);
    e.ok(['rm', 'lc-new']);
  });

  it('create then start -a streams the output and returns the exit code', () => {
    e.ok(['create', '--name', 'lc-created', 'busybox', 'sh', '-c', 'echo from-created; echo to-err >&2; exit 5']);
    assert.equal(e.ok(['inspect', '-f', 'State.status', 'lc-created']), 'created');
    const r = e.run(['start', '-a', 'lc-created']);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout, 'from-created\n');
    assert.equal(r.stderr, 'to-err\n');
    e.ok(['rm', 'lc-created']);
  });

  it('--rm on a detached container removes it after it exits', async () => {
    e.ok(['run', '-d', '--rm', '--name', 'lc-autorm', 'busybox', 'sh', '-c', 'sleep 0.3']);
    await waitFor(() => containerGone(e, 'lc-autorm'), 'the --rm container to be removed');
    assert.ok(!allNames(e).includes('lc-autorm'));
  });

  it('-e, --env-file, -w, -u, --entrypoint, --hostname and --label take effect', () => {
    const envFile = join(e.dir, 'lc.env');
    writeFileSync(envFile, '# comment\nFROM_FILE=file-value\nSHARED=from-file\n');
    const out = e.ok(['run', '--rm', '-e', 'FROM_FLAG=flag value', '-e', 'SHARED=from-flag', '--env-file', envFile,
      '-w', '/tmp/work', '-u', '1234:2345', '--hostname', 'lc-host', 'busybox', 'sh', '-c',
      'echo "$FROM_FLAG|$FROM_FILE|$SHARED"; pwd; id -u; id -g; hostname']);
    assert.deepEqual(out.split('\n'), ['flag value|file-value|from-flag', '/tmp/work', '1234', '2345', 'lc-host']);

    // A user name resolves through the image's /etc/passwd (static busybox cannot map ids back to names itself).
    assert.equal(e.ok(['run', '--rm', '-u', 'nobody', 'busybox', 'sh', '-c', 'id -u; id -g']), '65534\n65534');
    assert.equal(e.ok(['run', '--rm', '--entrypoint', '/bin/echo', 'busybox', 'via', 'entrypoint']), 'via entrypoint');

    e.ok(['create', '--name', 'lc-labels', '-l', 'bh.a=1', '--label', 'bh.b=two words', 'busybox', 'true']);
    assert.deepEqual(inspectContainer(e, 'lc-labels').Config.labels, { 'bh.a': '1', 'bh.b': 'two words' });
    assert.deepEqual(JSON.parse(e.ok(['inspect', '-f', 'Config.labels', 'lc-labels'])), { 'bh.a': '1', 'bh.b': 'two words' });
    e.ok(['rm', 'lc-labels']);
  });

  it('--init runs the init as PID 1 and the command as its child; exec is not wrapped', () => {
    // `exit 0` keeps sh from exec'ing its last command, so sh is still there when ps looks.
    const script = 'tr "\\0" " " </proc/1/cmdline; echo; ps -o pid,ppid,comm; exit 0';
    const out = e.ok(['run', '--rm', '--init', 'busybox', 'sh', '-c', script]);
    const [cmdline, , ...procs] = out.split('\n');
    assert.equal(cmdline!.trim(), `/sbin/docker-init -- sh -c ${script}`);
    assert.match(procs[0]!, /^\s*1\s+0\s+docker-init$/);
    assert.match(procs.find((l) => /\ssh$/.test(l)) ?? '', /^\s*\d+\s+1\s+sh$/, `sh is the init's child: ${out}`);
    // The init's exit is the command's, also for a command that cannot run (tini answers 127 as docker's does).
    assert.equal(e.run(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(e.run(['run', '--rm', '--init', 'busybox', 'lc-no-such-command']).code, 127);
    e.ok(['run', '-d', '--name', 'lc-init-exec', '--init', 'busybox', 'sleep', '300']);
    assert.equal(e.ok(['exec', 'lc-init-exec', 'cat', '/proc/self/cmdline']).replace(/\0/g, ' ').trim(), 'cat /proc/self/cmdline');
    assert.equal(e.ok(['inspect', '-f', '{{.Config.init}}', 'lc-init-exec']), 'true');
    e.ok(['rm', '-f', 'lc-init-exec']);
  });

  it('--init reaps orphaned zombies and forwards stop\'s signal to the command', async () => {
    // The subshell exits at once, orphaning its `sleep 0.2`, which is re-parented to PID 1 and dies 0.2 s later.
    const orphaning = ['busybox', 'sh', '-c', '(sleep 0.2 &); exec sleep 300'];
    e.ok(['run', '-d', '--name', 'lc-init-reap', '--init', ...orphaning]);
    e.ok(['run', '-d', '--name', 'lc-noinit-reap', ...orphaning]);
    const states = (name: string) => e.ok(['exec', name, 'ps', '-o', 'stat,args']).split('\n').slice(1).map((l) => l.trim().replace(/\s+/g, ' '));
    // Without the init, PID 1 is `sleep 300`, which never reaps: the orphan stays a zombie (what --init is for).
    await waitFor(() => states('lc-noinit-reap').some((l) => l.startsWith('Z')), 'the orphan to become a zombie without --init');
    assert.deepEqual(states('lc-init-reap').filter((l) => !/ps -o/.test(l)), ['S /sbin/docker-init -- sh -c (sleep 0.2 &); exec sleep 300', 'S sleep 300']);
    e.ok(['rm', '-f', 'lc-noinit-reap']);
    // In the host's PID namespace the init is not PID 1: it registers as a subreaper instead of warning that it cannot reap.
    const hostPid = e.run(['run', '--rm', '--init', '--pid', 'host', 'busybox', 'sh', '-c', 'tr "\\0" " " </proc/$PPID/cmdline']);
    assert.deepEqual([hostPid.code, hostPid.stdout.trim(), hostPid.stderr], [0, '/sbin/docker-init -s -- sh -c tr "\\0" " " </proc/$PPID/cmdline', '']);
    // `sleep` as PID 1 would ignore SIGTERM until the 10 s timeout; the init passes it on and sleep dies at once.
    const t0 = Date.now();
    e.ok(['stop', 'lc-init-reap']);
    assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms`);
    assert.equal(inspectContainer(e, 'lc-init-reap').State.exitCode, 143, 'killed by SIGTERM, as the init reports it');
    e.ok(['rm', 'lc-init-reap']);
  });

  it('--annotation lands in config.json and inspect; a bad or runtime-reserved key is one line and creates nothing', () => {
    const id = e.ok(['run', '-d', '--name', 'lc-annot', '--annotation', 'com.example.team=blue', '--annotation', 'com.example.note=a=b',
      '--annotation', 'com.example.empty=', 'busybox', 'sleep', '300']);
    const want = { 'com.example.team': 'blue', 'com.example.note': 'a=b', 'com.example.empty': '' };
    const spec = JSON.parse(readFileSync(join(e.root, 'run', 'containers', id, 'bundle', 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    assert.deepEqual(spec.annotations, want);
    assert.deepEqual(JSON.parse(e.ok(['inspect', '-f', '{{json .Config.annotations}}', 'lc-annot'])), want);
    e.ok(['rm', '-f', 'lc-annot']);
    const before = allNames(e);
    assertOneLineError(e.run(['run', '--annotation', 'com.example.novalue', 'busybox', 'true']), /invalid annotation "com\.example\.novalue": expected KEY=VALUE/);
    assertOneLineError(e.run(['run', '--annotation', '=v', 'busybox', 'true']), /invalid annotation "=v"/);
    assertOneLineError(e.run(['create', '--annotation', 'run.oci.keep_original_groups=1', 'busybox', 'true']),
      /invalid annotation "run\.oci\.keep_original_groups": keys starting with "run\.oci\." are settings of the OCI runtime/);
    assertOneLineError(e.run(['create', '--annotation', 'org.opencontainers.runc.exec.isolated-cpu-affinity-transition=temporary', 'busybox', 'true']),
      /"org\.opencontainers\.runc\." are settings of the OCI runtime/);
    assert.deepEqual(allNames(e), before, 'a refused annotation must not leave a container behind');
  });

  it('a non-root user sees the image\'s root directory, not the engine\'s private one', () => {
    // overlayfs shows the upper dir's mode as "/": it must be the image's (0755), or uid 1000 cannot reach /etc.
    assert.match(e.ok(['run', '--rm', '-u', '1000', 'busybox', 'ls', '-ld', '/']), /^drwxr-xr-x\s/);
    assert.match(e.ok(['run', '--rm', '-u', '1000', 'busybox', 'cat', '/etc/passwd']), /^root:x:0:0:/m);
  });

  it('user mistakes give one line and a non-zero exit, create nothing, and leave the daemon answering', () => {
    e.ok(['create', '--name', 'lc-dup', 'busybox', 'true']);
    const before = allNames(e);
    assertOneLineError(e.run(['run', '--name', 'bad/name', 'busybox', 'true']), /invalid container name "bad\/name"/);
    assertOneLineError(e.run(['create', '--name', 'lc-dup', 'busybox', 'true']), /lc-dup.*already (exists|in use)|already.*lc-dup/i);
    assertOneLineError(e.run(['run', '-m', '12zz', 'busybox', 'true']), /12zz/);
    assertOneLineError(e.run(['run', '-v', 'a:b:c:d', 'busybox', 'true']), /a:b:c:d/);
    assertOneLineError(e.run(['run', '-v', 'relative/dir:/data', 'busybox', 'true']), /relative\/dir/);
    assertOneLineError(e.run(['stop', 'lc-no-such-container']), /lc-no-such-container/, 1);
    assert.deepEqual(allNames(e), before, 'a failed command must not leave a container behind');
    assertDaemonAnswers(e);
    e.ok(['rm', 'lc-dup']);
  });

  it('an unknown flag gives one line and a non-zero exit', () => {
    const run = e.run(['run', '--bh-bogus-flag', 'busybox', 'true']);
    assertOneLineError(run, /--bh-bogus-flag/, 125);
    assertOneLineError(e.run(['ps', '--bh-bogus-flag']), /--bh-bogus-flag/, 1);
    assertDaemonAnswers(e);
  });
});
