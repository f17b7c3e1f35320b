// The init binary behind --init: Debian's tini-static (statically linked, so it runs in any image), or the daemon
// config's "initPath". Checked at create, so a host without it refuses the container in one line, and again at
// each start, since the package may have been removed in between.
import { accessSync, constants, statSync } from 'node:fs';
import { InvalidArgumentError } from '../core/index.js';

export const DEFAULT_INIT_PATH = '/usr/bin/tini-static';

/** The host path of the init binary, or an InvalidArgument saying what is missing and how to get it. */
export function initBinary(configured: string | undefined): string {
  const path = configured ?? DEFAULT_INIT_PATH;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.X_OK);
  } catch {
    const fix = configured ? 'fix the daemon\'s "initPath" or --init-path'
      : 'install Debian\'s tini package, or name another init with the daemon\'s "initPath" or --init-path';
    throw new InvalidArgumentError(`--init: the init binary ${path} is missing or not executable on this host (${fix})`);
  }
  return path;
}
