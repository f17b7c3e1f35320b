// info, version and the live event stream, as a user reads them.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestEngine } from '../helpers/engine-harness.js';

const e = new TestEngine('bh-test-info-');
before(() => e.setup());
after(() => e.cleanup());

it('info names the runtime, cgroups, kernel, CPUs, memory and the virtualization under the engine', () => {
  const text = e.ok(['info']);
  assert.match(text, /^OCI Runtime: runc \(/m);
  assert.match(text, /^Storage Driver: overlay$/m);
  assert.match(text, /^Cgroup: (v1|v2|hybrid) \(version [12], driver cgroupfs\)$/m);
  assert.match(text, new RegExp(`^Kernel Version: ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim().replace(/[.+]/g, '\\$&')}$`, 'm'));
  assert.match(text, /^CPUs: \d+$/m);
  assert.equal(/^Run Root: (.*)$/m.exec(text)?.[1], `${join(e.root, 'run')} (tmpfs)`, 'the daemon made its run root a tmpfs');
  const info = JSON.parse(e.ok(['info', '--format', 'json']));
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) {
    assert.match(info.host.virtualization.kind, /^vm/);
    assert.match(text, /^Virtualization: running on a virtual machine .*hybrid container architecture/m);
  } else {
    assert.doesNotMatch(info.host.virtualization.kind, /^vm/);
  }
  assert.match(e.ok(['version']), /^Client: bulkhead \d+\.\d+\.\d+.*\nEngine: bulkhead \d+\.\d+\.\d+ .*runtime runc/);
});

it('events streams create, start, die and destroy live', async () => {
  const stream = e.spawn(['events', '--format', 'json', '--filter', 'container=evt']);
  let out = '';
  stream.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise((r) => setTimeout(r, 300));
  e.ok(['run', '--rm', '--name', 'evt', 'busybox', 'true']);
  for (let i = 0; i < 100 && !out.includes('"destroy"'); i++) await new Promise((r) => setTimeout(r, 50));
  stream.kill();
  const actions = out.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
  assert.deepEqual(actions.filter((a) => ['create', 'start', 'die', 'destroy'].includes(a)), ['create', 'start', 'die', 'destroy']);
});
