// Bundles the CLI client into one CommonJS file, dist/bundle/cli/bulkhead.cjs, from tsc's output (run after tsc:
// `npm run build` does). Measured on the 2-core VM, a `bulkhead version` spends ~15 ms less CPU than loading the
// ~40 ES modules one by one, and CommonJS beats an ES-module bundle by ~5 ms more. bin/bulkhead decides when the
// bundle is used. A second, tiny bundle (launch.cjs, from src/cli/entry/launch.ts) is what node starts: it runs the
// client with V8's code cache (bulkhead.cjs.cache), which the last step here writes by running the client once.
//
// What the bundle keeps exactly as the unbundled code has it:
// - Dynamic import() stays a real, lazy import of tsc's output (the daemon's engine and API server, the archive
//   code for `cp`), so better-sqlite3 and tar-stream are never bundled and never loaded by a plain client call.
// - import.meta.url still names each module's own file under dist/src, so paths computed from it (the CLI finding
//   bin/bulkhead to start a daemon, nativeHelper finding native/bin) resolve as before wherever the bundle sits.
import { build } from 'esbuild';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_SRC = join(REPO_ROOT, 'dist', 'src');
const ENTRY = join(DIST_SRC, 'cli', 'entry', 'client.js');
const OUT_DIR = join(REPO_ROOT, 'dist', 'bundle', 'cli');
const OUT_FILE = join(OUT_DIR, 'bulkhead.cjs');
const LAUNCH_ENTRY = join(DIST_SRC, 'cli', 'entry', 'launch.js');
const LAUNCH_FILE = join(OUT_DIR, 'launch.cjs');
const BUNDLE_URL = '__bulkheadBundleUrl';
// The bundle's lazy imports go through this function: src/cli/entry/launch.ts runs the bundle as a vm script, where
// import() has no loader, so it provides one; loaded any other way the bundle falls back to its own import().
const LAZY_IMPORT = '__bulkheadLazyImport';

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

// Built-in modules loaded on first use rather than when the bundle starts. child_process (which loads dgram and
// more with it) is required at the top of commander and of our own modules, yet only starting a daemon, `-t`'s
// stty and commander's executable subcommands (which we do not use) call it; fs/promises and stream/promises serve
// only cp, build, load and a few others; http only uploads and attach/exec (src/cli/http-lite.ts does the rest). Loading them up front cost every call ~3 ms of CPU (of ~38, measured with
// `perf stat` on `bulkhead version`). Each becomes a module of getters that loads the real one when first read.
const LAZY_BUILTINS = ['child_process', 'fs/promises', 'stream/promises', 'http'];

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const names = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    // The getters' own require() is of the real module.
    b.onResolve({ filter: names }, (args) => (args.namespace === 'lazy-builtin'
      ? { path: args.path, external: true }
      : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const keys = Object.keys(await import(`node:${args.path}`)).filter((k) => k !== 'default');
      const contents = `let real;\nconst load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));\n`
        + `for (const key of ${JSON.stringify(keys)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });\n`;
      return { contents, loader: 'js' };
    });
  },
};

/** Sends the kept import("./…") calls (always relative: the plugin refuses others) through LAZY_IMPORT. */
function routeLazyImports(code) {
  return code.replace(/\bimport\((["'])(\.\.?\/)/g, `${LAZY_IMPORT}($1$2`);
}

/** Bundles one entry to a CommonJS file, written beside the final name and renamed: bin/bulkhead never sees half. */
async function bundle(entry, outFile) {
  const staging = join(OUT_DIR, `.${basename(outFile)}.${process.pid}.tmp`);
  try {
    await build({
      entryPoints: [entry],
      outfile: staging,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // better-sqlite3 is native and only the daemon needs it; nothing from node_modules but commander is expected.
      external: ['better-sqlite3'],
      banner: { js: `const ${BUNDLE_URL} = require('node:url').pathToFileURL(__filename).href;\n`
        + `const ${LAZY_IMPORT} = globalThis.${LAZY_IMPORT} ?? ((p) => import(p));` },
      plugins: [keepTscLayout, lazyBuiltins],
      logLevel: 'warning',
    });
    await writeFile(staging, routeLazyImports(await readFile(staging, 'utf8')));
    await rename(staging, outFile);
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
}

try {
  await rm(`${OUT_FILE}.cache`, { force: true }); // a cache of the previous bundle is useless (V8 would reject it)
  await bundle(ENTRY, OUT_FILE);
  await bundle(LAUNCH_ENTRY, LAUNCH_FILE);
  // One run of the client through the launcher writes V8's code cache for the bundle (see src/cli/entry/launch.ts).
  const made = spawnSync(process.execPath, [LAUNCH_FILE, '--help'], { env: { ...process.env, BULKHEAD_CODE_CACHE: 'write' }, stdio: 'ignore' });
  if (made.status !== 0) throw new Error(`writing the code cache: the client exited with ${made.status ?? made.signal}`);
} catch (err) {
  process.stderr.write(`bundle-cli: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(1);
}
