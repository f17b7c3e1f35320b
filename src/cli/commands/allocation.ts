// `alloc` (also `system resources`): the allocation map — which CPU is in which pool and runs which containers,
// and memory guaranteed, limited and free. Interference commands live beside it (interference.ts).
import type { Command } from 'commander';
import { InvalidArgumentError, formatSize } from '../../core/index.js';
import type { AllocationMap } from '../../engine/index.js';
import type { CliContext } from '../context.js';
import { printJson, table } from '../format.js';

/** What `alloc` and `system resources` do (system.ts registers the latter: the system group is its own). */
export function showAllocationMap(cli: CliContext): (f: { format?: string }) => Promise<void> {
  return async (f) => {
    const format = f.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new InvalidArgumentError(`unknown format "${f.format}": use table or json`);
    const map = await (await cli.client()).call<AllocationMap>('GET', '/bulkhead/alloc');
    if (format === 'json') printJson(map); else process.stdout.write(renderMap(map));
  };
}

export function allocationCommands(program: Command, cli: CliContext): void {
  program.command('alloc').description('show the CPU and memory allocation map').option('--format <format>', 'table or json')
    .action(showAllocationMap(cli));
}

const list = (cpus: number[]) => (cpus.length ? cpus.join(',') : '-');

export function renderMap(m: AllocationMap): string {
  const cpus = table(['CPU', 'CORE', 'SOCKET', 'NUMA', 'POOL', 'CONTAINERS'],
    m.cpus.map((c) => [String(c.cpu), String(c.core), String(c.socket), String(c.numa), c.pool, c.containers.join(',') || '-']));
  const exclusive = m.pools.exclusive.map((e) => `${e.container}=${list(e.cpus)}`).join(' ') || '-';
  const pools = `Reserved: ${list(m.pools.reserved)}   Shared: ${list(m.pools.shared)}   Exclusive: ${exclusive}\n`;
  const mem = m.memory;
  const memory = `Memory: ${formatSize(mem.total)} total, ${formatSize(mem.reserve)} reserved for the host, ` +
    `${formatSize(mem.allocatable)} allocatable, ${formatSize(mem.guaranteed)} guaranteed, ${formatSize(mem.free)} free\n`;
  const rows = m.memory.containers.map((c) => [c.container, c.guaranteed ? formatSize(c.guaranteed) : '-', c.limit ? formatSize(c.limit) : 'unlimited']);
  return cpus + '\n' + pools + memory + (rows.length ? '\n' + table(['CONTAINER', 'GUARANTEED', 'LIMIT'], rows) : '');
}
