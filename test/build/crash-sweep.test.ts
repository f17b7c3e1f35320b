// A daemon killed (SIGKILL) while a build's RUN step runs leaves that step's container behind, still running
// under its monitor. The next daemon start removes it (containers labelled io.bulkhead.build=step), and the
// process inside is gone too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;

describe('build containers after a daemon crash', { skip }, () => {
  let engine: TestEngine;
  before(async () => { engine = await new TestEngine('bh-test-buildcrash-').setup(); });
  after(async () => { await engine?.cleanup(); });

  it('are removed when the daemon starts again', async () => {
    const ctx = join(engine.dir, 'ctx');
    mkdirSync(ctx);
    const marker = `bh-test-sleep-${process.pid}`;
    writeFileSync(join(ctx, 'Containerfile'), `FROM busybox\nRUN echo ${marker} && exec sleep 300\n`);
    const build = engine.spawn(['build', ctx]);
    build.stdin!.end();
    let out = '';
    build.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    for (let i = 0; i < 300 && !out.includes(marker); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(out.includes(marker), `the RUN step started: ${out}`);
    // The step's output can arrive before the daemon has recorded the container as running: wait for that record.
    let running = '';
    for (let i = 0; i < 100 && !running; i++) {
      running = engine.ok(['ps', '-q', '--no-trunc', '--filter', 'label=io.bulkhead.build=step']);
      if (!running) await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(running, /^[0-9a-f]{64}$/, 'one build-step container is running');

    await engine.killDaemon('SIGKILL');
    await new Promise<void>((resolve) => { if (build.exitCode !== null) resolve(); else build.on('close', () => resolve()); });
    await engine.startDaemon();

    assert.equal(engine.ok(['ps', '-aq']), '', 'no container is left');
    const runc = execFileSync('runc', ['--root', join(engine.root, 'run', 'runc'), 'list', '-q']).toString().trim();
    assert.equal(runc, '', 'the runtime holds no container either');
    const sleeper = execFileSync('sh', ['-c', `pgrep -f "^sleep 300$" -a || true`]).toString();
    const ours = sleeper.split('\n').filter(Boolean).filter((l) => {
      try { return execFileSync('cat', [`/proc/${l.split(' ')[0]}/cgroup`]).toString().includes(running); } catch { return false; }
    });
    assert.deepEqual(ours, [], 'the step\'s process is gone');
  });
});
