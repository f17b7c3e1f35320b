// Health rules without containers: how probe results move the status (streak, retries, start period, log of five)
// and how the image's HEALTHCHECK merges with the --health-* flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyProbe, resolveHealthcheck, startingHealth, probeCommand } from '../../src/engine/health/index.js';
import type { HealthResult, HealthState } from '../../src/core/index.js';
import { parseContainerfile } from '../../src/build/parse.js';
import { applyMetadata } from '../../src/build/metadata.js';

const probe = (exitCode: number, i = 0): HealthResult => ({ start: new Date(i).toISOString(), end: new Date(i + 1).toISOString(), exitCode, output: `run ${i}` });

describe('health rules', () => {
  it('a success makes it healthy; retries failures in a row make it unhealthy; a success clears the streak', () => {
    let h: HealthState = startingHealth();
    h = applyProbe(h, probe(0), { retries: 2, inStartPeriod: false });
    assert.deepEqual([h.status, h.failingStreak], ['healthy', 0]);
    h = applyProbe(h, probe(1), { retries: 2, inStartPeriod: false });
    assert.deepEqual([h.status, h.failingStreak], ['healthy', 1]);
    h = applyProbe(h, probe(-1), { retries: 2, inStartPeriod: false });
    assert.deepEqual([h.status, h.failingStreak], ['unhealthy', 2]);
    h = applyProbe(h, probe(0), { retries: 2, inStartPeriod: false });
    assert.deepEqual([h.status, h.failingStreak], ['healthy', 0]);
  });

  it('failures inside the start period do not count while starting, but are logged', () => {
    let h = startingHealth();
    h = applyProbe(h, probe(1), { retries: 1, inStartPeriod: true });
    assert.deepEqual([h.status, h.failingStreak, h.log.length], ['starting', 0, 1]);
    h = applyProbe(h, probe(1), { retries: 1, inStartPeriod: false });
    assert.deepEqual([h.status, h.failingStreak], ['unhealthy', 1]);
  });

  it('keeps the last five results', () => {
    let h = startingHealth();
    for (let i = 0; i < 8; i++) h = applyProbe(h, probe(0, i), { retries: 3, inStartPeriod: false });
    assert.deepEqual(h.log.map((r) => r.output), ['run 3', 'run 4', 'run 5', 'run 6', 'run 7']);
    assert.equal(startingHealth(h).log.length, 5, 'a new start keeps the log, as docker does');
  });

  it('merges the image HEALTHCHECK with the flags, field by field, with docker defaults', () => {
    const image = { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 7 };
    assert.deepEqual(resolveHealthcheck(undefined, image), { test: ['CMD-SHELL', 'true'], intervalMs: 5000, timeoutMs: 30000, retries: 7,
      startPeriodMs: 0, startIntervalMs: 5000, onFailure: 'none' });
    const merged = resolveHealthcheck({ intervalMs: 1000, onFailure: 'kill' }, image)!;
    assert.deepEqual([merged.test, merged.intervalMs, merged.retries, merged.onFailure], [['CMD-SHELL', 'true'], 1000, 7, 'kill']);
    assert.equal(resolveHealthcheck({ test: ['NONE'] }, image), undefined, '--no-healthcheck');
    assert.equal(resolveHealthcheck(undefined, { Test: ['NONE'] }), undefined, 'HEALTHCHECK NONE');
    assert.equal(resolveHealthcheck(undefined, undefined), undefined);
    assert.deepEqual(probeCommand(['CMD-SHELL', 'test -f /x']), ['/bin/sh', '-c', 'test -f /x']);
    assert.deepEqual(probeCommand(['CMD', 'cat', '/x']), ['cat', '/x']);
  });

  it('refuses bad health settings with one-line errors', () => {
    assert.throws(() => resolveHealthcheck({ test: ['CMD-SHELL', 'true'], intervalMs: -1 }, undefined), /--health-interval must not be negative/);
    assert.throws(() => resolveHealthcheck({ test: ['CMD-SHELL', 'true'], timeoutMs: 0.5 }, undefined), /--health-timeout cannot be less than 1ms/);
    assert.throws(() => resolveHealthcheck({ test: ['CMD-SHELL', 'true'], onFailure: 'explode' }, undefined), /invalid --health-on-failure "explode"/);
    assert.throws(() => resolveHealthcheck({ test: ['BOGUS'] }, undefined), /invalid health check test/);
    assert.throws(() => resolveHealthcheck({ onFailure: 'kill' }, undefined), /needs a health check/);
  });

  it("build's HEALTHCHECK is stored in docker's image config shape (ns), NONE too; other forms are refused", () => {
    const healthcheckOf = (line: string) => {
      const inst = parseContainerfile(`FROM busybox\n${line}\n`).instructions[1]!;
      return applyMetadata(inst, {}, { vars: new Map(), escape: '\\', shell: ['/bin/sh', '-c'], cmdSetInStage: false } as never).Healthcheck;
    };
    assert.deepEqual(healthcheckOf('HEALTHCHECK --interval=1s --timeout=2s --start-period=3s --retries=4 CMD test -f /ok'),
      { Test: ['CMD-SHELL', 'test -f /ok'], Interval: 1e9, Timeout: 2e9, StartPeriod: 3e9, Retries: 4 });
    assert.deepEqual(healthcheckOf('HEALTHCHECK CMD ["cat", "/ok"]'), { Test: ['CMD', 'cat', '/ok'] });
    assert.deepEqual(healthcheckOf('HEALTHCHECK NONE'), { Test: ['NONE'] });
    assert.throws(() => healthcheckOf('HEALTHCHECK curl -f localhost'), /HEALTHCHECK expects NONE or CMD/);
  });
});
