// The first file node runs for a CLI call (bundled by scripts/bundle-cli.mjs to dist/bundle/cli/launch.cjs, which
// bin/bulkhead starts). It runs the bundled client (bulkhead.cjs) with V8's code cache for it: compiling the
// ~300 KB bundle from source is ~5 ms of CPU in a call that lasts ~40 ms, and every `run`, `ps` or `exec` pays it.
// The cache is made at build time (the build runs this file once with BULKHEAD_CODE_CACHE=write). A missing cache,
// or one V8 rejects (another node version), only costs that compile: the client runs all the same.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('../../../bundle/cli/bulkhead.cjs', import.meta.url));
const cacheFile = `${bundle}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** Writes the cache once the client has run, so it holds the functions the call compiled, not only the top level. */
function writeCacheOnExit(script: Script): void {
  process.once('exit', () => {
    const staging = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(staging, script.createCachedData());
    renameSync(staging, cacheFile);
  });
}

function launch(): void {
  const writing = process.env.BULKHEAD_CODE_CACHE === 'write';
  const cachedData = writing ? undefined : readCache();
  delete process.env.BULKHEAD_CODE_CACHE; // not inherited by a daemon the client starts
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData,
  });
  if (writing) writeCacheOnExit(script);
  // import() inside a vm script has no loader (node 20 offers one only as an experimental flag, which also fails
  // with a code cache); the bundle's lazy imports call this instead. It resolves relative paths from this file,
  // which sits beside the bundle, so they mean what they mean in the bundle.
  (globalThis as { __bulkheadLazyImport?: (p: string) => Promise<unknown> }).__bulkheadLazyImport = (p) => import(p);
  const module = new Module(bundle);
  module.filename = bundle;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

launch();
