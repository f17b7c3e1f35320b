// Ctrl-C on a foreground `run` without a terminal reaches the container (docker's --sig-proxy), which decides
// how to end; the CLI exits with the container's code.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestEngine } from '../helpers/engine-harness.js';

const e = new TestEngine('bh-test-signals-');
before(() => e.setup());
after(() => e.cleanup());

it('forwards SIGINT and SIGTERM to the container and exits with its code', async () => {
  for (const [signal, code] of [['SIGINT', 42], ['SIGTERM', 43]] as const) {
    const child = e.spawn(['run', '--rm', 'busybox', 'sh', '-c',
      `trap "echo got-${signal}; exit ${code}" ${signal.slice(3)}; echo ready; while true; do sleep 0.1; done`]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    for (let i = 0; i < 100 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill(signal);
    const exit = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    assert.equal(exit, code);
    assert.match(out, new RegExp(`got-${signal}`));
  }
  assert.equal(e.ok(['ps', '-aq']), '', '--rm removed both');
});
