// Image commands: images, image ls|inspect|rm|verify|repair|prune|bootstrap, tag, rmi, import, save, load.
import type { Command } from 'commander';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { EngineError, InvalidArgumentError, formatSize, shortId } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { ndjsonLines } from '../ndjson.js';
import { printJson, since, table } from '../format.js';
import { forEachRef } from '../batch.js';
import { collect, parseFilters } from '../parse.js';

interface ImageView { Id: string; Names: string[]; Created: string; Size: number }

/** docker.io/library/busybox:latest → busybox:latest, as users expect to read it. */
function shortName(name: string): string {
  return name.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

function splitRepoTag(name: string): [string, string] {
  const at = name.indexOf('@');
  if (at !== -1) return [shortName(name.slice(0, at)), name.slice(at + 1)];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [shortName(name.slice(0, colon)), name.slice(colon + 1)] : [shortName(name), '<none>'];
}

export function imageCommands(program: Command, cli: CliContext): void {
  const list = async (f: { quiet?: boolean; format?: string }) => {
    const images = await (await cli.client()).call<ImageView[]>('GET', '/bulkhead/images');
    if (f.format === 'json') return printJson(images);
    if (f.quiet) { process.stdout.write(images.map((i) => `${shortId(i.Id)}\n`).join('')); return; }
    const rows = images.flatMap((i) => (i.Names.length ? i.Names : ['<none>:<none>']).map((n) => {
      const [repo, tag] = n === '<none>:<none>' ? ['<none>', '<none>'] : splitRepoTag(n);
      return [repo, tag, shortId(i.Id), since(i.Created), formatSize(i.Size)];
    }));
    process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  };
  const remove = async (refs: string[], f: { force?: boolean }) => {
    const client = await cli.client();
    await forEachRef(refs, async (ref) => {
      const lines = await client.call<string[]>('DELETE', '/bulkhead/images', { query: { ref, force: f.force ? 1 : undefined } });
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    }, false);
  };

  program.command('images').description('list images').option('-q, --quiet', 'only ids').option('--format <format>', 'table or json').action(list);
  program.command('rmi').description('remove images').option('-f, --force', 'remove even if containers use it').argument('<images...>').action(remove);
  program.command('tag').description('give an image another name').argument('<source>').argument('<target>')
    .action(async (source: string, target: string) => { await (await cli.client()).call('POST', '/bulkhead/images/tag', { query: { source, target } }); });

  const image = program.command('image').description('manage images');
  image.command('ls').description('list images').option('-q, --quiet', 'only ids').option('--format <format>', 'table or json').action(list);
  image.command('rm').description('remove images').option('-f, --force', 'remove even if containers use it').argument('<images...>').action(remove);
  image.command('inspect').description('show image records as JSON').argument('<images...>').action(async (refs: string[]) => {
    const client = await cli.client();
    printJson(await Promise.all(refs.map((ref) => client.call('GET', '/bulkhead/images/inspect', { query: { ref } }))));
  });
  image.command('verify').description('check images against their digests, down to every file of the unpacked layers')
    .argument('<images...>')
    .action(async (refs: string[]) => {
      const client = await cli.client();
      await forEachRef(refs, async (ref) => {
        const r = await client.call<{ id: string; layers: unknown[] }>('POST', '/bulkhead/images/verify', { query: { ref } });
        process.stdout.write(`${ref}: ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} verified (${shortId(r.id)})\n`);
      }, false);
    });
  image.command('repair').description('unpack again, from their verified blobs, the layers of an image that were changed on disk')
    .argument('<images...>')
    .action(async (refs: string[]) => {
      const client = await cli.client();
      await forEachRef(refs, async (ref) => {
        const r = await client.call<{ id: string; layers: Array<{ diffId: string; status: string; found?: string }> }>('POST', '/bulkhead/images/repair', { query: { ref } });
        const repaired = r.layers.filter((l) => l.status === 'repaired');
        for (const l of repaired) process.stdout.write(`${ref}: repaired layer ${l.diffId} (${l.found ?? 'changed'})\n`);
        if (repaired.length === 0) process.stdout.write(`${ref}: ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} intact, nothing to repair\n`);
      }, false);
    });
  image.command('prune').description('remove dangling images (all unused with -a)').option('-a, --all', 'all unused images')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .action(async (f: { all?: boolean; filter: string[] }) => {
      const r = await (await cli.client()).call<{ deleted: string[]; reclaimed: number }>('POST', '/bulkhead/images/prune',
        { query: { all: f.all ? 1 : undefined, filters: JSON.stringify(parseFilters(f.filter)) } });
      process.stdout.write(r.deleted.map((d) => `Deleted: ${d}\n`).join('') + `Total reclaimed space: ${formatSize(r.reclaimed)}\n`);
    });
  image.command('bootstrap').description("make a base image with no registry: busybox (from the host's busybox-static) or debian:<suite> (debootstrap)")
    .option('-t, --tag <name[:tag]>', 'name the image this instead (debian)')
    .argument('<name>')
    .action(async (name: string, f: { tag?: string }) => {
      if (name === 'debian' || name.startsWith('debian:')) return bootstrapDebian(cli, name, f.tag);
      if (name !== 'busybox' && !name.startsWith('busybox:')) throw new InvalidArgumentError(`bootstrap knows "busybox" (from the host's busybox-static) and "debian:<suite>" (debootstrap), not "${name}"`);
      const r = await (await cli.client()).call<{ id: string; names: string[] }>('POST', '/bulkhead/images/bootstrap', { json: { reference: name.includes(':') ? name : `${name}:latest` } });
      process.stdout.write(`${r.id}\n`);
    });

  program.command('import').description('make an image from a root filesystem tarball (- for stdin)')
    .option('-m, --message <text>', 'commit message').argument('<file>').argument('[reference]')
    .action(async (file: string, reference: string | undefined, f: { message?: string }) => {
      const body = file === '-' ? process.stdin : createReadStream(file);
      const r = await (await cli.client()).call<{ id: string }>('POST', '/bulkhead/images/import', { query: { reference, message: f.message }, body });
      process.stdout.write(`${r.id}\n`);
    });

  program.command('save').description('write images to a tar archive')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--format <format>', 'docker-archive (default) or oci-archive', 'docker-archive')
    .argument('<images...>')
    .action(async (refs: string[], f: { output?: string; format: string }) => {
      if (!f.output && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
      const res = await (await cli.client()).stream('GET', '/bulkhead/images/save', { query: { ref: refs, format: f.format } });
      await pipeline(res, f.output ? createWriteStream(f.output) : process.stdout);
    });

  program.command('load').description('load images from a tar archive (docker-archive or OCI layout)')
    .option('-i, --input <file>', 'read from a file instead of stdin')
    .action(async (f: { input?: string }) => {
      const body = f.input ? createReadStream(f.input) : process.stdin;
      const images = await (await cli.client()).call<Array<{ id: string; names: string[] }>>('POST', '/bulkhead/images/load', { body });
      for (const i of images) process.stdout.write(i.names.length ? i.names.map((n) => `Loaded image: ${shortName(n)}\n`).join('') : `Loaded image ID: ${i.id}\n`);
    });
}

/** debootstrap in the daemon, its output shown as it comes; Ctrl-C here closes the stream and the daemon cleans up. */
async function bootstrapDebian(cli: CliContext, reference: string, tag: string | undefined): Promise<void> {
  if (!reference.includes(':')) throw new InvalidArgumentError('name the Debian suite: debian:bookworm (or another suite)');
  const res = await (await cli.client()).stream('POST', '/bulkhead/images/bootstrap/debian', { json: { reference, name: tag } });
  let id: string | undefined;
  for await (const e of ndjsonLines<{ stream?: string; id?: string }>(res, `bootstrap ${reference}`)) {
    if (e.stream !== undefined) process.stderr.write(e.stream);
    if (e.id !== undefined) id = e.id;
  }
  if (id === undefined) throw new EngineError('Internal', 'the daemon ended the bootstrap without a result');
  process.stdout.write(`${id}\n`);
}
