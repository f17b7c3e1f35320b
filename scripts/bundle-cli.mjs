// Bundles the CLI client into one CommonJS file, dist/bundle/cli/bulkhead.cjs, from tsc's output (run after tsc:
// `npm run build` does). Measured on the 2-core VM, a `bulkhead version` spends ~15 ms less CPU than loading the
// ~40 ES modules one by one, and CommonJS beats an ES-module bundle by ~5 ms more. bin/bulkhead decides when the
// bundle is used.
//
// What the bundle keeps exactly as the unbundled code has it:
// - Dynamic import() stays a real, lazy import of tsc's output (the daemon's engine and API server, the archive
//   code for `cp`), so better-sqlite3 and tar-stream are never bundled and never loaded by a plain client call.
// - import.meta.url still names each module's own file under dist/src, so paths computed from it (the CLI finding
//   bin/bulkhead to start a daemon, nativeHelper finding native/bin) resolve as before wherever the bundle sits.
import { build } from 'esbuild';
import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_SRC = join(REPO_ROOT, 'dist', 'src');
const ENTRY = join(DIST_SRC, 'cli', 'entry', 'client.js');
const OUT_DIR = join(REPO_ROOT, 'dist', 'bundle', 'cli');
const OUT_FILE = join(OUT_DIR, 'bulkhead.cjs');
const BUNDLE_URL = '__bulkheadBundleUrl';

/** A path from the bundle's folder, written the way import() and new URL() want it. */
function fromBundle(absPath) {
  const rel = relative(OUT_DIR, absPath).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

const keepTscLayout = {
  name: 'keep-tsc-layout',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.startsWith(DIST_SRC + sep)) return undefined;
      if (!args.path.startsWith('.')) {
        return { errors: [{ text: `dynamic import of "${args.path}" in ${args.importer}: only relative imports of our own modules are kept lazy` }] };
      }
      return { path: fromBundle(join(dirname(args.importer), args.path)), external: true };
    });
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(DIST_SRC + sep)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const own = `new URL(${JSON.stringify(fromBundle(args.path))}, ${BUNDLE_URL}).href`;
      const contents = source.replaceAll('import.meta.url', own);
      if (contents.includes('import.meta')) {
        return { errors: [{ text: `${args.path} uses import.meta beyond import.meta.url, which the CommonJS bundle cannot keep` }] };
      }
      return { contents, loader: 'js' };
    });
  },
};

// Written beside the final name, then renamed: bin/bulkhead never sees a half-written bundle.
const staging = join(OUT_DIR, `.bulkhead.cjs.${process.pid}.tmp`);
try {
  await build({
    entryPoints: [ENTRY],
    outfile: staging,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // better-sqlite3 is native and only the daemon needs it; nothing from node_modules but commander is expected.
    external: ['better-sqlite3'],
    banner: { js: `const ${BUNDLE_URL} = require('node:url').pathToFileURL(__filename).href;` },
    plugins: [keepTscLayout],
    logLevel: 'warning',
  });
  await rename(staging, OUT_FILE);
} catch (err) {
  await rm(staging, { force: true });
  process.stderr.write(`bundle-cli: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(1);
}
