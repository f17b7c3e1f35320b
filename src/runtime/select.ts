// Choosing the OCI runtime. runc and crun differ only in binary and quirks, so both run under ConmonRuntime.
// The one quirk handled here: crun 1.8 refuses "hybrid" hosts (v1 controllers mounted beside a cgroup2 tree),
// so on such a host crun falls back to runc with a one-line notice rather than failing every container later.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../core/index.js';
import { cgroupMode } from '../sys/cgroups.js';
import { ConmonRuntime } from './conmon/conmon-runtime.js';
import type { OciRuntime } from './types.js';

export const KNOWN_RUNTIMES = ['runc', 'crun'] as const;
export const DEFAULT_RUNTIME = 'runc';

export interface SelectRuntimeOptions {
  requested?: string;                 // "runc", "crun" or undefined for the default
  notice?: (msg: string) => void;     // one-line messages for the user (fallbacks)
  runRoot?: string;                   // default /run/bulkhead; runtime state goes to <runRoot>/<runtime>
  stateRoot?: string;                 // overrides <runRoot>/<runtime>
  exitDir?: string;                   // default <runRoot>/exits
  conmonPath?: string;                // default: conmon on PATH
  hostRoot?: string;                  // for tests: where to read the host's cgroup layout
  searchPath?: string;                // for tests: PATH to look binaries up in
}

/** The first executable `name` on the search path, or undefined. */
export function findExecutable(name: string, searchPath = process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'): string | undefined {
  const dirs = name.includes('/') ? [''] : searchPath.split(':').filter(Boolean);
  for (const dir of dirs) {
    const candidate = dir ? join(dir, name) : name;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* keep looking */ }
  }
  return undefined;
}

export function selectRuntime(requested: string | undefined, notice: (msg: string) => void, options?: SelectRuntimeOptions): OciRuntime;
export function selectRuntime(options: SelectRuntimeOptions): OciRuntime;
export function selectRuntime(
  a: string | undefined | SelectRuntimeOptions, b?: (msg: string) => void, c: SelectRuntimeOptions = {},
): OciRuntime {
  const o: SelectRuntimeOptions = typeof a === 'object' ? a : { ...c, requested: a, notice: b };
  const notice = o.notice ?? (() => undefined);
  let name = o.requested?.trim() || DEFAULT_RUNTIME;
  if (!(KNOWN_RUNTIMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`unknown runtime "${name}": choose one of ${KNOWN_RUNTIMES.join(', ')}`);
  }
  if (name === 'crun' && cgroupMode(o.hostRoot) === 'hybrid') {
    notice('crun does not support hybrid cgroup hosts (v1 controllers with a cgroup2 tree): using runc instead');
    name = 'runc';
  }
  const path = findExecutable(name, o.searchPath);
  if (!path) throw new NotFoundError(`runtime ${name} not found on PATH: install it (apt-get install ${name}) or choose another with --runtime`);
  const conmonPath = o.conmonPath ?? findExecutable('conmon', o.searchPath);
  if (!conmonPath) throw new NotFoundError('conmon not found on PATH: install it (apt-get install conmon)');
  const runRoot = o.runRoot ?? '/run/bulkhead';
  return new ConmonRuntime({
    name, path, conmonPath,
    stateRoot: o.stateRoot ?? join(runRoot, name),
    exitDir: o.exitDir ?? join(runRoot, 'exits'),
  });
}
