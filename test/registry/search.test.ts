// Short names against two real registries: the search list is tried in order and the first registry that has
// the image wins (the progress says which); a name no registry has fails naming each; a qualified name is
// never searched. The insecure list lets a plain-HTTP registry on a non-loopback address be used. Both as
// RegistryService options and as the daemon config keys registries.search / registries.insecure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorKind } from '../../src/core/index.js';
import { loadDaemonConfig } from '../../src/engine/daemon-config.js';
import { ImageService } from '../../src/image/index.js';
import { RegistryService, type Progress } from '../../src/registry/index.js';
import { candidateReferences, isShortName } from '../../src/registry/short-names.js';
import { FakeImageMetadata } from '../image/fake-metadata.js';
import { TestEngine } from '../helpers/engine-harness.js';
import { TestRegistry, haveRegistry } from './registry-server.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveRegistry ? 'docker-registry is not installed (apt-get install docker-registry)' : false;
const hostAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('short names', () => {
  it('tells short names from qualified ones', () => {
    for (const n of ['busybox', 'busybox:1', 'team/app', 'team/app@sha256:' + 'a'.repeat(64)]) assert.ok(isShortName(n), n);
    for (const n of ['localhost/app', 'reg.lan/app', '127.0.0.1:5000/app', 'docker.io/library/busybox']) assert.ok(!isShortName(n), n);
    assert.deepEqual(candidateReferences('busybox', ['docker.io', 'reg.lan:5000']).map((r) => `${r.domain}/${r.path}:${r.tag}`),
      ['docker.io/library/busybox:latest', 'reg.lan:5000/busybox:latest']);
    assert.equal(candidateReferences('reg.lan/app', ['docker.io', 'other']).length, 1);
    assert.throws(() => candidateReferences('Bad Name', ['docker.io']), /invalid reference format/);
  });

  it('reads registries.search and registries.insecure from the daemon config, refusing mistakes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-test-cfg-'));
    try {
      const file = join(dir, 'daemon.json');
      writeFileSync(file, JSON.stringify({ registries: { search: ['reg.lan:5000', 'docker.io'], insecure: ['reg.lan:5000'] } }));
      assert.deepEqual((await loadDaemonConfig(file)).registries, { search: ['reg.lan:5000', 'docker.io'], insecure: ['reg.lan:5000'] });
      writeFileSync(file, JSON.stringify({ registries: { serach: ['x'] } }));
      await assert.rejects(loadDaemonConfig(file), /unknown key "registries.serach"/);
      writeFileSync(file, JSON.stringify({ registries: { search: 'docker.io' } }));
      await assert.rejects(loadDaemonConfig(file), /"registries.search" must be a list of registry hosts/);
      writeFileSync(file, JSON.stringify({ registries: { insecure: ['http://reg.lan'] } }));
      await assert.rejects(loadDaemonConfig(file), /"registries.insecure" must be a list of registry hosts/);
      writeFileSync(file, JSON.stringify({ registries: ['docker.io'] }));
      await assert.rejects(loadDaemonConfig(file), /"registries" must be a JSON object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('search registries against two real registries', { skip }, () => {
  let first: TestRegistry;
  let second: TestRegistry;
  let wide: TestRegistry | undefined;   // plain HTTP on a non-loopback address
  let pusher: TestEngine;
  const dirs: string[] = [];

  before(async () => {
    first = await TestRegistry.start();
    second = await TestRegistry.start();
    if (hostAddress) wide = await TestRegistry.start({ address: hostAddress });
    pusher = await new TestEngine('bh-test-search-').setup();
    // "both" is in both registries, as two different images; "second-only" only in the second
    pusher.ok(['tag', 'busybox', `${first.host}/bh/both:1`]);
    pusher.ok(['push', `${first.host}/bh/both:1`]);
    const ctx = join(pusher.dir, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Containerfile'), 'FROM busybox\nLABEL which=second\n');
    pusher.ok(['build', '-t', `${second.host}/bh/both:1`, ctx]);
    pusher.ok(['push', `${second.host}/bh/both:1`]);
    pusher.ok(['tag', 'busybox', `${second.host}/bh/second-only:1`]);
    pusher.ok(['push', `${second.host}/bh/second-only:1`]);
    if (wide) {
      pusher.ok(['tag', 'busybox', `${wide.host}/bh/wide:1`]);
      pusher.ok(['push', '--tls-verify=false', `${wide.host}/bh/wide:1`]);
    }
  });

  after(async () => {
    await pusher?.cleanup();
    for (const r of [first, second, wide]) await r?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function service(opts: { search?: string[]; insecure?: string[] }) {
    const root = mkdtempSync(join(tmpdir(), 'bh-test-search-store-'));
    dirs.push(root);
    const images = new ImageService({ root, store: new FakeImageMetadata(), searchRegistries: opts.search });
    await images.init();
    return { images, registry: new RegistryService({ root, images, searchRegistries: opts.search, insecureRegistries: opts.insecure }) };
  }

  it('takes a short name from the first search registry that has it, and says which', async () => {
    const { registry } = await service({ search: [first.host, second.host] });
    const lines: Progress[] = [];
    const image = await registry.pull('bh/both:1', { progress: (p) => lines.push(p) });
    assert.deepEqual(image.names, [`${first.host}/bh/both:1`]);
    assert.equal(image.config.config?.Labels?.which, undefined, 'the first registry\'s image, not the second\'s');
    assert.ok(lines.some((l) => l.status === `Resolved to ${first.host}/bh/both:1`));
    assert.equal(second.blobGets(), 0, 'the second registry was not asked for any blob');
  });

  it('a short name pulled through the search list resolves locally by the same list', async () => {
    const { images, registry } = await service({ search: [first.host, second.host] });
    assert.throws(() => images.resolve('bh/second-only:1'), /no such image/);
    const image = await registry.pull('bh/second-only:1', {});
    assert.equal(images.resolve('bh/second-only:1').id, image.id, 'found under its full name through the search list');
    assert.throws(() => images.resolve('bh/both:1'), /no such image/, 'a name pulled from no registry stays unknown');
  });

  it('moves on to the next registry when the first does not have it', async () => {
    const { registry } = await service({ search: [first.host, second.host] });
    const lines: Progress[] = [];
    const image = await registry.pull('bh/second-only:1', { progress: (p) => lines.push(p) });
    assert.deepEqual(image.names, [`${second.host}/bh/second-only:1`]);
    const statuses = lines.filter((l) => l.id === 'bh/second-only:1').map((l) => l.status);
    assert.equal(statuses[0], `Trying ${first.host}/bh/second-only:1`);
    assert.match(statuses[1]!, new RegExp(`^Not in ${first.host}: .*manifest unknown`));
    assert.equal(statuses[2], `Trying ${second.host}/bh/second-only:1`);
    assert.equal(statuses[3], `Resolved to ${second.host}/bh/second-only:1`);
  });

  it('order matters: the second registry first gives the other image', async () => {
    const { registry } = await service({ search: [second.host, first.host] });
    const image = await registry.pull('bh/both:1');
    assert.equal(image.config.config?.Labels?.which, 'second');
  });

  it('fails with one line naming every registry when none has it, and stores nothing', async () => {
    const { registry, images } = await service({ search: [first.host, second.host] });
    const err = await registry.pull('bh/nowhere:1').then(() => undefined, (e: unknown) => e);
    assert.equal(errorKind(err), 'NotFound');
    const msg = (err as Error).message;
    assert.ok(msg.startsWith('image "bh/nowhere:1" was not found in any search registry'), msg);
    assert.ok(msg.includes(first.host) && msg.includes(second.host), msg);
    assert.ok(!msg.includes('\n'));
    assert.deepEqual(images.list(), []);
  });

  it('does not search for a qualified name', async () => {
    const { registry } = await service({ search: [first.host] });
    const image = await registry.pull(`${second.host}/bh/second-only:1`);
    assert.deepEqual(image.names, [`${second.host}/bh/second-only:1`]);
  });

  it('uses a plain-HTTP registry on a non-loopback address only when it is in the insecure list', { skip: !hostAddress && 'no non-loopback IPv4 address' }, async () => {
    const ref = `${wide!.host}/bh/wide:1`;
    const strict = await service({});
    await assert.rejects(strict.registry.pull(ref), (e: Error) => errorKind(e) === 'InvalidArgument' && e.message.includes(wide!.host));
    const lax = await service({ insecure: [wide!.host] });
    assert.deepEqual((await lax.registry.pull(ref)).names, [ref]);
  });
});
