// Runs the OciRuntime conformance suite against every runtime this host can run: runc always, crun when it is
// installed and the host is not hybrid (crun 1.8 refuses hybrid cgroup hosts).
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConmonRuntime } from '../../src/runtime/conmon/conmon-runtime.js';
import { findExecutable } from '../../src/runtime/select.js';
import { cgroupMode } from '../../src/sys/cgroups.js';
import { runtimeSuite } from './runtime-suite.js';

const conmon = findExecutable('conmon');

for (const name of ['runc', 'crun']) {
  const path = findExecutable(name);
  const skip = !conmon ? 'conmon is not installed'
    : process.getuid?.() !== 0 ? 'needs root'
      : !path ? `${name} is not installed`
        : name === 'crun' && cgroupMode() === 'hybrid' ? 'crun refuses hybrid cgroup hosts' : undefined;
  if (skip) {
    describe(`OciRuntime conformance: ${name}`, () => { it('runs the suite', { skip }, () => undefined); });
    continue;
  }
  runtimeSuite(name, (stateRoot) => new ConmonRuntime({
    name, path: path!, conmonPath: conmon!, stateRoot, exitDir: join(stateRoot, 'exits'),
  }));
}
