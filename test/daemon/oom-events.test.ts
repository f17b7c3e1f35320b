// A container that runs out of memory is reported as docker reports it: exit 137, State.oomKilled, and an `oom`
// event before `die` in the event stream.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestEngine } from '../helpers/engine-harness.js';

const e = new TestEngine('bh-test-oom-');
before(() => e.setup());
after(() => e.cleanup());

it('records an OOM kill and streams oom and die events', async () => {
  const since = Math.floor(Date.now() / 1000);
  const r = e.run(['run', '--name', 'oomer', '-m', '16m', 'busybox', 'sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo survived']);
  assert.equal(r.code, 137, r.stderr);
  assert.doesNotMatch(r.stdout, /survived/);
  assert.equal(e.ok(['inspect', '-f', 'State.OOMKilled', 'oomer']), 'true');
  const events = e.ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=oomer', '--format', 'json'])
    .split('\n').map((l) => JSON.parse(l) as { action: string; attributes: Record<string, string> });
  const actions = events.map((ev) => ev.action);
  for (const a of ['create', 'start', 'oom', 'die']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
  assert.ok(actions.indexOf('oom') < actions.indexOf('die'));
  assert.equal(events.find((ev) => ev.action === 'die')!.attributes.exitCode, '137');
  e.ok(['rm', 'oomer']);
});
