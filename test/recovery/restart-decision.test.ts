// The restart decision without containers: each policy, the manual-stop rule, the back-off sequence (100 ms doubling
// to a minute, reset by a 10 s run), what comes back at engine start, and the policy's validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, nextDelay, restartsAtBoot, validateRestartPolicy, type ExitFacts } from '../../src/engine/restart/index.js';
import type { RestartPolicy } from '../../src/core/index.js';

const facts = (f: Partial<ExitFacts> = {}): ExitFacts => ({ exitCode: 1, manuallyStopped: false, restartCount: 0, ranMs: 50, previousDelayMs: 0, ...f });
const policy = (name: RestartPolicy['name'], maximumRetryCount = 0): RestartPolicy => ({ name, maximumRetryCount });

describe('restart decision', () => {
  it('no (or none) never restarts', () => {
    assert.equal(decideRestart(undefined, facts()).restart, false);
    assert.equal(decideRestart(policy('no'), facts()).restart, false);
  });

  it('on-failure restarts a non-zero exit until the maximum, never a zero exit', () => {
    assert.equal(decideRestart(policy('on-failure'), facts({ exitCode: 0 })).restart, false);
    assert.equal(decideRestart(policy('on-failure'), facts({ restartCount: 1000 })).restart, true, '0 = no limit');
    assert.equal(decideRestart(policy('on-failure', 2), facts({ restartCount: 0 })).restart, true);
    assert.equal(decideRestart(policy('on-failure', 2), facts({ restartCount: 1 })).restart, true);
    assert.equal(decideRestart(policy('on-failure', 2), facts({ restartCount: 2 })).restart, false);
  });

  it('always and unless-stopped restart any exit, but not after a manual stop', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      assert.equal(decideRestart(policy(name), facts({ exitCode: 0 })).restart, true, name);
      assert.equal(decideRestart(policy(name), facts({ exitCode: 137, manuallyStopped: true })).restart, false, name);
    }
    assert.equal(decideRestart(policy('on-failure'), facts({ exitCode: 143, manuallyStopped: true })).restart, false);
  });

  it('backs off 100 ms, doubling to a minute, and resets after a run of 10 s', () => {
    const seq: number[] = [];
    let prev = 0;
    for (let i = 0; i < 12; i++) { prev = decideRestart(policy('always'), facts({ previousDelayMs: prev })).delayMs; seq.push(prev); }
    assert.deepEqual(seq, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    assert.equal(nextDelay(60000, 9_999), 60000);
    assert.equal(nextDelay(60000, 10_000), 100);
    assert.equal(nextDelay(0, 0), 100);
  });

  it('at engine start: always comes back even after a manual stop, unless-stopped only if not stopped by hand', () => {
    const s = (f: Partial<{ exitCode: number; manuallyStopped: boolean; restartCount: number }>) => ({ exitCode: 0, manuallyStopped: false, restartCount: 0, ...f });
    assert.equal(restartsAtBoot(policy('always'), s({ manuallyStopped: true })), true);
    assert.equal(restartsAtBoot(policy('unless-stopped'), s({ manuallyStopped: true })), false);
    assert.equal(restartsAtBoot(policy('unless-stopped'), s({})), true);
    assert.equal(restartsAtBoot(policy('on-failure', 3), s({ exitCode: 1, restartCount: 1 })), true);
    assert.equal(restartsAtBoot(policy('on-failure', 3), s({ exitCode: 1, restartCount: 3 })), false);
    assert.equal(restartsAtBoot(policy('on-failure'), s({ exitCode: 0 })), false);
    assert.equal(restartsAtBoot(undefined, s({ exitCode: 1 })), false);
  });

  it('validates the policy with one-line errors', () => {
    assert.equal(validateRestartPolicy(undefined), undefined);
    assert.equal(validateRestartPolicy({ name: 'no' }), undefined);
    assert.equal(validateRestartPolicy({ name: '' }), undefined);
    assert.deepEqual(validateRestartPolicy({ name: 'on-failure', maximumRetryCount: 3 }), { name: 'on-failure', maximumRetryCount: 3 });
    assert.deepEqual(validateRestartPolicy({ name: 'always' }), { name: 'always', maximumRetryCount: 0 });
    assert.throws(() => validateRestartPolicy({ name: 'sometimes' }), /invalid restart policy "sometimes"/);
    assert.throws(() => validateRestartPolicy({ name: 'always', maximumRetryCount: 2 }), /cannot be used with "always"/);
    assert.throws(() => validateRestartPolicy({ name: 'on-failure', maximumRetryCount: -1 }), /0 or more/);
  });
});
