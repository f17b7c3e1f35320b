// `replace`, `image verify|repair` and `diff` through the CLI, as root with real containers: a replaced
// container answers under the same name with the same configuration, network alias, static address, label and
// volumes (named and anonymous), while what was changed inside it (shown by `diff`) is gone; a file tampered
// with in an unpacked layer under <root>/layers/ is found by `image verify` and makes `replace` refuse, naming
// the layer and the path, with the old container left running; `image repair` restores the layer from its blob.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError, inspectContainer } from '../integration/cli-checks.js';

interface Inspected { Id: string; Status: string; Config: Record<string, unknown> & { id: string; hostname: string };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }

describe('replace, image verify and diff (CLI)', () => {
  const e = new TestEngine('bh-test-replace-');
  before(() => e.setup());
  after(() => e.cleanup());
  const inspect = (ref: string) => (JSON.parse(e.ok(['inspect', '--type', 'container', ref])) as Inspected[])[0]!;
  const layerDir = () => {
    const image = JSON.parse(e.ok(['image', 'inspect', 'busybox']))[0] as { Layers: Array<{ diffId: string }> };
    assert.equal(image.Layers.length, 1);
    const diffId = image.Layers[0]!.diffId;
    return { diffId, dir: join(e.root, 'layers', diffId.slice('sha256:'.length), 'diff') };
  };
  let net = '';
  let staticIp = '';

  it('diff shows a change made inside; replace re-creates the container with the same config, name, alias, address and volumes', () => {
    net = 'bh-t-rp-net';
    e.ok(['network', 'create', net]);
    const subnet = JSON.parse(e.ok(['network', 'inspect', net]))[0].IPAM.Config[0].Subnet as string;
    staticIp = subnet.split('/')[0]!.replace(/\.\d+$/, '.77');
    e.ok(['run', '-d', '--name', 'rp-web', '--network', net, '--network-alias', 'www', '--ip', staticIp, '-v', 'bh-t-rp-data:/data',
      '-v', '/anon', '-l', 'bh.role=web', '--stop-timeout', '1', '-e', 'GREETING=hi', '--init', '--annotation', 'bh.note=kept',
      'busybox', 'httpd', '-f', '-p', '80', '-h', '/data']);
    e.ok(['exec', 'rp-web', 'sh', '-c', 'echo kept > /data/index.html && echo anon > /anon/x && echo junk > /etc/junk']);
    const changes = e.ok(['diff', 'rp-web']).split('\n');
    assert.ok(changes.includes('A /etc/junk'), `diff shows the added file: ${changes.join(', ')}`);

    const before = inspect('rp-web');
    const replacedId = e.ok(['replace', 'rp-web']);
    assert.match(replacedId, /^[0-9a-f]{64}$/);
    assert.notEqual(replacedId, before.Id);
    const after = inspect('rp-web');
    assert.equal(after.Id, replacedId);
    assert.equal(after.Config.id, replacedId);
    assert.match(after.Status, /^Up\b/);
    // The same configuration but for identity: id, creation time and the hostname that defaulted to the short id.
    const strip = (c: Inspected['Config']) => ({ ...c, id: '', created: '', hostname: '' });
    assert.deepEqual(strip(after.Config), strip(before.Config));
    assert.equal(after.Config.hostname, replacedId.slice(0, 12));
    assert.equal(after.NetworkSettings.Networks[net]?.IPAddress, staticIp, 'the static address');
    assert.ok(inspectContainer(e, 'rp-web').Config.mounts.some((m) => m.target === '/anon' && m.anonymous), 'the anonymous volume stays anonymous');

    // Found by its alias and its name; the named and the anonymous volume kept their data; the change is gone.
    const viaAlias = e.ok(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', 'wget -q -O - http://www/index.html && wget -q -O - http://rp-web/index.html']);
    assert.deepEqual(viaAlias.split('\n'), ['kept', 'kept']);
    assert.equal(e.ok(['exec', 'rp-web', 'cat', '/anon/x']), 'anon');
    assert.equal(e.ok(['exec', 'rp-web', 'cat', '/proc/1/cmdline']).split('\0')[0], '/sbin/docker-init', 'the replacement runs under the init too');
    assert.equal(e.ok(['exec', 'rp-web', 'sh', '-c', 'echo $GREETING; test -e /etc/junk && echo junk-survived; true']), 'hi');
    assert.ok(!e.ok(['diff', 'rp-web']).split('\n').includes('A /etc/junk'), 'the replacement starts from the image');
    assert.equal(e.ok(['ps', '-a', '-q', '--no-trunc', '--filter', 'name=rp-web']), replacedId, 'one container of that name, the old one gone');
  });

  it('a file tampered with in an unpacked layer: verify and replace refuse naming layer and path, the old container runs on', () => {
    const { diffId, dir } = layerDir();
    const runningId = inspect('rp-web').Id;
    assert.match(e.ok(['image', 'verify', 'busybox']), /^busybox: 1 layer verified/);
    appendFileSync(join(dir, 'etc', 'passwd'), 'evil::0:0::/:/bin/sh\n');

    const verify = e.run(['image', 'verify', 'busybox']);
    assertOneLineError(verify, new RegExp(`layer 1 of 1 \\(${diffId}\\) was modified on disk: /etc/passwd has \\d+ bytes, expected \\d+`));
    assert.match(verify.stderr, /bulkhead image repair/, 'the error says how to fix it');

    const refused = e.run(['replace', 'rp-web']);
    assertOneLineError(refused, new RegExp(`^bulkhead: replace container rp-web: .*${diffId}.*/etc/passwd`));
    const still = inspect('rp-web');
    assert.equal(still.Id, runningId, 'the old container was not removed');
    assert.match(still.Status, /^Up\b/, 'nor stopped');
    assert.match(e.ok(['exec', 'rp-web', 'cat', '/etc/passwd']), /^evil:/m, 'it runs from the tampered layer');

    // Repair unpacks the layer again from its verified blob; the running container keeps the inodes it mounted
    // until it is replaced, and its replacement runs from the restored layer.
    assert.match(e.ok(['image', 'repair', 'busybox']), new RegExp(`^busybox: repaired layer ${diffId} \\(/etc/passwd has`));
    assert.match(e.ok(['image', 'verify', 'busybox']), /^busybox: 1 layer verified/);
    assert.match(e.ok(['image', 'repair', 'busybox']), /nothing to repair/);
    e.ok(['replace', 'rp-web']);
    assert.doesNotMatch(e.ok(['exec', 'rp-web', 'cat', '/etc/passwd']), /evil/);
  });

  it('verify names an added file, a changed mode and a missing file; a corrupt blob cannot be repaired', () => {
    const { dir } = layerDir();
    writeFileSync(join(dir, 'bin', 'bh-implant'), '#!/bin/sh\n', { mode: 0o755 });
    assertOneLineError(e.run(['image', 'verify', 'busybox']), /\/bin\/bh-implant was added/);
    rmSync(join(dir, 'bin', 'bh-implant'));
    e.ok(['image', 'verify', 'busybox']);
    chmodSync(join(dir, 'etc', 'group'), 0o666);
    assertOneLineError(e.run(['image', 'verify', 'busybox']), /\/etc\/group has mode 0666, expected 0644/);
    chmodSync(join(dir, 'etc', 'group'), 0o644);
    rmSync(join(dir, 'etc', 'group'));
    assertOneLineError(e.run(['image', 'verify', 'busybox']), /\/etc\/group is missing/);
    e.ok(['image', 'repair', 'busybox']);
    e.ok(['image', 'verify', 'busybox']);

    // The blob is the anchor: when it is corrupt, nothing in the store can vouch for the layer.
    const image = JSON.parse(e.ok(['image', 'inspect', 'busybox']))[0] as { Id: string; Layers: Array<{ digest: string }> };
    const blob = join(e.root, 'content', 'blobs', 'sha256', image.Layers[0]!.digest.slice('sha256:'.length));
    const original = readFileSync(blob);
    appendFileSync(blob, Buffer.alloc(1024));
    try {
      assertOneLineError(e.run(['image', 'repair', 'busybox']), /blob sha256:[0-9a-f]{64} is corrupt/);
      assertOneLineError(e.run(['replace', 'rp-web']), /replace container rp-web: .*is corrupt/);
      assert.match(inspect('rp-web').Status, /^Up\b/);
    } finally {
      writeFileSync(blob, original);
    }
  });

  it('a stopped container is replaced but not started; an unknown one is a one-line error', () => {
    e.ok(['create', '--name', 'rp-idle', '-l', 'bh.role=idle', '--log-opt', 'max-size=1m', '--log-opt', 'max-file=2', 'busybox', 'true']);
    const id = e.ok(['replace', 'rp-idle']);
    const c = inspect('rp-idle');
    assert.equal(c.Id, id);
    assert.equal(c.Config.labels && (c.Config.labels as Record<string, string>)['bh.role'], 'idle');
    assert.match(c.Status, /^Created/);
    assert.deepEqual((c.Config as { logOptions?: unknown }).logOptions, { 'max-size': '1m', 'max-file': '2' }, 'the log options are kept');
    assertOneLineError(e.run(['replace', 'rp-no-such']), /no such container/i);
    e.ok(['rm', 'rp-idle']);
    e.ok(['rm', '-f', '-v', 'rp-web']);
    e.ok(['network', 'rm', net]);
    e.ok(['volume', 'rm', 'bh-t-rp-data']);
  });
});
