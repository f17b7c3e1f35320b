// The probe binary (native/probe.c) run directly on the host, pinned with taskset: every mode prints valid JSON
// or stops cleanly on SIGTERM, a same-CPU spin aggressor visibly slows the fixed-work probe, and the disk
// aggressor removes its file. Needs 2 CPUs and `make -C native`.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { nativeHelper } from '../../src/sys/native.js';
import { parseProbeOutput } from '../../src/analysis/measure/index.js';
import { watchBackgroundLoad } from './host-facts.js';

const run = promisify(execFile);
const probe = nativeHelper('probe');
// On the real disk (/var/tmp), not tmpfs, so fsync really goes to the device.
const scratch = mkdtempSync('/var/tmp/bh-test-probe-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function victim(cpu: string, mode: string, ms: number, extra: string[] = []) {
  const { stdout } = await run('taskset', ['-c', cpu, probe, 'victim', mode, '--duration-ms', String(ms), ...extra]);
  assert.equal(stdout.trim().split('\n').length, 1, `one line from ${mode}`);
  return parseProbeOutput(stdout, mode);
}

async function withAggressor<T>(cpu: string, args: string[], body: () => Promise<T>): Promise<T> {
  const child = spawn('taskset', ['-c', cpu, probe, 'aggressor', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const closed = once(child, 'close');
  try {
    await sleep(200);
    return await body();
  } finally {
    child.kill('SIGTERM');
    const [code] = (await closed) as [number | null];
    assert.equal(code, 0, `aggressor ${args.join(' ')} exit code`);
  }
}

describe('probe binary', { timeout: 60_000 }, () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is static, and every victim mode prints one valid JSON line', async () => {
    assert.match(spawnSync('file', [probe]).stdout.toString(), /statically linked/);
    const sizes: Record<string, string[]> = { chase: ['--size', String(256 << 10)], fsync: ['--dir', scratch] };
    for (const mode of ['work', 'wake', 'chase', 'fsync', 'rtt']) {
      const s = await victim('1', mode, 250, sizes[mode]);
      assert.ok(s.samples > 10 && s.p50 > 0 && s.p50 <= s.p99 && s.p99 <= s.p999 && s.p999 <= s.max, `${mode}: ${JSON.stringify(s)}`);
    }
    assert.deepEqual(readdirSync(scratch), [], 'fsync probe removed its file');
  });

  it('every aggressor mode ends by itself after --duration-ms, exiting 0', async () => {
    for (const mode of ['spin', 'cache', 'stream', 'disk', 'net']) {
      const t0 = Date.now();
      await run(probe, ['aggressor', mode, '--duration-ms', '150', '--intensity', '50', '--size', String(8 << 20), '--dir', scratch]);
      assert.ok(Date.now() - t0 < 5000, `${mode} took ${Date.now() - t0} ms`);
    }
    assert.deepEqual(readdirSync(scratch), []);
  });

  it('rejects bad usage with exit 2 and a message', () => {
    const r = spawnSync(probe, ['aggressor', 'spin', '--intensity', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /^probe: --intensity must be 1-100$/m);
    assert.equal(spawnSync(probe, ['victim', 'bogus', '--duration-ms', '10']).status, 2);
  });

  it('a spin aggressor on the same CPU slows the work probe p99 at least 3x; on the other CPU it does not', async (t) => {
    // This machine is shared with other test runs: an attempt whose idle baseline is itself disturbed says nothing,
    // so up to three attempts are made. A spin aggressor that did not spin would fail all three.
    const figures: string[] = [];
    let ok = false;
    let busy = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      const background = watchBackgroundLoad();
      const alone = await victim('1', 'work', 800);
      const same = await withAggressor('1', ['spin'], () => victim('1', 'work', 800));
      const other = await withAggressor('0', ['spin'], () => victim('1', 'work', 800));
      assert.ok(alone.p50 > 100 && alone.p50 < 400, `work loop is ~150 µs, got p50 ${alone.p50}`);
      const ratio = same.p99 / alone.p99;
      figures.push(`alone ${alone.p99} µs, same-cpu spin ${same.p99} µs (x${ratio.toFixed(1)}), other-cpu spin ${other.p99} µs`);
      ok = ratio >= 3 && other.p99 < same.p99 / 2;
      busy = background() > 0.1;
    }
    console.log(`work p99: ${figures.join('; ')}`);
    if (!ok && busy) return t.skip(`not judged: other processes kept the CPUs busy (${figures.join('; ')})`);
    assert.ok(ok, `no attempt showed a >=3x same-cpu slowdown with the other CPU far less affected: ${figures.join('; ')}`);
  });

  it('the disk aggressor writes a bounded file in --dir and deletes it at SIGTERM', async () => {
    await withAggressor('0', ['disk', '--dir', scratch], async () => {
      await sleep(300);
      const files = readdirSync(scratch);
      assert.equal(files.length, 1);
      assert.match(files[0]!, /^\.bh-probe-disk0-\d+-[0-9a-f]+$/);
    });
    assert.deepEqual(readdirSync(scratch), []);
  });
});
