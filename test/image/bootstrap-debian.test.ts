// `bulkhead image bootstrap debian:bookworm` for real: debootstrap from the host's apt mirror in the daemon,
// cancelled halfway by the CLI going away (nothing left), then built in full, run, and used as the base of a
// multi-layer build. Skipped only when the mirror cannot be reached (or debootstrap is not installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { debianMirror } from '../../src/image/debian-mirror.js';
import { TestEngine } from '../helpers/engine-harness.js';

async function mirrorReachable(): Promise<string | undefined> {
  try {
    const mirror = await debianMirror();
    const res = await fetch(`${mirror.replace(/\/$/, '')}/dists/bookworm/Release`, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    return res.ok ? undefined : `the Debian mirror ${mirror} answered ${res.status}`;
  } catch (err) {
    return `the Debian mirror is unreachable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const skip = process.getuid?.() !== 0 ? 'needs root'
  : !existsSync('/usr/sbin/debootstrap') ? 'debootstrap is not installed (apt-get install debootstrap)'
  : (await mirrorReachable()) ?? false;

describe('image bootstrap debian', { skip }, () => {
  let engine: TestEngine;
  before(async () => { engine = new TestEngine('bh-test-deb-'); await engine.startDaemon(); });
  after(async () => { await engine?.cleanup(); });

  const leftovers = () => ({
    tmp: readdirSync(join(engine.root, 'tmp'), { withFileTypes: false }).filter((f) => String(f).startsWith('debootstrap-')),
    // The run root's own tmpfs is the engine's, not the bootstrap's.
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(engine.dir) && m !== join(engine.root, 'run')),
    procs: execFileSync('sh', ['-c', `pgrep -f "[d]ebootstrap --variant=minbase .*${engine.root}" || true`]).toString().trim(),
  });

  it('removes everything when the CLI goes away halfway (Ctrl-C)', async () => {
    const child = engine.spawn(['image', 'bootstrap', 'debian:bookworm']);
    child.stdin!.end();
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`debootstrap never started downloading: ${err}`)), 120_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (/Retriev|Validat/.test(err)) { clearTimeout(timer); resolve(); }
      });
    });
    assert.equal(leftovers().tmp.length, 1, 'the work dir exists while it runs');
    child.kill('SIGINT');
    let left = leftovers();
    for (let i = 0; i < 200 && (left.tmp.length || left.mounts.length || left.procs); i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = leftovers();
    }
    assert.deepEqual(left, { tmp: [], mounts: [], procs: '' });
    assert.doesNotMatch(engine.ok(['images']), /debian/);
  });

  it('makes debian:bookworm, runs it, and builds a multi-layer image FROM it', () => {
    const r = engine.run(['image', 'bootstrap', 'debian:bookworm'], { timeoutMs: 15 * 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /debootstrap --variant=minbase bookworm from http/);
    assert.deepEqual(leftovers().tmp, [], 'no work dir left');

    const [image] = JSON.parse(engine.ok(['image', 'inspect', 'debian:bookworm'])) as Array<{ Id: string; Layers?: unknown[]; Config: { config: { Env: string[]; Cmd: string[] }; rootfs: { diff_ids: string[] } } }>;
    assert.equal(image!.Id, r.stdout.trim());
    assert.deepEqual(image!.Config.config.Cmd, ['bash']);
    assert.ok(image!.Config.config.Env.some((e) => e.startsWith('PATH=/usr/local/sbin:')));
    assert.equal(image!.Config.rootfs.diff_ids.length, 1, 'a single layer');

    assert.match(engine.ok(['run', '--rm', 'debian:bookworm', 'cat', '/etc/debian_version']), /^12\.\d+$/);

    const ctx = join(engine.dir, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'greeting'), 'hello from the context\n');
    writeFileSync(join(ctx, 'Containerfile'), [
      'FROM debian:bookworm',
      'RUN dpkg -l | grep -c "^ii" > /pkgcount',
      'COPY greeting /srv/greeting',
      'RUN dpkg -s bash | grep -q "Status: install ok installed" && echo "$(cat /srv/greeting | tr a-z A-Z)" > /srv/shout',
      'CMD ["sh", "-c", "cat /srv/shout; cat /pkgcount"]',
    ].join('\n') + '\n');
    engine.ok(['build', '-t', 'deb-built:1', ctx]);
    const [built] = JSON.parse(engine.ok(['image', 'inspect', 'deb-built:1'])) as Array<{ Config: { rootfs: { diff_ids: string[] } } }>;
    assert.equal(built!.Config.rootfs.diff_ids.length, 4, 'the base layer and three more');
    const [shout, count] = engine.ok(['run', '--rm', 'deb-built:1']).split('\n');
    assert.equal(shout, 'HELLO FROM THE CONTEXT');
    assert.ok(Number(count) > 50, `dpkg lists the minbase packages (${count})`);
  });
});
