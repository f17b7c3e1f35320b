// Container filesystems through the CLI: cp both ways (and never through a container symlink onto the host),
// diff, export, commit, and every kind of mount a user asks for (named, anonymous, bind rw/ro, tmpfs, read-only
// rootfs), plus the volume commands.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError, inspectContainer } from './cli-checks.js';

describe('container filesystems and volumes (CLI)', () => {
  const e = new TestEngine('bh-test-fs-');
  let host: string;
  before(async () => {
    await e.setup();
    host = join(e.dir, 'host');
    mkdirSync(host);
  });
  after(() => e.cleanup());

  const volumeNames = () => e.ok(['volume', 'ls', '-q']).split('\n').filter(Boolean);

  it('cp copies host files and directories into an existing container directory', () => {
    e.ok(['run', '-d', '--name', 'fs-cp-in', 'busybox', 'sleep', '300']);
    writeFileSync(join(host, 'note.txt'), 'hello-cp\n');
    mkdirSync(join(host, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(host, 'tree', 'sub', 'leaf.txt'), 'leaf\n');
    e.ok(['cp', join(host, 'note.txt'), 'fs-cp-in:/tmp']);
    e.ok(['cp', join(host, 'tree'), 'fs-cp-in:/tmp/']);
    assert.equal(e.ok(['exec', 'fs-cp-in', 'cat', '/tmp/note.txt', '/tmp/tree/sub/leaf.txt']), 'hello-cp\nleaf');
    assertOneLineError(e.run(['cp', join(host, 'absent.txt'), 'fs-cp-in:/tmp']), /absent\.txt/);
    assertOneLineError(e.run(['cp', join(host, 'note.txt'), join(host, 'other.txt')]), /CONTAINER:PATH/);
  });

  it('cp copies a host file or directory into a container under a new name', () => {
    e.ok(['cp', join(host, 'note.txt'), 'fs-cp-in:/tmp/renamed.txt']);
    e.ok(['cp', join(host, 'tree'), 'fs-cp-in:/tmp/tree-copy']);
    assert.equal(e.ok(['exec', 'fs-cp-in', 'sh', '-c', 'cat /tmp/renamed.txt /tmp/tree-copy/sub/leaf.txt; ls /tmp/tree-copy']), 'hello-cp\nleaf\nsub');
    e.ok(['rm', '-f', 'fs-cp-in']);
  });

  it('cp copies files and directories from a container to the host', () => {
    e.ok(['run', '--name', 'fs-cp-out', 'busybox', 'sh', '-c', 'mkdir -p /data/d && echo inner > /data/d/f && echo top > /data/top']);
    const out = join(host, 'out');
    mkdirSync(out);
    e.ok(['cp', 'fs-cp-out:/data/top', out]);                              // into an existing directory
    e.ok(['cp', 'fs-cp-out:/data/top', join(out, 'top-renamed')]);         // to a new name
    e.ok(['cp', 'fs-cp-out:/data/d', out]);
    e.ok(['cp', 'fs-cp-out:/data', join(out, 'data-copy')]);
    assert.equal(readFileSync(join(out, 'top'), 'utf8'), 'top\n');
    assert.equal(readFileSync(join(out, 'top-renamed'), 'utf8'), 'top\n');
    assert.equal(readFileSync(join(out, 'd', 'f'), 'utf8'), 'inner\n');
    assert.equal(readFileSync(join(out, 'data-copy', 'd', 'f'), 'utf8'), 'inner\n');
    assert.equal(readFileSync(join(out, 'data-copy', 'top'), 'utf8'), 'top\n');
    assertOneLineError(e.run(['cp', 'fs-cp-out:/no/such/path', out]), /\/no\/such\/path|no such file/i);
    e.ok(['rm', 'fs-cp-out']);
  });

  /**
   * Copies host file `name` (a unique marker) into fs-evil at `dest`: it must appear in the container at `inside`
   * and never on the host at `onHost`.
   */
  const copyMustStayInside = (name: string, dest: string, inside: string, onHost: string) => {
    assert.ok(!existsSync(onHost), `${onHost} exists before the test`); // so the cleanup below only removes our own
    writeFileSync(join(host, name), 'inside-only\n');
    try {
      e.ok(['cp', join(host, name), `fs-evil:${dest}`]);
      assert.ok(!existsSync(onHost), `cp wrote ${onHost} on the host`);
      assert.equal(e.ok(['exec', 'fs-evil', 'cat', inside]), 'inside-only');
    } finally {
      rmSync(onHost, { recursive: true, force: true });
    }
  };
  const newMarker = () => `bh-test-cp-escape-${randomBytes(4).toString('hex')}`;

  it('cp with "-" streams a tar archive: out to stdout, in from stdin', () => {
    e.ok(['run', '-d', '--name', 'fs-cp-dash', 'busybox', 'sh', '-c', 'mkdir /srv; echo dash > /tmp/d.txt; sleep 300']);
    const out = spawnSync(process.execPath, [BIN, 'cp', 'fs-cp-dash:/tmp/d.txt', '-'], { env: e.env, cwd: e.dir });
    assert.equal(out.status, 0, String(out.stderr));
    const tarFile = join(e.dir, 'd.tar');
    writeFileSync(tarFile, out.stdout);
    assert.equal(spawnSync('tar', ['-xOf', tarFile, 'd.txt'], { encoding: 'utf8' }).stdout, 'dash\n');
    assert.ok(!existsSync(join(e.dir, '-')), 'no file named "-" was written');
    e.ok(['cp', '-', 'fs-cp-dash:/srv'], { input: out.stdout });
    assert.equal(e.ok(['exec', 'fs-cp-dash', 'cat', '/srv/d.txt']), 'dash');
    e.ok(['rm', '-f', 'fs-cp-dash']);
  });

  it('cp into a directory reached through a container symlink stays in the container', () => {
    e.ok(['run', '-d', '--name', 'fs-evil', 'busybox', 'sh', '-c', 'mkdir /c && ln -s /etc /c/evil && ln -s /etc/ /c/evil-dir && sleep 300']);
    const file = newMarker();
    copyMustStayInside(file, '/c/evil-dir/', `/etc/${file}`, `/etc/${file}`);
    const dir = newMarker();
    // A directory copied through the link lands in the container's /etc/<dir>.
    assert.ok(!existsSync(join('/etc', dir)));
    try {
      mkdirSync(join(host, dir));
      writeFileSync(join(host, dir, 'f'), 'inside-only\n');
      e.ok(['cp', join(host, dir), 'fs-evil:/c/evil']);
      assert.ok(!existsSync(join('/etc', dir)), `cp created /etc/${dir} on the host`);
      assert.equal(e.ok(['exec', 'fs-evil', 'cat', `/etc/${dir}/f`]), 'inside-only');
    } finally {
      rmSync(join('/etc', dir), { recursive: true, force: true });
    }
  });

  it('cp to a new name through a container symlink stays in the container', () => {
    const file = newMarker();
    copyMustStayInside(file, `/c/evil/${file}`, `/etc/${file}`, `/etc/${file}`);
    e.ok(['rm', '-f', 'fs-evil']);
  });

  it('cp from a container copies a symlink as a link, not the host file it names', () => {
    e.ok(['run', '--name', 'fs-link', 'busybox', 'sh', '-c', 'ln -s /etc/shadow /link-to-host-file']);
    const got = join(host, 'got-link');
    e.ok(['cp', 'fs-link:/link-to-host-file', got]);
    const st = lstatSync(got);
    assert.ok(st.isSymbolicLink(), 'the link was followed (on the host) instead of copied');
    assert.equal(readlinkSync(got), '/etc/shadow');
    e.ok(['rm', 'fs-link']);
  });

  it('cp goes through the container\'s mounts: /etc/hostname, a named volume and a bind, both ways', () => {
    const bind = join(host, 'cp-bind');
    const roBind = join(host, 'cp-ro');
    mkdirSync(bind);
    mkdirSync(roBind);
    writeFileSync(join(bind, 'from-host'), 'bind-host\n');
    e.ok(['run', '-d', '--name', 'fs-cp-mnt', '--hostname', 'fs-cp-host', '-v', 'fs-cp-vol:/vol', '-v', `${bind}:/srv/bind`,
      '-v', `${roBind}:/ro:ro`, '--tmpfs', '/scratch', 'busybox', 'sh', '-c', 'echo in-volume > /vol/v; sleep 300']);
    e.ok(['exec', 'fs-cp-mnt', 'test', '-e', '/vol/v']);
    const out = join(host, 'cp-mnt-out');
    mkdirSync(out);
    e.ok(['cp', 'fs-cp-mnt:/etc/hostname', join(out, 'hostname')]);
    assert.equal(readFileSync(join(out, 'hostname'), 'utf8'), 'fs-cp-host\n');
    e.ok(['cp', 'fs-cp-mnt:/vol/v', out]);
    assert.equal(readFileSync(join(out, 'v'), 'utf8'), 'in-volume\n');
    e.ok(['cp', 'fs-cp-mnt:/srv/bind/from-host', out]);
    assert.equal(readFileSync(join(out, 'from-host'), 'utf8'), 'bind-host\n');
    e.ok(['cp', 'fs-cp-mnt:/etc', join(out, 'etc')]);    // a directory holding mount points carries what they mount
    assert.equal(readFileSync(join(out, 'etc', 'hostname'), 'utf8'), 'fs-cp-host\n');

    writeFileSync(join(host, 'cp-in.txt'), 'copied-in\n');
    e.ok(['cp', join(host, 'cp-in.txt'), 'fs-cp-mnt:/vol/']);
    e.ok(['cp', join(host, 'cp-in.txt'), 'fs-cp-mnt:/srv/bind/renamed.txt']);
    assert.equal(e.ok(['exec', 'fs-cp-mnt', 'cat', '/vol/cp-in.txt', '/srv/bind/renamed.txt']), 'copied-in\ncopied-in');
    assert.equal(readFileSync(join(bind, 'renamed.txt'), 'utf8'), 'copied-in\n');
    // the rootfs directory under a mount point is not where the data went
    e.ok(['stop', '-t', '0', 'fs-cp-mnt']);
    e.ok(['cp', 'fs-cp-mnt:/vol/cp-in.txt', join(out, 'stopped.txt')]);        // a stopped container's mounts too
    assert.equal(readFileSync(join(out, 'stopped.txt'), 'utf8'), 'copied-in\n');
    e.ok(['start', 'fs-cp-mnt']);

    assertOneLineError(e.run(['cp', join(host, 'cp-in.txt'), 'fs-cp-mnt:/ro/']), /read-only/);
    assert.ok(!existsSync(join(roBind, 'cp-in.txt')), 'cp wrote into a read-only bind mount');
    assertOneLineError(e.run(['cp', 'fs-cp-mnt:/scratch', out]), /\/scratch is a tmpfs mount/);
    assertOneLineError(e.run(['cp', join(host, 'cp-in.txt'), 'fs-cp-mnt:/scratch/']), /\/scratch is a tmpfs mount/);   // the stat (HEAD) says why too
    // a file mount is written through neither by docker (EBUSY) nor here, and never under the mount either
    assertOneLineError(e.run(['cp', join(host, 'cp-in.txt'), 'fs-cp-mnt:/etc/hostname']), /hostname is a mount point in the container/);
    assert.equal(e.ok(['exec', 'fs-cp-mnt', 'cat', '/etc/hostname']), 'fs-cp-host');
  });

  it('a symlink in a volume pointing outside it resolves inside the container, never on the host', () => {
    e.ok(['exec', 'fs-cp-mnt', 'sh', '-c', 'ln -s / /vol/esc && ln -s ../../../../../../.. /vol/up']);
    const file = newMarker();
    assert.ok(!existsSync(join('/', file)));
    writeFileSync(join(host, file), 'inside-only\n');
    try {
      e.ok(['cp', join(host, file), 'fs-cp-mnt:/vol/esc/']);
      e.ok(['cp', join(host, file), `fs-cp-mnt:/vol/up/tmp/${file}`]);
      assert.ok(!existsSync(join('/', file)) && !existsSync(join('/tmp', file)), 'cp wrote on the host');
      assert.equal(e.ok(['exec', 'fs-cp-mnt', 'cat', `/${file}`, `/tmp/${file}`]), 'inside-only\ninside-only');
      const got = join(host, 'esc-hostname');
      e.ok(['cp', 'fs-cp-mnt:/vol/up/etc/hostname', got]);
      assert.equal(readFileSync(got, 'utf8'), 'fs-cp-host\n');
    } finally {
      rmSync(join('/', file), { force: true });
      rmSync(join('/tmp', file), { force: true });
    }
    e.ok(['rm', '-f', 'fs-cp-mnt']);
    e.ok(['volume', 'rm', 'fs-cp-vol']);
  });

  it('--volumes-from shares another container\'s volumes and binds; :ro, explicit -v and unknown sources', () => {
    const bind = join(host, 'vf-bind');
    mkdirSync(bind);
    e.ok(['run', '-d', '--name', 'fs-vf-src', '-v', 'fs-vf-vol:/shared', '-v', `${bind}:/b`, '-v', '/anon', '--tmpfs', '/t',
      'busybox', 'sleep', '300']);
    e.ok(['exec', 'fs-vf-src', 'sh', '-c', 'echo from-src > /shared/f; echo anon-src > /anon/a; echo bind-src > /b/f']);
    e.ok(['create', '--name', 'fs-vf-user', '--volumes-from', 'fs-vf-src', 'busybox', 'sh', '-c',
      'cat /shared/f /anon/a /b/f; echo from-user > /shared/u; grep -c " /t " /proc/mounts']);
    const started = e.run(['start', '-a', 'fs-vf-user']);
    assert.equal(started.stdout, 'from-src\nanon-src\nbind-src\n0\n', started.stderr);   // the tmpfs is not shared
    assert.equal(e.ok(['exec', 'fs-vf-src', 'cat', '/shared/u']), 'from-user');
    const seen = inspectContainer(e, 'fs-vf-user').Config as unknown as { volumesFrom: string[]; mounts: Array<{ target: string; readOnly: boolean }> };
    assert.deepEqual(seen.volumesFrom, ['fs-vf-src']);
    assert.deepEqual(seen.mounts.map((m) => `${m.target}:${m.readOnly}`).sort(), ['/anon:false', '/b:false', '/shared:false']);

    const ro = e.run(['run', '--rm', '--volumes-from', 'fs-vf-src:ro', 'busybox', 'sh', '-c', 'cat /shared/f; touch /shared/ro; touch /b/ro']);
    assert.notEqual(ro.code, 0);
    assert.equal(ro.stdout, 'from-src\n');
    assert.match(ro.stderr, /Read-only file system/);
    assert.ok(!existsSync(join(bind, 'ro')));
    // the container's own -v on the same path wins over the inherited mount
    assert.equal(e.ok(['run', '--rm', '--volumes-from', 'fs-vf-src', '-v', 'fs-vf-other:/shared', 'busybox', 'sh', '-c', 'ls /shared; cat /b/f']), 'bind-src');
    e.ok(['volume', 'rm', 'fs-vf-other']);

    // rm -v of the borrower leaves the source's volumes alone, anonymous ones included
    e.ok(['rm', '-v', 'fs-vf-user']);
    assert.equal(e.ok(['exec', 'fs-vf-src', 'cat', '/anon/a', '/shared/u']), 'anon-src\nfrom-user');
    assertOneLineError(e.run(['run', '--rm', '--volumes-from', 'fs-vf-nope', 'busybox', 'true']), /no such container: fs-vf-nope/);
    assertOneLineError(e.run(['run', '--rm', '--volumes-from', 'fs-vf-src:rx', 'busybox', 'true']), /invalid mode for volumes-from: rx/);
    e.ok(['rm', '-f', '-v', 'fs-vf-src']);
    e.ok(['volume', 'rm', 'fs-vf-vol']);
  });

  it('diff shows A/C/D, export writes the files, commit makes a runnable image with the change', () => {
    e.ok(['run', '--name', 'fs-diff', 'busybox', 'sh', '-c', 'echo added > /tmp/added; rm /etc/group; echo extra:x:9:9::/:/bin/sh >> /etc/passwd']);
    const diff = e.ok(['diff', 'fs-diff']).split('\n');
    for (const line of ['A /tmp/added', 'C /etc/passwd', 'D /etc/group', 'C /etc', 'C /tmp']) assert.ok(diff.includes(line), `diff lacks "${line}":\n${diff.join('\n')}`);
    assert.ok(!diff.some((l) => l.includes('/bin/busybox')), 'unchanged files must not show up');

    const tarFile = join(host, 'export.tar');
    e.ok(['export', '-o', tarFile, 'fs-diff']);
    const listing = spawnSync('tar', ['-tf', tarFile]).stdout.toString().split('\n').map((n) => n.replace(/^\.?\//, ''));
    assert.ok(listing.includes('bin/busybox') && listing.includes('tmp/added') && listing.includes('etc/passwd'), listing.join(' '));
    assert.ok(!listing.includes('etc/group'), 'a deleted file is in the export');
    const extracted = join(host, 'export');
    mkdirSync(extracted);
    assert.equal(spawnSync('tar', ['-xf', tarFile, '-C', extracted, 'tmp/added', 'etc/passwd']).status, 0);
    assert.equal(readFileSync(join(extracted, 'tmp', 'added'), 'utf8'), 'added\n');
    assert.match(readFileSync(join(extracted, 'etc', 'passwd'), 'utf8'), /^extra:x:9:9/m);

    const imageId = e.ok(['commit', '-m', 'bh test commit', 'fs-diff', 'bh-committed:v1']);
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(e.ok(['run', '--rm', 'bh-committed:v1', 'sh', '-c', 'cat /tmp/added; test -e /etc/group || echo no-group; grep -c extra /etc/passwd']),
      'added\nno-group\n1');
    e.ok(['rm', 'fs-diff']);
    e.ok(['rmi', 'bh-committed:v1']);
  });

  it('a named volume keeps data across containers', () => {
    e.ok(['run', '--rm', '-v', 'fs-named:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
    assert.ok(volumeNames().includes('fs-named'));
    assert.equal(e.ok(['run', '--rm', '-v', 'fs-named:/data:ro', 'busybox', 'cat', '/data/f']), 'persisted');
    const [vol] = JSON.parse(e.ok(['volume', 'inspect', 'fs-named'])) as Array<{ name: string; mountpoint: string }>;
    assert.equal(readFileSync(join(vol!.mountpoint, 'f'), 'utf8'), 'persisted\n');
    e.ok(['volume', 'rm', 'fs-named']);
    assert.ok(!volumeNames().includes('fs-named'));
  });

  it('create -v NAME:/dst makes the named volume at create time, as docker does', () => {
    e.ok(['create', '--name', 'fs-vol-at-create', '-v', 'fs-at-create:/data', 'busybox', 'true']);
    try {
      assert.ok(volumeNames().includes('fs-at-create'), `volume ls after create: ${volumeNames().join(',')}`);
    } finally {
      e.ok(['rm', 'fs-vol-at-create']);
      e.run(['volume', 'rm', 'fs-at-create']);
    }
  });

  it('an anonymous volume (-v /data) is removed with rm -v', () => {
    e.ok(['run', '--name', 'fs-anon', '-v', '/data', 'busybox', 'sh', '-c', 'echo anon > /data/f']);
    const mount = inspectContainer(e, 'fs-anon').Config.mounts.find((m) => m.target === '/data');
    assert.ok(mount && mount.type === 'volume' && mount.source, `no volume mount at /data: ${JSON.stringify(mount)}`);
    assert.ok(volumeNames().includes(mount.source), 'the anonymous volume is not listed');
    e.ok(['rm', '-v', 'fs-anon']);
    assert.ok(!volumeNames().includes(mount.source), 'rm -v left the anonymous volume behind');
  });

  it('bind mounts are writable, and :ro is enforced', () => {
    const dir = join(host, 'bind');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.txt'), 'from-host\n');
    assert.equal(e.ok(['run', '--rm', '-v', `${dir}:/mnt/b`, 'busybox', 'sh', '-c', 'cat /mnt/b/in.txt; echo from-ctr > /mnt/b/out.txt']), 'from-host');
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'from-ctr\n');
    const ro = e.run(['run', '--rm', '-v', `${dir}:/mnt/b:ro`, 'busybox', 'sh', '-c', 'cat /mnt/b/in.txt; echo x > /mnt/b/in.txt']);
    assert.notEqual(ro.code, 0);
    assert.equal(ro.stdout, 'from-host\n');
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(readFileSync(join(dir, 'in.txt'), 'utf8'), 'from-host\n');
    assertOneLineError(e.run(['run', '--rm', '-v', `${join(host, 'no-such-dir')}:/mnt`, 'busybox', 'true']), /no-such-dir/);
  });

  it('--tmpfs mounts a tmpfs; --read-only makes the rootfs unwritable', () => {
    assert.match(e.ok(['run', '--rm', '--tmpfs', '/scratch:size=1m', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts']),
      /^tmpfs \/scratch tmpfs .*size=1024k/);
    const full = e.run(['run', '--rm', '--tmpfs', '/scratch:size=1m', 'busybox', 'dd', 'if=/dev/zero', 'of=/scratch/big', 'bs=1024', 'count=2048']);
    assert.notEqual(full.code, 0);
    assert.match(full.stderr, /No space left/);

    const ro = e.run(['run', '--rm', '--read-only', 'busybox', 'touch', '/etc/x']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(e.ok(['run', '--rm', '--read-only', '--tmpfs', '/tmp', 'busybox', 'sh', '-c', 'echo ok > /tmp/f && cat /tmp/f']), 'ok');
  });

  it('volume create/ls/inspect/rm/prune, refusing to remove a volume in use', () => {
    assert.equal(e.ok(['volume', 'create', '-l', 'bh.purpose=test', 'fs-managed']), 'fs-managed');
    assert.match(e.ok(['volume', 'ls']), /^local\s+fs-managed$/m);
    const [rec] = JSON.parse(e.ok(['volume', 'inspect', 'fs-managed'])) as Array<{ name: string; driver: string; labels: Record<string, string>; mountpoint: string }>;
    assert.equal(rec!.driver, 'local');
    assert.deepEqual(rec!.labels, { 'bh.purpose': 'test' });
    assert.ok(existsSync(rec!.mountpoint));
    assert.equal(e.ok(['volume', 'create', 'fs-managed']), 'fs-managed', 'creating an existing volume is a no-op, as in docker');
    assertOneLineError(e.run(['volume', 'create', 'bad/name']), /bad\/name/);

    e.ok(['run', '-d', '--name', 'fs-user', '-v', 'fs-managed:/v', 'busybox', 'sleep', '300']);
    assertOneLineError(e.run(['volume', 'rm', 'fs-managed']), /fs-managed.*in use|in use.*fs-managed/);
    assert.ok(volumeNames().includes('fs-managed'));
    e.ok(['rm', '-f', 'fs-user']);
    assert.equal(e.ok(['volume', 'rm', 'fs-managed']), 'fs-managed');
    assert.ok(!existsSync(rec!.mountpoint), 'volume rm left its data on disk');
    assertOneLineError(e.run(['volume', 'inspect', 'fs-managed']), /fs-managed/);

    e.ok(['volume', 'create', 'fs-unused']);
    e.ok(['volume', 'create', 'fs-kept']);
    e.ok(['create', '--name', 'fs-holder', '-v', 'fs-kept:/k', 'busybox', 'true']);
    const pruned = e.ok(['volume', 'prune']);
    assert.match(pruned, /^fs-unused$/m);
    assert.doesNotMatch(pruned, /fs-kept/);
    assert.match(pruned, /Total reclaimed space/);
    assert.deepEqual(volumeNames().filter((n) => n.startsWith('fs-')), ['fs-kept']);
    e.ok(['rm', 'fs-holder']);
    e.ok(['volume', 'rm', 'fs-kept']);
  });
});
