// Network commands: network create|ls|inspect|rm|prune|connect|disconnect, and `port CONTAINER`.
import type { Command } from 'commander';
import { InvalidArgumentError, shortId } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { collect, parseFilters, parseLabels } from '../parse.js';
import { printJson, table } from '../format.js';
import { forEachRef } from '../batch.js';

interface NetworkView {
  Id: string; Name: string; Driver: string; Internal: boolean; Default: boolean; IPAM: { Config: Array<{ Subnet: string; Gateway: string }> };
}
type PortsView = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
const N = (ref: string) => `/bulkhead/networks/${encodeURIComponent(ref)}`;

function options(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid --opt "${v}": expected KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export function networkCommands(program: Command, cli: CliContext): void {
  const network = program.command('network').description('manage networks');
  network.command('create').description('create a bridge network')
    .option('--subnet <cidr>', 'IPv4 subnet (default: a free one from the address pools)')
    .option('--gateway <ip>', 'gateway address (default: the first address of the subnet)')
    .option('--internal', 'no route out of the network')
    .option('-d, --driver <driver>', 'network driver (bridge)', 'bridge')
    .option('-l, --label <KEY=VALUE>', 'set a label', collect, [])
    .option('-o, --opt <KEY=VALUE>', 'driver option', collect, [])
    .argument('<name>')
    .action(async (name: string, f: { subnet?: string; gateway?: string; internal?: boolean; driver: string; label: string[]; opt: string[] }) => {
      if (f.driver !== 'bridge') throw new InvalidArgumentError(`unknown network driver "${f.driver}": only bridge is supported`);
      const n = await (await cli.client()).call<NetworkView>('POST', '/bulkhead/networks', { json: {
        name, subnet: f.subnet, gateway: f.gateway, internal: f.internal ?? false, labels: parseLabels(f.label), options: options(f.opt) } });
      process.stdout.write(`${n.Id}\n`);
    });
  network.command('ls').description('list networks').option('-q, --quiet', 'only ids').option('--format <format>', 'table or json')
    .action(async (f: { quiet?: boolean; format?: string }) => {
      const list = await (await cli.client()).call<NetworkView[]>('GET', '/bulkhead/networks');
      if (f.format === 'json') return printJson(list);
      if (f.quiet) { process.stdout.write(list.map((n) => `${shortId(n.Id)}\n`).join('')); return; }
      process.stdout.write(table(['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'INTERNAL'],
        list.map((n) => [shortId(n.Id), n.Name, n.Driver, n.IPAM.Config[0]?.Subnet ?? '', n.Internal ? 'true' : 'false'])));
    });
  network.command('inspect').description('show networks as JSON').argument('<networks...>').action(async (refs: string[]) => {
    const client = await cli.client();
    printJson(await Promise.all(refs.map((r) => client.call('GET', N(r)))));
  });
  network.command('rm').alias('remove').description('remove networks').argument('<networks...>').action(async (refs: string[]) => {
    const client = await cli.client();
    await forEachRef(refs, (r) => client.call('DELETE', N(r)));
  });
  network.command('prune').description('remove networks no container uses (all, or those the filters pick)')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .action(async (f: { filter: string[] }) => {
    const r = await (await cli.client()).call<{ deleted: string[] }>('POST', '/bulkhead/networks/prune',
      { query: { filters: JSON.stringify(parseFilters(f.filter)) } });
    process.stdout.write(r.deleted.length ? `Deleted Networks:\n${r.deleted.map((d) => `${d}\n`).join('')}` : '');
  });
  network.command('connect').description('connect a container to a network')
    .option('--alias <name>', 'another name of the container on this network', collect, [])
    .option('--ip <address>', 'IPv4 address on this network')
    .argument('<network>').argument('<container>')
    .action(async (net: string, container: string, f: { alias: string[]; ip?: string }) => {
      await (await cli.client()).call('POST', `${N(net)}/connect`, { json: { container, aliases: f.alias, ip: f.ip } });
    });
  network.command('disconnect').description('disconnect a container from a network').argument('<network>').argument('<container>')
    .action(async (net: string, container: string) => {
      await (await cli.client()).call('POST', `${N(net)}/disconnect`, { json: { container } });
    });

  program.command('port').description("list a container's published ports").argument('<container>').argument('[port]')
    .action(async (ref: string, only: string | undefined) => {
      const ports = await (await cli.client()).call<PortsView>('GET', `/bulkhead/containers/${encodeURIComponent(ref)}/ports`);
      const want = only && !only.includes('/') ? `${only}/tcp` : only;
      const lines: string[] = [];
      for (const [key, bindings] of Object.entries(ports)) {
        if (!bindings || (want && key !== want)) continue;
        for (const b of bindings) lines.push(want ? `${b.HostIp}:${b.HostPort}` : `${key} -> ${b.HostIp}:${b.HostPort}`);
      }
      if (want && lines.length === 0) throw new InvalidArgumentError(`no public port '${want}' published for ${ref}`);
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    });
}
