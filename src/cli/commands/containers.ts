// Container management commands: ps, inspect, stop, replace, kill, restart, rm, pause, unpause, rename, wait, top, prune.
import type { Command } from 'commander';
import { InvalidArgumentError, shortId, type ContainerRecord } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { collect, parseFilters, parseIntFlag } from '../parse.js';
import { printJson, since, table } from '../format.js';
import { forEachRef } from '../batch.js';

type PortBindings = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
type ContainerView = { Id: string; Name: string; Image: string; Command: string; Created: string; Status: string;
  NetworkSettings?: { Ports?: PortBindings } } & ContainerRecord;

/** docker ps's PORTS: "127.0.0.1:8080->80/tcp" for each binding, "80/tcp" for an exposed port with none. */
export function formatPorts(ports: PortBindings | undefined): string {
  const out: string[] = [];
  for (const [port, bindings] of Object.entries(ports ?? {})) {
    if (!bindings || bindings.length === 0) { out.push(port); continue; }
    for (const b of bindings) out.push(`${b.HostIp}:${b.HostPort}->${port}`);
  }
  return out.join(', ');
}
const C = (ref: string) => `/bulkhead/containers/${encodeURIComponent(ref)}`;

export function containerCommands(program: Command, cli: CliContext): void {
  program.command('ps').description('list containers')
    .option('-a, --all', 'show all containers (default shows running)')
    .option('-q, --quiet', 'only ids')
    .option('--no-trunc', 'do not truncate ids')
    .option('-f, --filter <KEY=VALUE>', 'filter: name, id, status, label, ancestor, exited, stale=DURATION (running, no CPU run or log output for that long)', collect, [])
    .option('--format <format>', 'table or json')
    .action(async (f: { all?: boolean; quiet?: boolean; trunc: boolean; filter: string[]; format?: string }) => {
      const filters = parseFilters(f.filter);
      const client = await cli.client();
      const list = await client.call<ContainerView[]>('GET', '/bulkhead/containers', { query: { all: f.all ? 1 : undefined, filters: JSON.stringify(filters) } });
      if (f.format === 'json') return printJson(list);
      if (f.format && f.format !== 'table') throw new InvalidArgumentError(`unknown format "${f.format}": use table or json`);
      const id = (c: ContainerView) => (f.trunc ? shortId(c.Id) : c.Id);
      if (f.quiet) { process.stdout.write(list.map((c) => `${id(c)}\n`).join('')); return; }
      process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
        list.map((c) => [id(c), c.Image, JSON.stringify(truncate(c.Command, 20)), since(c.Created), c.Status,
          formatPorts(c.NetworkSettings?.Ports), c.Name])));
    });

  program.command('inspect').description('show the full record of containers (or images) as JSON')
    .option('--type <type>', 'container or image')
    .option('-f, --format <field>', 'print one field, e.g. State.Status or {{.State.Pid}}')
    .argument('<refs...>')
    .action(async (refs: string[], f: { type?: string; format?: string }) => {
      const client = await cli.client();
      const out: unknown[] = [];
      for (const ref of refs) {
        if (f.type !== 'image') {
          try { out.push(await client.call('GET', C(ref))); continue; } catch (err) { if (f.type === 'container') throw err; }
        }
        out.push(await client.call('GET', '/bulkhead/images/inspect', { query: { ref } }));
      }
      if (f.format) {
        for (const o of out) process.stdout.write(`${formatField(o, f.format)}\n`);
        return;
      }
      printJson(out);
    });

  program.command('stop').description('stop containers (SIGTERM, then SIGKILL after the timeout)')
    .option('-t, --time <seconds>', 'seconds to wait before killing')
    .argument('<containers...>')
    .action(async (refs: string[], f: { time?: string }) => {
      const client = await cli.client();
      const t = f.time === undefined ? undefined : parseIntFlag(f.time, '--time');
      await forEachRef(refs, (ref) => client.call('POST', `${C(ref)}/stop`, { query: { t } }));
    });

  program.command('restart').description('restart containers')
    .option('-t, --time <seconds>', 'seconds to wait before killing')
    .argument('<containers...>')
    .action(async (refs: string[], f: { time?: string }) => {
      const client = await cli.client();
      const t = f.time === undefined ? undefined : parseIntFlag(f.time, '--time');
      await forEachRef(refs, (ref) => client.call('POST', `${C(ref)}/restart`, { query: { t } }));
    });

  program.command('replace')
    .description('re-create a container from its image, re-verified layer by layer, with the same configuration, name, networks and volumes')
    .option('-t, --time <seconds>', 'seconds to wait for the old container to stop before killing it (default: its stop timeout)')
    .argument('<container>')
    .action(async (ref: string, f: { time?: string }) => {
      const t = f.time === undefined ? undefined : parseIntFlag(f.time, '--time');
      const r = await (await cli.client()).call<{ id: string }>('POST', `${C(ref)}/replace`, { query: { t } });
      process.stdout.write(`${r.id}\n`);
    });

  program.command('kill').description('send a signal to containers')
    .option('-s, --signal <signal>', 'signal to send', 'SIGKILL')
    .argument('<containers...>')
    .action(async (refs: string[], f: { signal: string }) => {
      const client = await cli.client();
      await forEachRef(refs, (ref) => client.call('POST', `${C(ref)}/kill`, { query: { signal: f.signal } }));
    });

  program.command('rm').description('remove containers')
    .option('-f, --force', 'kill a running container first')
    .option('-v, --volumes', 'remove its anonymous volumes too')
    .argument('<containers...>')
    .action(async (refs: string[], f: { force?: boolean; volumes?: boolean }) => {
      const client = await cli.client();
      await forEachRef(refs, (ref) => client.call('DELETE', C(ref), { query: { force: f.force ? 1 : undefined, volumes: f.volumes ? 1 : undefined } }));
    });

  for (const verb of ['pause', 'unpause'] as const) {
    program.command(verb).description(`${verb} all processes of containers`).argument('<containers...>')
      .action(async (refs: string[]) => {
        const client = await cli.client();
        await forEachRef(refs, (ref) => client.call('POST', `${C(ref)}/${verb}`));
      });
  }

  program.command('rename').description('rename a container').argument('<container>').argument('<new-name>')
    .action(async (ref: string, name: string) => {
      await (await cli.client()).call('POST', `${C(ref)}/rename`, { query: { name } });
    });

  program.command('wait').description('wait for containers to stop and print their exit codes').argument('<containers...>')
    .action(async (refs: string[]) => {
      const client = await cli.client();
      await forEachRef(refs, async (ref) => {
        const r = await client.call<{ exitCode: number; error?: string }>('POST', `${C(ref)}/wait`);
        if (r.error) throw new Error(r.error);
        process.stdout.write(`${r.exitCode}\n`);
      }, false);
    });

  program.command('top').description('show the processes of a container').argument('<container>')
    .action(async (ref: string) => {
      const r = await (await cli.client()).call<{ Titles: string[]; Processes: string[][] }>('GET', `${C(ref)}/top`);
      process.stdout.write(table(r.Titles, r.Processes));
    });

  program.command('container').description('container commands (prune)')
    .command('prune').description('remove stopped containers (all, or those the filters pick)')
    .option('--filter <KEY=VALUE>', 'filter: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable)', collect, [])
    .option('-f, --force', 'accepted for docker compatibility (bulkhead does not ask for confirmation)')
    .action(async (f: { filter: string[] }) => {
      const r = await (await cli.client()).call<{ deleted: string[]; reclaimed: number }>('POST', '/bulkhead/containers/prune',
        { query: { filters: JSON.stringify(parseFilters(f.filter)) } });
      process.stdout.write(r.deleted.map((id) => `${id}\n`).join('') + `Total reclaimed space: ${r.reclaimed}B\n`);
    });
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Resolves "State.Status", ".State.Status" or "{{.State.Status}}" against a record. */
export function formatField(obj: unknown, format: string): string {
  const inner = format.replace(/^\{\{\s*|\s*\}\}$/g, '');
  // {{json .Field}} prints the field as JSON, as docker's template function does.
  const asJson = /^json\s+/.test(inner);
  const path = inner.replace(/^json\s+/, '').replace(/^\./, '');
  let v: unknown = obj;
  for (const key of path.split('.').filter(Boolean)) {
    if (!v || typeof v !== 'object') { v = undefined; break; }
    // docker's templates say State.Status; our records say state.status: match names regardless of case.
    const rec = v as Record<string, unknown>;
    const match = key in rec ? key : Object.keys(rec).find((k) => k.toLowerCase() === key.toLowerCase());
    v = match === undefined ? undefined : rec[match];
  }
  if (v === undefined) return '<no value>';
  return asJson || typeof v === 'object' ? JSON.stringify(v) : String(v);
}
