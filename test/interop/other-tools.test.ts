// Images round-trip with images written and read by other tools: umoci writes an OCI layout (with a whiteout in an
// upper layer), skopeo turns it into docker-archive and oci-archive tarballs; Bulkhead loads and runs them, and what
// Bulkhead saves is read back by skopeo and unpacked by umoci.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';

const missing = ['skopeo', 'umoci'].filter((t) => spawnSync('which', [t]).status !== 0);
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

describe('interoperability with umoci and skopeo', { skip: missing.length ? `not installed: ${missing.join(', ')} (apt-get install skopeo umoci)` : false }, () => {
  const e = new TestEngine('bh-test-interop-');
  let work = '';
  before(async () => {
    await e.setup();
    work = join(e.dir, 'work');
    mkdirSync(work);
    // Layer 1: busybox and two files. Layer 2 (from a fresh unpack of v1): one file deleted → a whiteout.
    sh('umoci', ['init', '--layout', 'img'], work);
    sh('umoci', ['new', '--image', 'img:v1'], work);
    sh('umoci', ['unpack', '--image', 'img:v1', 'b1'], work);
    const r1 = join(work, 'b1', 'rootfs');
    mkdirSync(join(r1, 'bin'));
    mkdirSync(join(r1, 'data'));
    copyFileSync('/usr/bin/busybox', join(r1, 'bin', 'busybox'));
    for (const a of ['sh', 'ls', 'cat']) symlinkSync('busybox', join(r1, 'bin', a));
    writeFileSync(join(r1, 'data', 'gone'), 'deleted in layer 2\n');
    writeFileSync(join(r1, 'data', 'keep'), 'kept\n');
    sh('umoci', ['repack', '--image', 'img:v1', 'b1'], work);
    sh('umoci', ['unpack', '--image', 'img:v1', 'b2'], work);
    rmSync(join(work, 'b2', 'rootfs', 'data', 'gone'));
    sh('umoci', ['repack', '--image', 'img:v2', 'b2'], work);
    sh('umoci', ['config', '--image', 'img:v2', '--config.cmd', '/bin/ls', '--config.cmd', '/data'], work);
    sh('skopeo', ['copy', 'oci:img:v2', `docker-archive:${join(work, 'docker.tar')}:interop/img:v2`], work);
    sh('skopeo', ['copy', 'oci:img:v2', `oci-archive:${join(work, 'oci.tar')}:v2`], work);
  });
  after(() => e.cleanup());

  it('loads a docker-archive written by skopeo and runs it with the whiteout applied', () => {
    assert.match(e.ok(['load', '-i', join(work, 'docker.tar')]), /Loaded image: interop\/img:v2/);
    const layers = JSON.parse(e.ok(['image', 'inspect', 'interop/img:v2']))[0].Layers;
    assert.equal(layers.length, 2, 'both umoci layers arrive');
    assert.equal(e.ok(['run', '--rm', 'interop/img:v2']), 'keep');
  });

  it('loads an oci-archive written by skopeo to the same image', () => {
    const before = JSON.parse(e.ok(['image', 'inspect', 'interop/img:v2']))[0].Id;
    e.ok(['rmi', 'interop/img:v2']);
    e.ok(['load', '-i', join(work, 'oci.tar')]);
    const ids = JSON.parse(e.ok(['images', '--format', 'json'])).map((i: { Id: string }) => i.Id);
    assert.ok(ids.includes(before), 'the oci-archive gives the same image id (same config)');
    e.ok(['tag', before.replace('sha256:', '').slice(0, 12), 'interop/img:v2']);
    assert.equal(e.ok(['run', '--rm', 'interop/img:v2', 'cat', '/data/keep']), 'kept');
  });

  for (const format of ['docker-archive', 'oci-archive'] as const) {
    it(`writes a ${format} that skopeo reads and umoci unpacks`, () => {
      const out = join(work, `bulkhead-${format}.tar`);
      e.ok(['save', '--format', format, '-o', out, 'interop/img:v2']);
      const info = JSON.parse(sh('skopeo', ['inspect', `${format}:${out}`]));
      assert.equal(info.Layers.length, 2);
      const layout = `back-${format}`;
      sh('skopeo', ['copy', `${format}:${out}`, `oci:${layout}:v2`], work);
      sh('umoci', ['unpack', '--image', `${layout}:v2`, `u-${format}`], work);
      const root = join(work, `u-${format}`, 'rootfs');
      assert.equal(readFileSync(join(root, 'data', 'keep'), 'utf8'), 'kept\n');
      assert.equal(existsSync(join(root, 'data', 'gone')), false, 'the whiteout survives the round trip');
    });
  }
});
