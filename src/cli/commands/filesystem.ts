// Commands on container filesystems: cp, diff, export, commit.
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, isNotFound } from '../../core/index.js';
import type { Client } from '../client.js';
import type { CliContext } from '../context.js';
import { printJson } from '../format.js';

const C = (ref: string) => `/bulkhead/containers/${encodeURIComponent(ref)}`;

/** "name:/path" → container side; anything else (including "./a:b") is a local path, as in docker cp. */
function splitCpArg(arg: string): { container?: string; path: string } {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*):(.*)$/.exec(arg);
  if (!m || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  return { container: m[1], path: m[2] || '/' };
}

/**
 * Docker's cp rule for the container side: into an existing directory the copy keeps its name; otherwise the
 * destination path names the copy (its parent must exist), and a directory never replaces a file.
 */
async function destinationIn(client: Client, container: string, path: string, srcIsDir: boolean): Promise<{ dir: string; name?: string }> {
  let existing = await pathStat(client, container, path);
  // A symlink to a directory counts as that directory (resolved inside the container, never on the host).
  if (existing && (existing.mode & 0o170000) === 0o120000) existing = (await pathStat(client, container, `${path}/.`)) ?? existing;
  if (existing && (existing.mode & 0o170000) === 0o040000) return { dir: path };
  if (existing && srcIsDir) throw new InvalidArgumentError(`cp: cannot overwrite non-directory ${container}:${path} with a directory`);
  if (!existing && path.endsWith('/')) throw new InvalidArgumentError(`cp: the destination directory ${container}:${path} does not exist`);
  const trimmed = path.replace(/\/+$/, '') || '/';
  return { dir: posix.dirname(trimmed), name: posix.basename(trimmed) };
}

async function pathStat(client: Client, container: string, path: string): Promise<{ mode: number } | undefined> {
  try {
    const res = await client.stream('HEAD', `${C(container)}/archive`, { query: { path } });
    res.resume();
    const header = res.headers['x-bulkhead-path-stat'];
    return typeof header === 'string' ? JSON.parse(Buffer.from(header, 'base64').toString()) as { mode: number } : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function filesystemCommands(program: Command, cli: CliContext): void {
  program.command('cp').description('copy files between a container and the host (CONTAINER:PATH)')
    .argument('<src>').argument('<dest>')
    .action(async (srcArg: string, destArg: string) => {
      const src = splitCpArg(srcArg);
      const dest = splitCpArg(destArg);
      if (Boolean(src.container) === Boolean(dest.container)) {
        throw new InvalidArgumentError('cp copies between a container and the host: exactly one side must be CONTAINER:PATH');
      }
      const client = await cli.client();
      // "-" is a tar stream, as in docker: the archive of the source on stdout, or an archive on stdin unpacked
      // into the destination directory.
      if (dest.path === '-' && src.container) {
        if (process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: redirect stdout');
        await pipeline(await client.stream('GET', `${C(src.container)}/archive`, { query: { path: src.path } }), process.stdout);
        return;
      }
      if (src.path === '-' && dest.container) {
        await client.call('PUT', `${C(dest.container)}/archive`, { query: { path: dest.path }, body: process.stdin });
        return;
      }
      const { extractTar, packPath } = await import('../../archive/index.js');
      if (src.container) {
        const res = await client.stream('GET', `${C(src.container)}/archive`, { query: { path: src.path } });
        // Into an existing directory: keep the source name; otherwise the destination names the copy.
        const target = resolve(dest.path);
        const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
        if (isDir) {
          await extractTar(res, target, { whiteouts: 'literal', preserveOwner: false });
          return;
        }
        await mkdir(dirname(target), { recursive: true });
        const staging = await mkdtemp(join(dirname(target), '.bulkhead-cp-'));
        try {
          await extractTar(res, staging, { whiteouts: 'literal', preserveOwner: false });
          const [entry] = await readdir(staging);
          if (!entry) throw new InvalidArgumentError(`cp: nothing was copied from ${srcArg}`);
          await rename(join(staging, entry), target);
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
        return;
      }
      const local = resolve(src.path);
      const srcStat = await stat(local).catch(() => { throw new InvalidArgumentError(`cp: no such file or directory: ${src.path}`); });
      const target = await destinationIn(client, dest.container!, dest.path, srcStat.isDirectory());
      await client.call('PUT', `${C(dest.container!)}/archive`, { query: { path: target.dir }, body: packPath(local, { rebaseName: target.name }) });
    });

  program.command('diff').description("show changes to a container's filesystem").argument('<container>')
    .action(async (ref: string) => {
      const changes = await (await cli.client()).call<Array<{ kind: string; path: string }>>('GET', `${C(ref)}/changes`);
      process.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    });

  program.command('export').description("export a container's filesystem as a tar archive")
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .argument('<container>')
    .action(async (ref: string, f: { output?: string }) => {
      if (!f.output && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
      const res = await (await cli.client()).stream('GET', `${C(ref)}/export`);
      await pipeline(res, f.output ? createWriteStream(f.output) : process.stdout);
    });

  program.command('commit').description("create an image from a container's changes")
    .option('-m, --message <text>', 'commit message')
    .option('-a, --author <name>', 'author')
    .option('--format <format>', 'json to print the image record')
    .argument('<container>').argument('[reference]')
    .action(async (ref: string, reference: string | undefined, f: { message?: string; author?: string; format?: string }) => {
      const r = await (await cli.client()).call<{ id: string }>('POST', `${C(ref)}/commit`, { json: { reference, comment: f.message, author: f.author } });
      if (f.format === 'json') printJson(r); else process.stdout.write(`${r.id}\n`);
    });
}
