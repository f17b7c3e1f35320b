// `update` (change the limits of containers) and `stats` (what containers consume, docker's table).
import type { Command } from 'commander';
import { InvalidArgumentError, formatSize, shortId } from '../../core/index.js';
import type { ContainerStats } from '../../engine/index.js';
import { forEachRef } from '../batch.js';
import type { Client } from '../client.js';
import type { CliContext } from '../context.js';
import { addResourceFlags, resourcesFromFlags, type ResourceFlags } from '../flags/resources.js';
import { printJson, table } from '../format.js';
import { restartFromFlag } from './run.js';

const C = (ref: string) => `/bulkhead/containers/${encodeURIComponent(ref)}`;

export function resourceCommands(program: Command, cli: CliContext): void {
  addResourceFlags(program.command('update').description('change the resource limits (live when running) or the restart policy of containers'), 'update')
    .option('--restart <policy>', 'restart policy from the next exit on: no, on-failure[:max-retries], always, unless-stopped')
    .argument('<containers...>')
    .action(async (refs: string[], f: ResourceFlags & { restart?: string }) => {
      const resources = resourcesFromFlags(f);
      const restart = restartFromFlag(f.restart);
      if (Object.keys(resources).length === 0 && !restart) {
        throw new InvalidArgumentError('update: no limit given: pass at least one of --memory, --cpus, --pids-limit, … (or --restart)');
      }
      const client = await cli.client();
      await forEachRef(refs, async (ref) => {
        if (restart) await client.call('POST', `${C(ref)}/restart-policy`, { json: restart });
        if (Object.keys(resources).length) await client.call('POST', `${C(ref)}/update`, { json: resources });
      });
    });

  program.command('stats').description('show what running containers consume (CPU, memory, pids, block and network I/O)')
    .option('--no-stream', 'print one sample and exit')
    .option('--no-trunc', 'do not truncate ids')
    .option('--format <format>', 'table or json')
    .argument('[containers...]')
    .action(async (refs: string[], f: { stream: boolean; trunc: boolean; format?: string }) => {
      const format = f.format ?? 'table';
      if (format !== 'table' && format !== 'json') throw new InvalidArgumentError(`unknown format "${f.format}": use table or json`);
      const client = await cli.client();
      const redraw = f.stream && format === 'table' && process.stdout.isTTY;
      for (;;) {
        // Each request answers after one sampling interval (a second), which paces the stream.
        const samples = await sample(client, refs);
        if (format === 'json') {
          if (f.stream) process.stdout.write(JSON.stringify(samples) + '\n'); else printJson(samples);
        } else {
          process.stdout.write((redraw ? '\x1b[2J\x1b[H' : '') + statsTable(samples, f.trunc) + (f.stream && !redraw ? '\n' : ''));
        }
        if (!f.stream) return;
        if (refs.length > 0 && samples.length === 0) return;   // every named container has stopped
      }
    });
}

/** One sample of the named containers (all running ones when none is named); a named one that fails is an error. */
async function sample(client: Client, refs: string[]): Promise<ContainerStats[]> {
  if (refs.length === 0) return client.call<ContainerStats[]>('GET', '/bulkhead/stats');
  return Promise.all(refs.map((ref) => client.call<ContainerStats>('GET', `${C(ref)}/stats`, { query: { stream: 0 } })));
}

/** Binary units for memory, as docker prints MEM USAGE / LIMIT ("12.5MiB / 1GiB"). */
export function formatBinary(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(2).replace(/\.?0+$/, '')}${units[i]}`;
}

export function statsTable(samples: ContainerStats[], trunc = true): string {
  return table(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'], samples.map((s) => [
    trunc ? shortId(s.id) : s.id, s.name, `${s.cpuPercent.toFixed(2)}%`,
    `${formatBinary(s.memoryUsage)} / ${formatBinary(s.memoryLimit)}`, `${s.memoryPercent.toFixed(2)}%`,
    `${formatSize(s.netRx)} / ${formatSize(s.netTx)}`, `${formatSize(s.blockRead)} / ${formatSize(s.blockWrite)}`, String(s.pids),
  ]));
}
