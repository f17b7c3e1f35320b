// Volume commands: volume create|ls|inspect|rm|prune.
import type { Command } from 'commander';
import { formatSize, type VolumeRecord } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { collect, parseFilters, parseLabels } from '../parse.js';
import { printJson, table } from '../format.js';
import { forEachRef } from '../batch.js';

export function volumeCommands(program: Command, cli: CliContext): void {
  const volume = program.command('volume').description('manage volumes');
  volume.command('create').description('create a volume').option('-l, --label <KEY=VALUE>', 'set a label', collect, []).argument('[name]')
    .action(async (name: string | undefined, f: { label: string[] }) => {
      const v = await (await cli.client()).call<VolumeRecord>('POST', '/bulkhead/volumes', { json: { name, labels: parseLabels(f.label) } });
      process.stdout.write(`${v.name}\n`);
    });
  volume.command('ls').description('list volumes').option('-q, --quiet', 'only names').option('--format <format>', 'table or json')
    .action(async (f: { quiet?: boolean; format?: string }) => {
      const list = await (await cli.client()).call<VolumeRecord[]>('GET', '/bulkhead/volumes');
      if (f.format === 'json') return printJson(list);
      if (f.quiet) { process.stdout.write(list.map((v) => `${v.name}\n`).join('')); return; }
      process.stdout.write(table(['DRIVER', 'VOLUME NAME'], list.map((v) => [v.driver, v.name])));
    });
  volume.command('inspect').description('show volume records as JSON').argument('<names...>').action(async (names: string[]) => {
    const client = await cli.client();
    printJson(await Promise.all(names.map((n) => client.call('GET', `/bulkhead/volumes/${encodeURIComponent(n)}`))));
  });
  volume.command('rm').description('remove volumes').option('-f, --force', 'remove even if in use').argument('<names...>')
    .action(async (names: string[], f: { force?: boolean }) => {
      const client = await cli.client();
      await forEachRef(names, (n) => client.call('DELETE', `/bulkhead/volumes/${encodeURIComponent(n)}`, { query: { force: f.force ? 1 : undefined } }));
    });
  volume.command('prune').description('remove volumes no container uses (all, or those the filters pick)')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .action(async (f: { filter: string[] }) => {
    const r = await (await cli.client()).call<{ deleted: string[]; reclaimed: number }>('POST', '/bulkhead/volumes/prune',
      { query: { filters: JSON.stringify(parseFilters(f.filter)) } });
    process.stdout.write(r.deleted.map((d) => `${d}\n`).join('') + `Total reclaimed space: ${formatSize(r.reclaimed)}\n`);
  });
}
