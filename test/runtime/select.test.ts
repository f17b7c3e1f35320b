import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorKind } from '../../src/core/index.js';
import { cleanRuntimeMessage, runtimeFailure } from '../../src/runtime/errors.js';
import { selectRuntime } from '../../src/runtime/select.js';
import { MOUNTINFO, fakeHost } from '../sys/fake-host.js';

describe('runtime selection', () => {
  let bin: string;
  let hybrid: string;
  let v2: string;
  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'bh-test-bin-'));
    for (const name of ['runc', 'crun', 'conmon']) {
      await writeFile(join(bin, name), '#!/bin/sh\nexit 0\n');
      await chmod(join(bin, name), 0o755);
    }
    hybrid = await fakeHost({ 'proc/self/mountinfo': MOUNTINFO.hybrid });
    v2 = await fakeHost({ 'proc/self/mountinfo': MOUNTINFO.v2 });
  });
  after(() => Promise.all([bin, hybrid, v2].map((d) => rm(d, { recursive: true, force: true }))));

  it('defaults to runc, found on PATH', () => {
    const rt = selectRuntime({ searchPath: bin, hostRoot: v2 });
    assert.equal(rt.name, 'runc');
    assert.equal(rt.path, join(bin, 'runc'));
  });

  it('keeps crun where it works', () => {
    const notices: string[] = [];
    const rt = selectRuntime('crun', (m) => notices.push(m), { searchPath: bin, hostRoot: v2 });
    assert.equal(rt.name, 'crun');
    assert.deepEqual(notices, []);
  });

  it('falls back from crun to runc on a hybrid host, with one notice', () => {
    const notices: string[] = [];
    const rt = selectRuntime('crun', (m) => notices.push(m), { searchPath: bin, hostRoot: hybrid });
    assert.equal(rt.name, 'runc');
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /hybrid.*using runc/);
  });

  it('rejects unknown runtimes and reports missing ones', () => {
    assert.throws(() => selectRuntime('kata', () => undefined, { searchPath: bin }), (e) => errorKind(e) === 'InvalidArgument' && /unknown runtime "kata"/.test(String(e)));
    assert.throws(() => selectRuntime('runc', () => undefined, { searchPath: join(bin, 'empty') }), (e) => errorKind(e) === 'NotFound' && /runc not found/.test(String(e)));
  });
});

describe('runtime error messages', () => {
  it('strips logrus framing from runc output', () => {
    const raw = 'time="2024-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH"\n';
    assert.equal(cleanRuntimeMessage(raw), 'runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH');
  });

  it('classifies by what went wrong', () => {
    assert.equal(errorKind(runtimeFailure('x', 'container "a" does not exist')), 'NotFound');
    assert.equal(errorKind(runtimeFailure('x', 'container not running')), 'StateInvalid');
    assert.equal(errorKind(runtimeFailure('x', 'something odd')), 'Internal');
  });
});
