// Twenty `bulkhead run -d` at once all succeed, with distinct names and state that agrees with the runtime.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestEngine } from '../helpers/engine-harness.js';

const e = new TestEngine('bh-test-conc-');
before(() => e.setup());
after(() => e.cleanup());

it('runs 20 detached containers concurrently', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, () => e.runAsync(['run', '-d', 'busybox', 'sleep', '60'])));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const ids = results.map((r) => r.stdout.trim());
  assert.equal(new Set(ids).size, 20);
  const list = JSON.parse(e.ok(['ps', '--format', 'json'])) as Array<{ Id: string; Name: string; State: { status: string } }>;
  assert.equal(list.length, 20);
  assert.equal(new Set(list.map((c) => c.Name)).size, 20, 'distinct generated names');
  assert.ok(list.every((c) => c.State.status === 'running'));
  const removed = await Promise.all(ids.map((id) => e.runAsync(['rm', '-f', id])));
  for (const r of removed) assert.equal(r.code, 0, r.stderr);
  assert.equal(e.ok(['ps', '-aq']), '');
});

it('runs 20 named containers concurrently, and refuses a name taken twice', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => e.runAsync(['run', '-d', '--name', `cc-${i % 10}`, 'busybox', 'true'])));
  const ok = results.filter((r) => r.code === 0).length;
  assert.equal(ok, 10, 'each name is given exactly once');
  for (const r of results.filter((x) => x.code !== 0)) assert.match(r.stderr, /already in use/);
  e.ok(['rm', '-f', ...Array.from({ length: 10 }, (_, i) => `cc-${i}`)]);
});
