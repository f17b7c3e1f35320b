// Builds the native addon (binding.gyp here → build/Release/bulkhead_sys.node) with the node-gyp that ships
// inside npm, against the headers of the node that runs this script, so the build needs no download: node-gyp
// would otherwise fetch a header tarball, and this machine reaches no host but the package registries.
// Run by `npm run build`; by hand: `node native/addon/build.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath)); // /usr for /usr/bin/node

function findNodeGyp() {
  try {
    return createRequire(join(here, '..', '..', 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch { /* not a dependency of ours: use npm's own */ }
  for (const npmDir of [join(prefix, 'lib', 'node_modules', 'npm'), join(prefix, 'share', 'nodejs', 'npm')]) {
    const path = join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(path)) return path;
  }
  return undefined;
}

const gyp = findNodeGyp();
if (!gyp) {
  process.stderr.write('native/addon: node-gyp not found (it ships with npm): install npm, or node-gyp as a dev dependency\n');
  process.exit(1);
}
const headers = join(prefix, 'include', 'node', 'node_api.h');
const args = [gyp, 'rebuild', '--loglevel=error', ...(existsSync(headers) ? [`--nodedir=${prefix}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write(`native/addon: node-gyp rebuild failed (${r.error?.message ?? `exit status ${r.status}`})\n`);
  process.exit(1);
}
