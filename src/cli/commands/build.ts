// bulkhead build: tars the context here (leaving out what .dockerignore excludes, so ignored files never travel
// to the daemon), streams it to POST /bulkhead/build and prints the step lines as they come.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError, InvalidArgumentError, type ErrorKind } from '../../core/index.js';
import { packPath } from '../../archive/index.js';
import { IgnoreMatcher } from '../../build/ignore.js';
import type { CliContext } from '../context.js';
import { collect } from '../parse.js';

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
      let rest = '';
      for await (const chunk of res) {
        const lines = (rest + (chunk as Buffer).toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const e = JSON.parse(line) as { stream?: string; id?: string; error?: string; kind?: ErrorKind };
          if (e.stream !== undefined && !f.quiet) process.stdout.write(e.stream);
          if (e.id !== undefined && f.quiet) process.stdout.write(`${e.id}\n`);
          if (e.error !== undefined) throw new EngineError(e.kind ?? 'Internal', `build failed: ${e.error}`);
        }
      }
    });
}
