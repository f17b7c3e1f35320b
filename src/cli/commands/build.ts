// bulkhead build: tars the context here (leaving out what .dockerignore excludes, so ignored files never travel
// to the daemon), streams it to POST /bulkhead/build and prints the step lines as they come.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { InvalidArgumentError, formatSize } from '../../core/index.js';
import { packPath } from '../../archive/index.js';
import { IgnoreMatcher } from '../../build/ignore.js';
import type { CliContext } from '../context.js';
import { ndjsonLines } from '../ndjson.js';
import { collect, parseFilters } from '../parse.js';

const ALWAYS_SENT = new Set(['.dockerignore', 'Containerfile', 'Dockerfile']);

/** The context tar without the entries .dockerignore excludes (the Containerfile and .dockerignore always go). */
function contextTar(dir: string, file: string | undefined): Readable {
  const ignoreFile = join(dir, '.dockerignore');
  const ignore = new IgnoreMatcher(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  const packed = packPath(dir, { rebaseName: '.' });
  if (ignore.empty) return packed;
  const keep = new Set([...ALWAYS_SENT, ...(file ? [file] : [])]);
  const out = tar.pack();
  const extract = tar.extract();
  void (async () => {
    packed.pipe(extract);
    for await (const item of extract) {
      const name = item.header.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
      if (ignore.ignored(name) && !keep.has(name)) { item.resume(); continue; }
      const chunks: Buffer[] = [];
      for await (const c of item) chunks.push(c as Buffer);
      await new Promise<void>((res, rej) => out.entry(item.header, Buffer.concat(chunks), (e) => (e ? rej(e) : res())));
    }
    out.finalize();
  })().catch((err) => out.destroy(err as Error));
  return Readable.from(out, { objectMode: false });
}

export function buildCommands(program: Command, cli: CliContext): void {
  program.command('build').description('build an image from a Containerfile')
    .option('-t, --tag <name[:tag]>', 'name the image (repeatable)', collect, [])
    .option('-f, --file <path>', 'Containerfile (default CONTEXT/Containerfile, then CONTEXT/Dockerfile)')
    .option('--build-arg <KEY=VALUE>', 'set a build argument (repeatable)', collect, [])
    .option('--label <KEY=VALUE>', 'add a label to the image (repeatable)', collect, [])
    .option('--target <stage>', 'stop after this stage')
    .option('--no-cache', 'run every step, ignoring the cache')
    .option('-q, --quiet', 'print only the image id')
    .argument('<context>')
    .action(async (context: string, f: { tag: string[]; file?: string; buildArg: string[]; label: string[]; target?: string; cache: boolean; quiet?: boolean }) => {
      const dir = resolve(context);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InvalidArgumentError(`build context "${context}" is not a directory`);
      let file: string | undefined;
      if (f.file !== undefined) {
        file = relative(dir, resolve(f.file));
        if (file.startsWith('..') || file.startsWith(sep)) throw new InvalidArgumentError(`the Containerfile "${f.file}" must be inside the build context`);
        file = file.split(sep).join('/');
      }
      for (const a of [...f.buildArg, ...f.label]) if (a.indexOf('=') <= 0) throw new InvalidArgumentError(`invalid "${a}": expected KEY=VALUE`);
      const res = await (await cli.client()).stream('POST', '/bulkhead/build', {
        body: contextTar(dir, file),
        query: { t: f.tag, f: file, target: f.target, buildarg: f.buildArg, label: f.label, nocache: f.cache ? undefined : 1 },
      });
      for await (const e of ndjsonLines<{ stream?: string; id?: string }>(res, 'build failed')) {
        if (e.stream !== undefined && !f.quiet) process.stdout.write(e.stream);
        if (e.id !== undefined && f.quiet) process.stdout.write(`${e.id}\n`);
      }
    });

  // The build cache is the step images its index points at; pruning forgets entries and removes unused untagged steps.
  program.command('builder').description('build cache commands (prune)')
    .command('prune').description('remove the build cache (all, or the entries the filters pick)')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .action(async (f: { filter: string[] }) => {
      const r = await (await cli.client()).call<{ deleted: string[]; reclaimed: number }>('POST', '/bulkhead/build/prune',
        { query: { filters: JSON.stringify(parseFilters(f.filter)) } });
      process.stdout.write(r.deleted.map((id) => `Deleted build cache: ${id}\n`).join('') + `Total reclaimed space: ${formatSize(r.reclaimed)}\n`);
    });
}
