// System commands: info, version, events, system df|prune|resources.
import type { Command } from 'commander';
import { formatSize } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { collect, parseFilters } from '../parse.js';
import { printJson, table } from '../format.js';
import { verboseDiskUsage, type DiskUsage } from './system-df.js';
import { showAllocationMap } from './allocation.js';

interface Info {
  version: string; root: string; runRoot: string; runRootFs: string; storageDriver: string;
  runtime: { name: string; path: string };
  containers: { total: number; running: number; paused: number; stopped: number };
  images: number;
  virtualization: string;
  host: {
    kernel: string; os: { prettyName: string }; arch: string; cpus: number; memTotal: number;
    cgroup: { mode: string; version: number; driver: string };
  };
}

export function systemCommands(program: Command, cli: CliContext): void {
  program.command('info').description('show engine and host information').option('--format <format>', 'json')
    .action(async (f: { format?: string }) => {
      const i = await (await cli.client()).call<Info>('GET', '/bulkhead/info');
      if (f.format === 'json') return printJson(i);
      const h = i.host;
      process.stdout.write([
        `Server Version: ${i.version}`,
        `Containers: ${i.containers.total} (running ${i.containers.running}, paused ${i.containers.paused}, stopped ${i.containers.stopped})`,
        `Images: ${i.images}`,
        `Storage Driver: ${i.storageDriver}`,
        `OCI Runtime: ${i.runtime.name} (${i.runtime.path})`,
        `Cgroup: ${h.cgroup.mode} (version ${h.cgroup.version}, driver ${h.cgroup.driver})`,
        `Kernel Version: ${h.kernel}`,
        `Operating System: ${h.os.prettyName}`,
        `Architecture: ${h.arch}`,
        `CPUs: ${h.cpus}`,
        `Total Memory: ${formatSize(h.memTotal)}`,
        `Virtualization: ${i.virtualization}`,
        `Root Dir: ${i.root}`,
        `Run Root: ${i.runRoot} (${i.runRootFs})`,
        '',
      ].join('\n'));
    });

  program.command('version').description('show client and engine versions').action(async () => {
    const v = await (await cli.client()).call<{ version: string; apiVersion: string; node: string; runtime: string }>('GET', '/bulkhead/version');
    process.stdout.write(`Client: bulkhead ${v.version} (node ${process.version})\nEngine: bulkhead ${v.version} (api ${v.apiVersion}, node ${v.node}, runtime ${v.runtime})\n`);
  });

  program.command('events').description('stream engine events')
    .option('--since <unix-seconds>', 'replay events since this time')
    .option('--until <unix-seconds>', 'stop at this time')
    .option('-f, --filter <KEY=VALUE>', 'filter: type, event, container', collect, [])
    .option('--format <format>', 'json for one JSON object per line')
    .action(async (f: { since?: string; until?: string; filter: string[]; format?: string }) => {
      const filters = parseFilters(f.filter);
      const res = await (await cli.client()).stream('GET', '/bulkhead/events', { query: { since: f.since, until: f.until } });
      let rest = '';
      for await (const chunk of res) {
        const lines = (rest + (chunk as Buffer).toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const e = JSON.parse(line) as { type: string; action: string; id: string; time: number; attributes: Record<string, string> };
          const ok = (k: string, v: string) => !filters[k] || filters[k]!.includes(v);
          if (!ok('type', e.type) || !ok('event', e.action) || !(ok('container', e.id) || ok('container', e.attributes.name ?? ''))) continue;
          if (f.format === 'json') { process.stdout.write(line + '\n'); continue; }
          const attrs = Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`).join(', ');
          process.stdout.write(`${new Date(e.time * 1000).toISOString()} ${e.type} ${e.action} ${e.id}${attrs ? ` (${attrs})` : ''}\n`);
        }
      }
    });

  const system = program.command('system').description('engine-wide commands');
  system.command('df').description('show disk usage').option('--format <format>', 'json').option('-v, --verbose', 'per image, container and volume')
    .action(async (f: { format?: string; verbose?: boolean }) => {
    const d = await (await cli.client()).call<DiskUsage>('GET', '/bulkhead/system/df');
    if (f.format === 'json') return printJson(d);
    if (f.verbose) return void process.stdout.write(verboseDiskUsage(d));
    const sum = (xs: Array<{ size: number }>) => formatSize(xs.reduce((a, x) => a + x.size, 0));
    process.stdout.write(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE'], [
      ['Images', String(d.images.length), String(d.images.filter((i) => i.containers > 0).length), sum(d.images)],
      ['Containers', String(d.containers.length), String(d.containers.filter((c) => c.status === 'running').length), sum(d.containers)],
      ['Local Volumes', String(d.volumes.length), String(d.volumes.filter((v) => v.inUse).length), sum(d.volumes)],
      ['Build Cache', String(d.buildCache?.entries ?? 0), '0', formatSize(d.buildCache?.size ?? 0)],
    ]));
  });
  system.command('prune').description('remove stopped containers, unused networks and dangling images')
    .option('-a, --all', 'also remove unused images, not just dangling ones')
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .option('--volumes', 'also remove unused volumes')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .action(async (f: { all?: boolean; volumes?: boolean; filter: string[] }) => {
      const r = await (await cli.client()).call<{ containersDeleted: string[]; imagesDeleted: string[]; volumesDeleted: string[];
        networksDeleted?: string[]; buildCacheDeleted?: string[]; spaceReclaimed: number }>(
        'POST', '/bulkhead/system/prune', { query: { all: f.all ? 1 : undefined, volumes: f.volumes ? 1 : undefined,
          filters: JSON.stringify(parseFilters(f.filter)) } });
      process.stdout.write(`Deleted containers: ${r.containersDeleted.length}\nDeleted images: ${r.imagesDeleted.length}\n` +
        `Deleted volumes: ${r.volumesDeleted.length}\nDeleted build cache entries: ${r.buildCacheDeleted?.length ?? 0}\n` +
        `Deleted networks: ${r.networksDeleted?.length ?? 0}` +
        `${r.networksDeleted?.length ? ` (${r.networksDeleted.join(', ')})` : ''}\nTotal reclaimed space: ${formatSize(r.spaceReclaimed)}\n`);
    });
  system.command('resources').description('show the CPU and memory allocation map (same as alloc)')
    .option('--format <format>', 'table or json').action(showAllocationMap(cli));
}
