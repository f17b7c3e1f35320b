// resolveBindSources on real files: a symlink under an allowed root that leads out of it is refused by its target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MountSpec } from '../../src/core/index.js';
import { evaluatePolicy, resolveBindSources } from '../../src/security/policy/index.js';
import { hardenedConfig, policyOf, subject } from './fixtures.js';

test('a symlink out of a bind root is judged by where it leads', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bh-test-policy-binds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  await mkdir(join(root, 'app'), { recursive: true });
  await symlink('/etc', join(root, 'escape'));
  const bind = (source: string): MountSpec => ({ type: 'bind', source, target: `/m${source.length}`, readOnly: true });
  const mounts = [bind(join(root, 'app')), bind(join(root, 'escape')), bind(join(root, 'missing'))];
  const real = await resolveBindSources(mounts);
  assert.deepEqual(real, { [join(root, 'app')]: join(root, 'app'), [join(root, 'escape')]: '/etc' });
  const config = Object.assign(hardenedConfig(), { mounts });
  const violations = evaluatePolicy(policyOf({ bindMountRoots: [root] }), subject(config, undefined, { realBindSources: real }));
  assert.equal(violations.length, 1);
  assert.equal(violations[0]!.message, `bind mounts from ${join(root, 'escape')} (really /etc) are not allowed (allowed under: ${root})`);
});
