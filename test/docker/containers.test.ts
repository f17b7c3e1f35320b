// Docker API containers through the real docker CLI: run (attached, detached, -i, -it in a pseudo-terminal),
// ps, inspect formats, logs (tail, timestamps, -f), exec (plain and -it), cp both ways, stats, top, diff, export,
// pause/unpause, rename, update, stop/start/kill statuses, wait, prune, create-time translation of HostConfig (with
// LogConfig's max-size and max-file, CgroupnsMode, Links), clear
// 400s for what Bulkhead does not do, and one engine shared with Bulkhead's own CLI.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine } from './helpers.js';
import { logOnDisk } from '../helpers/log-files.js';

describe('Docker API: containers (docker CLI)', () => {
  const e = new DockerTestEngine('bh-test-docker-ctr-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('docker run prints output, keeps stdout and stderr apart, returns the exit code, and --rm leaves nothing', () => {
    const r = e.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(e.dockerOk(['ps', '-aq']), '');
    assert.equal(e.dockerOk(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'from-stdin\n' }), 'from-stdin');
  });

  it('docker run -it and docker exec -it work through a pseudo-terminal', () => {
    const run = e.dockerPty(['run', '-it', '--rm', 'busybox', 'sh'], 'echo run-$((1+2)); tty\nexit 5\n', '# ');
    assert.equal(run.code, 5, run.stdout);
    assert.match(run.stdout, /run-3\r\n\/dev\/pts\/0\r\n/);
    e.dockerOk(['run', '-d', '--name', 'bh-pty', 'busybox', 'sleep', '300']);
    try {
      const exec = e.dockerPty(['exec', '-it', 'bh-pty', 'sh'], 'echo exec-$((2+2)); tty\nexit 6\n', '# ');
      assert.equal(exec.code, 6, exec.stdout);
      assert.match(exec.stdout, /exec-4\r\n\/dev\/pts\/\d+\r\n/);
    } finally {
      e.dockerOk(['rm', '-f', 'bh-pty']);
    }
  });

  it('docker run -d shows in ps and inspect, and logs reads tail, timestamps and follows', async () => {
    const id = e.dockerOk(['run', '-d', '--name', 'bh-web', '-l', 'bh.role=web', 'busybox', 'sh', '-c',
      'echo first; echo oops >&2; i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.3; done']);
    assert.match(id, /^[0-9a-f]{64}$/);
    e.dockerOk(['create', '--name', 'bh-idle', 'busybox', 'true']);
    assert.equal(e.dockerOk(['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']), 'bh-web busybox running');
    assert.deepEqual(e.dockerOk(['ps', '-a', '--format', '{{.Names}}']).split('\n').sort(), ['bh-idle', 'bh-web']);
    assert.equal(e.dockerOk(['ps', '-a', '--filter', 'label=bh.role=web', '-q', '--no-trunc']), id);
    assert.equal(e.dockerOk(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}']), 'bh-idle');
    assert.equal(e.dockerOk(['ps', '-a', '--last', '1', '--format', '{{.Names}}']), 'bh-idle');
    const fmt = '{{.Name}} {{.State.Status}} {{.State.Running}} {{if .State.Pid}}pid{{end}} {{.Config.Image}} {{index .Config.Labels "bh.role"}} {{.Id}}';
    assert.equal(e.dockerOk(['inspect', '--format', fmt, 'bh-web']), `/bh-web running true pid busybox web ${id}`);
    assert.match(e.dockerOk(['inspect', '--format', '{{.State.StartedAt}} {{.State.FinishedAt}}', 'bh-idle']), /^0001-01-01T00:00:00Z 0001-01-01T00:00:00Z$/);
    await new Promise((r) => setTimeout(r, 1200));
    const logs = e.docker(['logs', 'bh-web']);
    assert.match(logs.stdout, /^first\ntick1\n/);
    assert.equal(logs.stderr, 'oops\n');
    assert.match(e.dockerOk(['logs', '--tail', '1', 'bh-web']), /^tick\d+$/);
    assert.match(e.dockerOk(['logs', '-t', 'bh-web']).split('\n')[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z first$/);
    const follow = e.dockerSpawn(['logs', '-f', '--tail', '0', 'bh-web']);
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => { followed += d.toString(); });
    for (let i = 0; i < 50 && (followed.match(/tick/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    follow.kill();
    assert.ok((followed.match(/tick/g) ?? []).length >= 2, `logs -f showed ${JSON.stringify(followed)}`);
    assert.doesNotMatch(followed, /first/);
  });

  it('exec, top, stats, diff, cp both ways and export', () => {
    const r = e.docker(['exec', '-e', 'BH_X=1', '-w', '/tmp', 'bh-web', 'sh', '-c', 'echo $BH_X $(pwd); exit 4']);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, '1 /tmp\n');
    assert.match(e.dockerOk(['top', 'bh-web']), /^UID\s+PID\s+PPID.*\n(.*\n)*.*sleep/);
    const stats = e.dockerOk(['stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', 'bh-web']).split('|');
    assert.equal(stats[0], 'bh-web');
    assert.match(stats[1]!, /^\d+\.\d\d%$/);
    assert.match(stats[2]!, /^[\d.]+[KMG]?i?B \/ [\d.]+[KMG]iB$/);
    assert.ok(Number(stats[3]) >= 1);

    const host = join(e.dir, 'cp');
    mkdirSync(host);
    writeFileSync(join(host, 'in.txt'), 'into-container\n');
    e.dockerOk(['cp', join(host, 'in.txt'), 'bh-web:/tmp/']);
    assert.equal(e.dockerOk(['exec', 'bh-web', 'cat', '/tmp/in.txt']), 'into-container');
    e.dockerOk(['exec', 'bh-web', 'sh', '-c', 'echo made-inside > /tmp/out.txt']);
    e.dockerOk(['cp', 'bh-web:/tmp/out.txt', join(host, 'out.txt')]);
    assert.equal(readFileSync(join(host, 'out.txt'), 'utf8'), 'made-inside\n');
    e.dockerOk(['cp', 'bh-web:/etc', join(host, 'etc')]);
    assert.ok(readFileSync(join(host, 'etc', 'passwd'), 'utf8').startsWith('root:'));
    // the engine's /etc files are mounts: cp reads what the container sees there, not the image's files below
    assert.equal(readFileSync(join(host, 'etc', 'hostname'), 'utf8').trim(), e.dockerOk(['exec', 'bh-web', 'hostname']));
    // inspect says where those files and the log are on the host
    const [hostsPath, logPath] = e.dockerOk(['inspect', '-f', '{{.HostsPath}} {{.LogPath}}', 'bh-web']).split(' ');
    assert.equal(readFileSync(hostsPath!, 'utf8'), e.dockerOk(['exec', 'bh-web', 'cat', '/etc/hosts']) + '\n');
    assert.match(readFileSync(logPath!, 'utf8'), /stdout/, 'the k8s-file log conmon writes');
    const missing = e.docker(['cp', 'bh-web:/bh-nope', join(host, 'x')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not find the file \/bh-nope/);
    assert.match(e.dockerOk(['diff', 'bh-web']), /^A \/tmp\/in\.txt$/m);
    const tar = join(host, 'rootfs.tar');
    e.dockerOk(['export', '-o', tar, 'bh-web']);
    assert.ok(readFileSync(tar).includes(Buffer.from('into-container')));
  });

  it('pause, unpause, rename, update, and Docker\'s statuses for stop, start and kill', async () => {
    e.dockerOk(['pause', 'bh-web']);
    assert.equal(e.dockerOk(['inspect', '--format', '{{.State.Status}} {{.State.Paused}}', 'bh-web']), 'paused true');
    e.dockerOk(['unpause', 'bh-web']);
    e.dockerOk(['rename', 'bh-web', 'bh-web2']);
    e.dockerOk(['update', '--memory', '64m', '--memory-swap', '128m', '--cpus', '0.5', '--pids-limit', '50', 'bh-web2']);
    assert.equal(e.dockerOk(['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}', 'bh-web2']),
      '67108864 500000000 50');
    const started = await e.http('POST', '/containers/bh-web2/start');
    assert.equal(started.status, 304, 'start of a running container is "not modified"');
    e.dockerOk(['stop', '-t', '1', 'bh-web2']);
    assert.equal((await e.http('POST', '/v1.50/containers/bh-web2/stop')).status, 304);
    assert.equal(e.dockerOk(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'bh-web2']), 'exited 137');
    const kill = e.docker(['kill', 'bh-web2']);
    assert.notEqual(kill.code, 0);
    assert.match(kill.stderr, /is not running/);
    assert.equal((await e.http('POST', '/containers/bh-web2/kill')).status, 409);
    e.dockerOk(['start', 'bh-web2']);
    e.dockerOk(['restart', '-t', '0', 'bh-web2']);
    assert.equal(e.dockerOk(['inspect', '--format', '{{.State.Running}}', 'bh-web2']), 'true');
    const waiter = e.dockerSpawn(['wait', 'bh-web2']);
    let code = '';
    waiter.stdout.on('data', (d: Buffer) => { code += d.toString(); });
    const waited = new Promise((r) => waiter.on('close', r));
    e.dockerOk(['kill', '-s', 'TERM', 'bh-web2']);
    e.dockerOk(['kill', 'bh-web2']);
    await waited;
    assert.equal(code.trim(), '137');
    const rm = e.docker(['rm', 'bh-nope']);
    assert.match(rm.stderr, /no such container: bh-nope/);
    assert.equal((await e.http('DELETE', '/containers/bh-nope')).status, 404);
  });

  it('create translates HostConfig: binds, tmpfs, env, user, workdir, limits, capabilities, read-only rootfs', () => {
    const host = join(e.dir, 'bind');
    mkdirSync(host);
    writeFileSync(join(host, 'f'), 'bound\n');
    const out = e.dockerOk(['run', '--rm', '-v', `${host}:/mnt/b:ro`, '--tmpfs', '/scratch:size=1m', '-e', 'BH_E=2', '-u', '1000:1000',
      '-w', '/scratch', '--memory', '32m', '--pids-limit', '20', '--cap-drop', 'ALL', '--read-only', '--hostname', 'bh-host',
      '--ulimit', 'nofile=512:1024', 'busybox', 'sh', '-c',
      'cat /mnt/b/f; echo $BH_E; id -u; pwd; hostname; ulimit -n; touch /x 2>/dev/null || echo ro; touch /mnt/b/y 2>/dev/null || echo bind-ro; ' +
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; grep CapEff /proc/self/status']);
    assert.deepEqual(out.split('\n'), ['bound', '2', '1000', '/scratch', 'bh-host', '512', 'ro', 'bind-ro', '33554432', 'CapEff:\t0000000000000000']);
  });

  it('docker run --init: the init is PID 1, stop reaches the command, exit codes pass through; inspect shows Init', () => {
    const id = e.dockerOk(['run', '-d', '--name', 'bh-init', '--init', 'busybox', 'sleep', '300']);
    const procs = e.dockerOk(['exec', 'bh-init', 'ps', '-o', 'pid,ppid,args']).split('\n').slice(1).map((l) => l.trim().replace(/\s+/g, ' '));
    assert.deepEqual(procs.filter((l) => !l.includes('ps -o')), ['1 0 /sbin/docker-init -- sleep 300', `${procs[1]!.split(' ')[0]} 1 sleep 300`]);
    assert.equal(e.dockerOk(['inspect', '-f', '{{.HostConfig.Init}}', 'bh-init']), 'true');
    const spec = JSON.parse(readFileSync(join(e.root, 'run', 'containers', id, 'bundle', 'config.json'), 'utf8')) as { mounts: Array<{ destination: string; options: string[] }> };
    assert.ok(spec.mounts.find((m) => m.destination === '/sbin/docker-init')?.options.includes('ro'), 'the init is mounted read-only');
    const t0 = Date.now();
    e.dockerOk(['stop', 'bh-init']);
    assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms: the init must forward SIGTERM to sleep`);
    assert.equal(e.dockerOk(['inspect', '-f', '{{.State.ExitCode}}', 'bh-init']), '143');
    e.dockerOk(['rm', 'bh-init']);
    assert.equal(e.docker(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'exit 5']).code, 5);
    e.dockerOk(['create', '--name', 'bh-noinit', 'busybox', 'true']);
    assert.equal(e.dockerOk(['inspect', '-f', '{{.HostConfig.Init}}', 'bh-noinit']), '<nil>');
    e.dockerOk(['rm', 'bh-noinit']);
  });

  it('docker run --annotation: in config.json and HostConfig.Annotations; empty or runtime-reserved keys are a 400', async () => {
    const id = e.dockerOk(['create', '--name', 'bh-annot', '--annotation', 'org.example.owner=team-a', '--annotation', 'org.example.empty=', 'busybox', 'true']);
    const want = { 'org.example.owner': 'team-a', 'org.example.empty': '' };
    assert.deepEqual(JSON.parse(e.dockerOk(['inspect', '-f', '{{json .HostConfig.Annotations}}', 'bh-annot'])), want);
    e.dockerOk(['start', 'bh-annot']);
    const spec = JSON.parse(readFileSync(join(e.root, 'run', 'containers', id, 'bundle', 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    assert.deepEqual(spec.annotations, want);
    e.dockerOk(['rm', '-f', 'bh-annot']);
    const reserved = e.docker(['run', '--rm', '--annotation', 'run.oci.keep_original_groups=1', 'busybox', 'true']);
    assert.equal(reserved.code, 125);
    assert.match(reserved.stderr, /invalid annotation "run\.oci\.keep_original_groups": keys starting with "run\.oci\." are settings of the OCI runtime/);
    const body = (hc: Record<string, unknown>) => ({ Image: 'busybox', Cmd: ['true'], HostConfig: hc });
    for (const [hc, message] of [
      [{ Annotations: { '': 'x' } }, /invalid annotation: the key must not be empty/],
      [{ Annotations: { k: 1 } }, /HostConfig\.Annotations must be an object of strings/],
      [{ Init: 'yes' }, /HostConfig\.Init must be true or false/],
    ] as const) {
      const r = await e.http('POST', '/containers/create', body(hc));
      assert.equal(r.status, 400, r.body);
      assert.match(JSON.parse(r.body).message, message);
    }
  });

  it('--volumes-from: the same volumes at the same paths, data shared both ways, recorded in inspect', async () => {
    e.dockerOk(['run', '-d', '--name', 'bh-vf-src', '-v', 'bh-vf:/data', 'busybox', 'sleep', '300']);
    e.dockerOk(['exec', 'bh-vf-src', 'sh', '-c', 'echo from-src > /data/f']);
    assert.equal(e.dockerOk(['run', '--rm', '--volumes-from', 'bh-vf-src', 'busybox', 'sh', '-c', 'cat /data/f; echo from-user > /data/u']), 'from-src');
    assert.equal(e.dockerOk(['exec', 'bh-vf-src', 'cat', '/data/u']), 'from-user');
    // docker cp reads and writes the volume, not the rootfs directory under its mount point
    const cpDir = join(e.dir, 'cp-vf');
    mkdirSync(cpDir);
    writeFileSync(join(cpDir, 'in'), 'copied-in\n');
    e.dockerOk(['cp', join(cpDir, 'in'), 'bh-vf-src:/data/']);
    assert.equal(e.dockerOk(['run', '--rm', '--volumes-from', 'bh-vf-src', 'busybox', 'cat', '/data/in']), 'copied-in');
    e.dockerOk(['cp', 'bh-vf-src:/data/u', join(cpDir, 'u')]);
    assert.equal(readFileSync(join(cpDir, 'u'), 'utf8'), 'from-user\n');
    e.dockerOk(['create', '--name', 'bh-vf-ro', '--volumes-from', 'bh-vf-src:ro', 'busybox', 'touch', '/data/x']);
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.VolumesFrom}} {{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}}{{end}}', 'bh-vf-ro']),
      '["bh-vf-src:ro"] bh-vf:/data:false');
    const ro = e.docker(['start', '-a', 'bh-vf-ro']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    const roCp = e.docker(['cp', join(cpDir, 'in'), 'bh-vf-ro:/data/']);
    assert.notEqual(roCp.code, 0);
    assert.match(roCp.stderr, /mounted volume \/data is marked read-only/);
    const missing = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { VolumesFrom: ['bh-vf-nope'] } });
    assert.equal(missing.status, 400);
    assert.match(JSON.parse(missing.body).message, /no such container: bh-vf-nope/);
    e.dockerOk(['rm', '-f', 'bh-vf-ro', 'bh-vf-src']);
    e.dockerOk(['volume', 'rm', 'bh-vf']);
  });

  it('--cgroupns: private by default and on request ("/" paths, its own namespace), host shares the host\'s; inspect shows it', async () => {
    const hostNs = readlinkSync('/proc/self/ns/cgroup');
    const probe = ['sh', '-c', 'readlink /proc/1/ns/cgroup; cut -d: -f3 /proc/self/cgroup | sort -u'];
    for (const out of [e.dockerOk(['run', '--rm', '--cgroupns', 'private', 'busybox', ...probe]), e.ok(['run', '--rm', 'busybox', ...probe])]) {
      const [ns, ...paths] = out.split('\n');
      assert.match(ns!, /^cgroup:\[\d+\]$/);
      assert.notEqual(ns, hostNs);
      assert.deepEqual(paths, ['/'], 'every hierarchy is rooted at the container\'s own cgroup');
    }
    for (const out of [e.dockerOk(['run', '--rm', '--cgroupns', 'host', 'busybox', ...probe]), e.ok(['run', '--rm', '--cgroupns', 'host', 'busybox', ...probe])]) {
      const [ns, ...paths] = out.split('\n');
      assert.equal(ns, hostNs);
      assert.ok(paths.length > 0 && paths.every((p) => /^\/bulkhead\/[0-9a-f]{64}$/.test(p)), paths.join(' '));
    }
    e.dockerOk(['create', '--name', 'bh-cgns-host', '--cgroupns', 'host', 'busybox', 'true']);
    e.ok(['create', '--name', 'bh-cgns-default', 'busybox', 'true']);
    assert.equal(e.dockerOk(['inspect', '-f', '{{.HostConfig.CgroupnsMode}}', 'bh-cgns-host', 'bh-cgns-default']), 'host\nprivate');
    assert.equal(e.ok(['inspect', '-f', '{{.Config.security.cgroupns}}', 'bh-cgns-host']), 'host');
    const bad = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { CgroupnsMode: 'shared' } });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /^invalid HostConfig\.CgroupnsMode "shared": expected host or private$/);
    const cli = e.run(['run', '--rm', '--cgroupns', 'shared', 'busybox', 'true']);
    assert.equal(cli.code, 125);
    assert.equal(cli.stderr, 'bulkhead: invalid --cgroupns "shared": expected host or private\n');
    e.dockerOk(['rm', 'bh-cgns-host', 'bh-cgns-default']);
    assert.equal(e.dockerOk(['ps', '-aq', '--filter', 'name=bh-cgns']), '');
  });

  it('--link: alias, hostname and name in /etc/hosts, docker\'s variables, inspect; missing or stopped targets leave nothing', async () => {
    const id = e.dockerOk(['run', '-d', '--name', 'bh-lk-db', '-e', 'ROLE=primary', '-p', '127.0.0.1::80', 'busybox', 'sh', '-c',
      'echo linked > /tmp/index.html; exec httpd -f -p 80 -h /tmp']);
    const ip = e.dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'bh-lk-db']);
    const out = e.dockerOk(['run', '--rm', '--name', 'bh-lk-web', '--link', 'bh-lk-db:db', 'busybox', 'sh', '-c',
      'grep -w db /etc/hosts; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://db/index.html && break; sleep 0.2; done; '
      + 'echo "$DB_NAME $DB_PORT $DB_PORT_80_TCP_ADDR $DB_PORT_80_TCP_PROTO $DB_ENV_ROLE"']);
    assert.equal(out, `${ip}\tdb ${id.slice(0, 12)} bh-lk-db\nlinked\n/bh-lk-web/db tcp://${ip}:80 ${ip} tcp primary`);
    // Bulkhead's CLI, no alias (the name is the alias); docker's stored form back through the API.
    e.ok(['run', '-d', '--name', 'bh-lk-c', '--link', 'bh-lk-db', 'busybox', 'sleep', '300']);
    assert.equal(e.ok(['exec', 'bh-lk-c', 'sh', '-c', 'grep bh-lk-db /etc/hosts; echo $BH_LK_DB_NAME']), `${ip}\tbh-lk-db ${id.slice(0, 12)}\n/bh-lk-c/bh-lk-db`);
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.Links}}', 'bh-lk-c']), '["/bh-lk-db:/bh-lk-c/bh-lk-db"]');
    assert.equal(e.ok(['inspect', '-f', '{{json .Links}}', 'bh-lk-c']), '["/bh-lk-db:/bh-lk-c/bh-lk-db"]');
    const raw = await e.http('POST', '/containers/create?name=bh-lk-raw', { Image: 'busybox', Cmd: ['true'], HostConfig: { Links: ['/bh-lk-db:/old/store'] } });
    assert.equal(raw.status, 201, raw.body);
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.Links}}', 'bh-lk-raw']), '["/bh-lk-db:/bh-lk-raw/store"]');
    e.dockerOk(['create', '--name', 'bh-lk-stopped', 'busybox', 'true']);
    const before = e.dockerOk(['ps', '-aq']);
    const missing = e.docker(['run', '--link', 'bh-lk-nope:x', 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /could not get container for bh-lk-nope: no such container/);
    const stopped = e.docker(['run', '--link', 'bh-lk-stopped:x', 'busybox', 'true']);
    assert.equal(stopped.code, 125);
    assert.match(stopped.stderr, /cannot link to a non running container: \/bh-lk-stopped AS \/[\w-]+\/x/);
    for (const flags of [['--network', 'none'], ['--network', 'host']]) {
      const r = e.run(['run', ...flags, '--link', 'bh-lk-db:db', 'busybox', 'true']);
      assert.equal(r.code, 125, flags.join(' '));
      assert.match(r.stderr, /^bulkhead: conflicting options: [^\n]*\n$/);
    }
    assert.equal(e.dockerOk(['ps', '-aq']), before, 'nothing was left behind');
    // The linked container stopped: the link fails the start; removed: the link is gone, as in docker.
    e.dockerOk(['stop', '-t', '0', 'bh-lk-c', 'bh-lk-db']);
    const start = e.run(['start', 'bh-lk-c']);
    assert.notEqual(start.code, 0);
    assert.match(start.stderr, /cannot link to a non running container: \/bh-lk-db AS \/bh-lk-c\/bh-lk-db/);
    e.dockerOk(['rm', 'bh-lk-db']);
    assert.equal(e.dockerOk(['inspect', '-f', '{{json .HostConfig.Links}}', 'bh-lk-c']), 'null');
    e.ok(['start', 'bh-lk-c']);
    e.dockerOk(['rm', '-f', 'bh-lk-c', 'bh-lk-raw', 'bh-lk-stopped']);
    assert.equal(e.dockerOk(['ps', '-aq', '--filter', 'name=bh-lk']), '');
  });

  it('--link: a linked container restarted with a new address is rewritten into the linking one\'s /etc/hosts; replace checks links first', () => {
    e.dockerOk(['run', '-d', '--name', 'bh-lk2-a', 'busybox', 'sh', '-c', 'echo again > /tmp/i.html; exec httpd -f -p 80 -h /tmp']);
    const oldIp = e.dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'bh-lk2-a']);
    const bId = e.dockerOk(['run', '-d', '--name', 'bh-lk2-b', '--link', 'bh-lk2-a:db', 'busybox', 'sleep', '300']);
    try {
      const dbLine = () => e.dockerOk(['exec', 'bh-lk2-b', 'grep', '-w', 'db', '/etc/hosts']);
      assert.match(dbLine(), new RegExp(`^${oldIp.replaceAll('.', '\\.')}\tdb `));
      // While a is stopped a filler takes an address (its old one, or the next), so a comes back with another.
      e.dockerOk(['stop', '-t', '0', 'bh-lk2-a']);
      e.dockerOk(['run', '-d', '--name', 'bh-lk2-filler', 'busybox', 'sleep', '300']);
      e.dockerOk(['start', 'bh-lk2-a']);
      const newIp = e.dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'bh-lk2-a']);
      assert.notEqual(newIp, oldIp);
      // Seen through the bind mount of a running container: the file was rewritten in place.
      assert.equal(dbLine().split('\t')[0], newIp);
      assert.equal(e.dockerOk(['exec', 'bh-lk2-b', 'sh', '-c',
        'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://db/i.html && exit; sleep 0.2; done; exit 1']), 'again');
      // The linked container stopped: replace refuses before touching the old container, which keeps running.
      e.dockerOk(['stop', '-t', '0', 'bh-lk2-a']);
      const r = e.run(['replace', 'bh-lk2-b']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /^bulkhead: replace container bh-lk2-b: cannot link to a non running container: \/bh-lk2-a AS \/bh-lk2-b\/db\n$/);
      assert.equal(e.dockerOk(['inspect', '-f', '{{.Id}} {{.State.Status}}', 'bh-lk2-b']), `${bId} running`);
    } finally {
      e.dockerOk(['rm', '-f', 'bh-lk2-b', 'bh-lk2-filler', 'bh-lk2-a']);
    }
  });

  it('unsupported settings are a 400 naming the field; bad input is a clear error', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--domainname', 'example.org'], /Domainname is not supported/],
      [['--log-driver', 'syslog'], /LogConfig\.Type is not supported.*syslog/],
      [['--gpus', 'all'], /HostConfig\.DeviceRequests is not supported/],
      [['--storage-opt', 'size=1G'], /HostConfig\.StorageOpt is not supported/],
    ];
    for (const [flags, message] of cases) {
      const r = e.docker(['run', ...flags, 'busybox', 'true']);
      assert.equal(r.code, 125, flags.join(' '));
      assert.match(r.stderr, message);
    }
    const raw = await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { StorageOpt: { size: '1G' } }, Unknown: 1 });
    assert.equal(raw.status, 400);
    assert.match(JSON.parse(raw.body).message, /StorageOpt/);
    const ignored = await e.http('POST', '/containers/create?name=bh-unknown', { Image: 'busybox', Cmd: ['true'], SomeFutureField: { x: 1 } });
    assert.equal(ignored.status, 201, ignored.body);
    assert.equal((await e.http('POST', '/containers/create?name=bh-unknown', { Image: 'busybox', Cmd: ['true'] })).status, 409);
    assert.equal((await e.http('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], Env: 'X=1' })).status, 400);
    e.dockerOk(['rm', 'bh-unknown']);
  });

  it('docker run --log-opt max-size/max-file bounds the log, inspect shows LogConfig, and bad options are a 400', async () => {
    const id = e.dockerOk(['run', '-d', '--name', 'bh-logopt', '--log-opt', 'max-size=3k', '--log-opt', 'max-file=2', 'busybox', 'seq', '1', '2000']);
    assert.equal(e.dockerOk(['wait', 'bh-logopt']), '0');
    assert.deepEqual(JSON.parse(e.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'bh-logopt'])),
      { Type: 'json-file', Config: { 'max-size': '3k', 'max-file': '2' } });
    const disk = logOnDisk(e.root, id);
    assert.ok(disk.bytes <= 2 * 3000 && disk.files === 2, `${disk.bytes} bytes in ${disk.names.join(', ')}`);
    const lines = e.dockerOk(['logs', 'bh-logopt']).split('\n').map(Number);
    assert.equal(lines.at(-1), 2000);
    assert.ok(lines[0]! > 1, 'the oldest lines were rotated away');
    lines.forEach((n, i) => assert.ok(i === 0 || n > lines[i - 1]!, `whole lines in order: ${n} after ${lines[i - 1]}`));
    assert.equal(e.dockerOk(['logs', '--tail', '2', 'bh-logopt']), '1999\n2000');
    // A container without options shows docker's empty Config.
    e.dockerOk(['create', '--name', 'bh-nologopt', 'busybox', 'true']);
    assert.deepEqual(JSON.parse(e.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'bh-nologopt'])), { Type: 'json-file', Config: {} });
    for (const [opts, message] of [[['max-size=abc'], /max-size "abc"/], [['max-size=1m', 'max-file=0'], /max-file "0"/],
      [['max-file=2'], /max-file needs max-size/], [['mode=non-blocking'], /unknown log option "mode=non-blocking"/]] as Array<[string[], RegExp]>) {
      const r = e.docker(['run', '--name', 'bh-badlog', ...opts.flatMap((o) => ['--log-opt', o]), 'busybox', 'true']);
      assert.equal(r.code, 125, opts.join(' '));
      assert.match(r.stderr, message);
    }
    assert.notEqual(e.docker(['inspect', 'bh-badlog']).code, 0, 'a refused create leaves nothing');
    const raw = await e.http('POST', '/containers/create', { Image: 'busybox', HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-file': 3 } } } });
    assert.equal(raw.status, 400);
    assert.match(JSON.parse(raw.body).message, /LogConfig\.Config must be an object of strings/);
    e.dockerOk(['rm', 'bh-logopt', 'bh-nologopt']);
  });

  it('one engine: a docker container shows in bulkhead ps and a bulkhead container in docker ps; prune removes stopped ones', () => {
    e.dockerOk(['run', '-d', '--name', 'bh-from-docker', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'bh-from-bulkhead', 'busybox', 'sleep', '300']);
    assert.match(e.ok(['ps']), /bh-from-docker/);
    assert.match(e.dockerOk(['ps', '--format', '{{.Names}}']), /bh-from-bulkhead/);
    e.dockerOk(['rm', '-f', 'bh-from-docker', 'bh-from-bulkhead']);
    const pruned = e.dockerOk(['container', 'prune', '-f']);
    assert.match(pruned, /Deleted Containers:/);
    assert.equal(e.dockerOk(['ps', '-aq']), '');
  });
});
