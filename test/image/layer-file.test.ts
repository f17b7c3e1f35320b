// findInLayers: a file of an image found in its unpacked layers, topmost first, without mounting them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findInLayers } from '../../src/image/index.js';

const base = mkdtempSync(join(tmpdir(), 'bh-test-layerfile-'));
after(() => rmSync(base, { recursive: true, force: true }));

function layer(name: string, files: Record<string, string>): string {
  const dir = join(base, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('the topmost layer holding the file decides; a layer with only its parent directory does not', async () => {
  const lower = layer('lower', { 'etc/passwd': 'old' });
  const middle = layer('middle', { 'etc/group': 'g' });
  const upper = layer('upper', { 'etc/passwd': 'new' });
  assert.deepEqual(await findInLayers([middle, lower], '/etc/passwd'), { kind: 'file', layerDir: lower });
  assert.deepEqual(await findInLayers([upper, middle, lower], '/etc/passwd'), { kind: 'file', layerDir: upper });
  assert.deepEqual(await findInLayers([middle], '/etc/passwd'), { kind: 'absent' });
  assert.deepEqual(await findInLayers([], '/etc/passwd'), { kind: 'absent' });
});

test('a whiteout of the file or of a parent hides the lower layers; a symlink on the way is not followed', { skip: process.getuid?.() !== 0 && 'needs root (mknod)' }, async () => {
  const lower = layer('wl-lower', { 'etc/passwd': 'x' });
  const fileGone = layer('wl-file', { 'etc/hostname': 'h' });
  execFileSync('mknod', [join(fileGone, 'etc/passwd'), 'c', '0', '0']);
  const dirGone = layer('wl-dir', {});
  execFileSync('mknod', [join(dirGone, 'etc'), 'c', '0', '0']);
  const linked = layer('wl-link', { 'srv/passwd': 'elsewhere' });
  mkdirSync(join(linked, 'etc'));
  symlinkSync('/srv/passwd', join(linked, 'etc/passwd'));
  const linkedDir = layer('wl-linkdir', {});
  symlinkSync('/srv', join(linkedDir, 'etc'));
  assert.deepEqual(await findInLayers([fileGone, lower], '/etc/passwd'), { kind: 'absent' });
  assert.deepEqual(await findInLayers([dirGone, lower], '/etc/passwd'), { kind: 'absent' });
  assert.deepEqual(await findInLayers([linked, lower], '/etc/passwd'), { kind: 'unknown' });
  assert.deepEqual(await findInLayers([linkedDir, lower], '/etc/passwd'), { kind: 'unknown' });
  assert.deepEqual(await findInLayers([lower], '/etc/../etc/passwd'), { kind: 'file', layerDir: lower }, 'normalised');
  assert.deepEqual(await findInLayers([lower], '/etc'), { kind: 'unknown' }, 'a directory is not a file');
});
