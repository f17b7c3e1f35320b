// Images through the CLI: listing and inspecting, tag, rmi (refused while in use), import of a rootfs tarball,
// save/load round trips into a second engine in both archive formats, hostile archives refused without trace,
// image prune, system df and system prune.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError } from './cli-checks.js';

interface ImageJson { Id: string; Names: string[]; Size: number; Config: { config?: { Cmd?: string[] | null } } }

/** A tar archive built in memory from [name, body] entries (for archives `tar` would refuse to write). */
async function tarOf(entries: Array<{ name: string; body?: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  for (const ent of entries) {
    await new Promise<void>((resolve, reject) => pack.entry({ name: ent.name, type: ent.type ?? 'file', linkname: ent.linkname, mode: 0o644 },
      ent.body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** Every path under dir named `name` (to prove a hostile entry left nothing anywhere in the engine's root). */
function findNamed(dir: string, name: string): string[] {
  const r = spawnSync('find', [dir, '-name', name]);
  return r.stdout.toString().split('\n').filter(Boolean);
}

describe('images (CLI)', () => {
  const e = new TestEngine('bh-test-images-');
  const other = new TestEngine('bh-test-images2-');
  let rootfsTar: string;
  before(async () => {
    await e.setup();
    await other.startDaemon(); // empty: what it has, it got from load
    // A root filesystem as a user would tar one up: busybox, a shell link and a marker file.
    const rootfs = join(e.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'tmp'));
    copyFileSync('/usr/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'hello.txt'), 'from-imported-rootfs\n');
    rootfsTar = join(e.dir, 'rootfs.tar');
    assert.equal(spawnSync('tar', ['-C', rootfs, '-cf', rootfsTar, '.']).status, 0);
  });
  after(async () => {
    await other.cleanup();
    await e.cleanup();
  });

  const images = (engine: TestEngine) => JSON.parse(engine.ok(['images', '--format', 'json'])) as ImageJson[];
  const imageIds = (engine: TestEngine) => images(engine).map((i) => i.Id).sort();
  /** Blobs, unpacked layers and staging entries of the image store (see src/image/store-paths.ts). */
  const storeEntries = () => ['content/blobs/sha256', 'layers', 'tmp'].map((d) => {
    try { return readdirSync(join(e.root, d)).sort(); } catch { return []; }
  });

  it('images, image ls and image inspect show the bootstrapped busybox', () => {
    const [img] = JSON.parse(e.ok(['image', 'inspect', 'busybox'])) as ImageJson[];
    assert.match(img!.Id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(img!.Names.includes('docker.io/library/busybox:latest'), img!.Names.join(','));
    assert.ok(img!.Size > 500_000, `size ${img!.Size}`);
    const table = e.ok(['images']);
    assert.match(table, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/m);
    assert.match(table, new RegExp(`^busybox\\s+latest\\s+${img!.Id.slice(7, 19)}\\s`, 'm'));
    // Same table; the CREATED column ("N seconds ago") may tick between the two calls.
    const withoutCreated = (t: string) => t.split('\n').map((l) => l.split(/\s{3,}/).filter((_, i) => i !== 3).join(' | ')).join('\n');
    assert.equal(withoutCreated(e.ok(['image', 'ls'])), withoutCreated(table));
    assert.equal(e.ok(['images', '-q']), img!.Id.slice(7, 19));
    const [viaInspect] = JSON.parse(e.ok(['inspect', '--type', 'image', 'busybox:latest'])) as ImageJson[];
    assert.equal(viaInspect!.Id, img!.Id);
    assertOneLineError(e.run(['image', 'inspect', 'bh-no-such-image']), /bh-no-such-image/);
  });

  it('tag gives another name to the same image, which runs', () => {
    e.ok(['tag', 'busybox', 'bh-tagged:v2']);
    const [a] = JSON.parse(e.ok(['image', 'inspect', 'busybox'])) as ImageJson[];
    const [b] = JSON.parse(e.ok(['image', 'inspect', 'bh-tagged:v2'])) as ImageJson[];
    assert.equal(b!.Id, a!.Id);
    assert.match(e.ok(['images']), /^bh-tagged\s+v2\s/m);
    assert.equal(e.ok(['run', '--rm', 'bh-tagged:v2', 'echo', 'tagged-runs']), 'tagged-runs');
    assertOneLineError(e.run(['tag', 'bh-no-such-image', 'bh-x:1']), /bh-no-such-image/);
    assertOneLineError(e.run(['tag', 'busybox', 'Bad Name!']), /Bad Name!/);
    e.ok(['rmi', 'bh-tagged:v2']);
    assert.ok(images(e).some((i) => i.Id === a!.Id), 'untagging one name removed the image');
  });

  it('import makes an image from a rootfs tarball that runs', () => {
    const id = e.ok(['import', rootfsTar, 'bh-imported:v1']);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(e.ok(['run', '--rm', 'bh-imported:v1', '/bin/sh', '-c', 'cat /hello.txt; ls /']).split('\n')[0], 'from-imported-rootfs');
    // From stdin too, and the same content gives an image that runs the same.
    const fromStdin = e.run(['import', '-', 'bh-imported:stdin'], { input: readFileSync(rootfsTar) });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(e.ok(['run', '--rm', 'bh-imported:stdin', '/bin/cat', '/hello.txt']), 'from-imported-rootfs');
    e.ok(['rmi', 'bh-imported:stdin']);
  });

  it('rmi refuses an image a container uses, with one line; rmi -f removes it', () => {
    e.ok(['create', '--name', 'img-user', 'bh-imported:v1', '/bin/sh']);
    const refused = e.run(['rmi', 'bh-imported:v1']);
    assertOneLineError(refused, /bh-imported:v1|img-user|in use|being used/);
    assert.match(refused.stderr, /img-user|container/);
    assert.match(e.ok(['images']), /^bh-imported\s+v1\s/m);
    e.ok(['rmi', '-f', 'bh-imported:v1']);
    assert.doesNotMatch(e.ok(['images']), /bh-imported/);
    e.ok(['rm', 'img-user']);
    // Put it back for the save/load tests.
    e.ok(['import', rootfsTar, 'bh-imported:v1']);
  });

  for (const format of ['docker-archive', 'oci-archive'] as const) {
    it(`save/load round trip (${format}) into a second engine keeps the image id and it runs`, () => {
      const [src] = JSON.parse(e.ok(['image', 'inspect', 'bh-imported:v1'])) as ImageJson[];
      const file = join(e.dir, `saved-${format}.tar`);
      e.ok(['save', '--format', format, '-o', file, 'bh-imported:v1']);
      const listing = spawnSync('tar', ['-tf', file]).stdout.toString();
      assert.match(listing, format === 'docker-archive' ? /manifest\.json/ : /index\.json/);
      if (format === 'oci-archive') assert.match(listing, /oci-layout/);

      assert.match(other.ok(['load', '-i', file]), /Loaded image: bh-imported:v1/);
      const [loaded] = JSON.parse(other.ok(['image', 'inspect', 'bh-imported:v1'])) as ImageJson[];
      assert.equal(loaded!.Id, src!.Id);
      assert.equal(other.ok(['run', '--rm', 'bh-imported:v1', '/bin/cat', '/hello.txt']), 'from-imported-rootfs');
      other.ok(['rmi', 'bh-imported:v1']);
      assert.deepEqual(imageIds(other), []);
      // From stdin, as `bulkhead save … | bulkhead load` would.
      const viaStdin = other.run(['load'], { input: readFileSync(file) });
      assert.equal(viaStdin.code, 0, viaStdin.stderr);
      assert.deepEqual(imageIds(other), [src!.Id]);
      other.ok(['rmi', 'bh-imported:v1']);
    });
  }

  it('hostile tarballs (../ entries, writes through symlinks) fail with one line and leave nothing behind', async () => {
    const before = { images: imageIds(e), store: storeEntries() };
    const dotdot = join(e.dir, 'dotdot.tar');
    writeFileSync(dotdot, await tarOf([{ name: 'ok.txt', body: 'fine' }, { name: '../bh-evil-dotdot', body: 'escaped' }]));
    const dockerDotdot = join(e.dir, 'docker-dotdot.tar');
    writeFileSync(dockerDotdot, await tarOf([
      { name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['bh-evil:1'], Layers: ['../bh-evil-layer'] }]) },
      { name: '../bh-evil-layer', body: 'escaped' },
    ]));
    assertOneLineError(e.run(['import', dotdot, 'bh-evil:1']), /\.\./);
    assertOneLineError(e.run(['load', '-i', dotdot]), /\.\.|manifest|not a/i);
    assertOneLineError(e.run(['load', '-i', dockerDotdot]), /\.\./);
    assert.deepEqual(imageIds(e), before.images, 'a hostile archive left an image behind');
    assert.deepEqual(storeEntries(), before.store, 'a hostile archive left blobs, layers or staging files behind');
    assert.deepEqual(findNamed(e.dir, 'bh-evil-dotdot'), []);
    assert.deepEqual(findNamed(e.dir, 'bh-evil-layer'), []);
    assertOneLineError(e.run(['image', 'inspect', 'bh-evil:1']), /bh-evil:1/);

    // A link to a host directory, then a file "under" it: whether the import keeps the link or refuses the
    // archive, the file must never be written through the link onto the host.
    const target = join(e.dir, 'link-target');
    mkdirSync(target);
    const throughLink = join(e.dir, 'through-link.tar');
    writeFileSync(throughLink, await tarOf([{ name: 'up', type: 'symlink', linkname: target }, { name: 'up/bh-evil-link', body: 'escaped' }]));
    const viaLink = e.run(['import', throughLink, 'bh-evil:2']);
    assert.deepEqual(readdirSync(target), [], 'import wrote through a symlink in the archive');
    if (viaLink.code !== 0) assertOneLineError(viaLink, /up|link|unsafe|outside|invalid/i);
    else e.ok(['rmi', 'bh-evil:2']);
  });

  it('image prune removes dangling images only (all unused with -a)', () => {
    e.ok(['run', '--name', 'img-dangling-src', 'busybox', 'sh', '-c', 'echo x > /x']);
    const dangling = e.ok(['commit', 'img-dangling-src']);
    e.ok(['rm', 'img-dangling-src']);
    assert.match(e.ok(['images']), new RegExp(`^<none>\\s+<none>\\s+${dangling.slice(7, 19)}`, 'm'));
    const out = e.ok(['image', 'prune']);
    assert.match(out, new RegExp(`^Deleted: ${dangling}$`, 'm'));
    assert.match(out, /Total reclaimed space/);
    assert.ok(!imageIds(e).includes(dangling));
    assert.match(e.ok(['images']), /^busybox\s+latest/m, 'prune without -a removed a tagged image');
  });

  it('system df sums images, containers and volumes', () => {
    e.ok(['volume', 'create', 'img-df-vol']);
    e.ok(['create', '--name', 'img-df', '-v', 'img-df-vol:/v', 'busybox', 'true']);
    const table = e.ok(['system', 'df']);
    assert.match(table, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE$/m);
    assert.match(table, new RegExp(`^Images\\s+${images(e).length}\\s+1\\s+\\S+B$`, 'm'));
    assert.match(table, /^Containers\s+1\s+0\s+\S+$/m);
    assert.match(table, /^Local Volumes\s+1\s+1\s+\S+$/m);
    const json = JSON.parse(e.ok(['system', 'df', '--format', 'json'])) as { images: unknown[]; containers: unknown[]; volumes: unknown[] };
    assert.equal(json.images.length, images(e).length);
    assert.equal(json.containers.length, 1);
    assert.equal(json.volumes.length, 1);
  });

  it('system prune removes stopped containers, dangling images and (with --volumes) unused volumes, and says so', () => {
    e.ok(['rm', 'img-df']);
    e.ok(['volume', 'rm', 'img-df-vol']);
    e.ok(['volume', 'create', 'img-prune-unused']);
    e.ok(['run', '--name', 'img-prune-src', 'busybox', 'sh', '-c', 'echo y > /y']);
    const dangling = e.ok(['commit', 'img-prune-src']);
    e.ok(['run', '-d', '--name', 'img-running', 'busybox', 'sleep', '300']);
    const stopped = JSON.parse(e.ok(['ps', '-a', '--format', 'json', '--filter', 'status=exited'])) as unknown[];
    const created = JSON.parse(e.ok(['ps', '-a', '--format', 'json', '--filter', 'status=created'])) as unknown[];
    const out = e.ok(['system', 'prune', '--volumes']);
    assert.match(out, new RegExp(`^Deleted containers: ${stopped.length + created.length}$`, 'm'));
    assert.match(out, /^Deleted images: 1$/m);
    assert.match(out, /^Deleted volumes: 1$/m);
    assert.match(out, /^Total reclaimed space: \S+$/m);
    assert.deepEqual(JSON.parse(e.ok(['ps', '-a', '--format', 'json'])).map((c: { Name: string }) => c.Name), ['img-running']);
    assert.ok(!imageIds(e).includes(dangling));
    assert.deepEqual(e.ok(['volume', 'ls', '-q']), '');
    assert.match(e.ok(['images']), /^busybox\s+latest/m);
    e.ok(['rm', '-f', 'img-running']);
  });
});
