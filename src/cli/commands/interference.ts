// `interference [CONTAINER…]` (the static graph of who can slow down whom, through which shared resource) and
// `interference measure` (victim and aggressor probes run as containers, slowdowns with confidence intervals).
import type { Command } from 'commander';
import { EngineError, InvalidArgumentError } from '../../core/index.js';
import { renderDot, renderTable, type InterferenceReport } from '../../analysis/index.js';
import { renderMeasurement, type MeasureOptions, type MeasurementReport } from '../../analysis/measure/index.js';
import type { CliContext } from '../context.js';
import { collect } from '../parse.js';
import { ndjsonLines } from '../ndjson.js';
import { printJson } from '../format.js';

interface MeasureFlags { quick?: boolean; reps?: string; duration?: string; intensity?: string; seed?: string; path: string[]; format?: string }

export function interferenceCommands(program: Command, cli: CliContext): void {
  const cmd = program.command('interference').description('show which running containers can slow down which, through what they share')
    .argument('[containers...]', 'only paths touching these containers')
    .option('--format <format>', 'table, json or dot')
    .option('--top <n>', 'paths kept per resource in the representative subset')
    .action(async (refs: string[], f: { format?: string; top?: string }) => {
      const format = pickFormat(f.format, ['table', 'json', 'dot']);
      const query: Record<string, string | string[]> = { container: refs };
      if (f.top !== undefined) query.top = String(wholeNumber(f.top, '--top'));
      const report = await (await cli.client()).call<InterferenceReport>('GET', '/bulkhead/interference', { query });
      if (format === 'json') printJson(report);
      else process.stdout.write(format === 'dot' ? renderDot(report) : renderTable(report));
    });
  cmd.command('measure').description('measure interference with probe containers (victim vs aggressor, idle baseline in every block)')
    .option('--quick', 'the short set of paths and runs (under 2 minutes on 2 CPUs)')
    .option('--reps <n>', 'repetitions per path (at least 5)')
    .option('--duration <ms>', 'length of each probe run in milliseconds')
    .option('--intensity <percent>', "the aggressor's duty cycle, 1-100")
    .option('--seed <n>', 'seed of the randomised order and of the bootstrap')
    .option('--path <resource/placement>', 'a path to run, e.g. cpu/same-cpu (repeatable)', collect, [])
    .option('--format <format>', 'table or json')
    .action(async (f: MeasureFlags) => {
      const format = pickFormat(f.format, ['table', 'json']);
      const body: Partial<MeasureOptions> = { quick: f.quick ?? false };
      if (f.reps !== undefined) body.reps = wholeNumber(f.reps, '--reps');
      if (f.duration !== undefined) body.durationMs = wholeNumber(f.duration, '--duration');
      if (f.intensity !== undefined) body.intensity = wholeNumber(f.intensity, '--intensity');
      if (f.seed !== undefined) body.seed = wholeNumber(f.seed, '--seed');
      if (f.path.length) body.paths = f.path;
      const report = await measure(cli, body);
      if (format === 'json') printJson(report); else process.stdout.write(renderMeasurement(report));
    });
}

async function measure(cli: CliContext, body: Partial<MeasureOptions>): Promise<MeasurementReport> {
  const res = await (await cli.client()).stream('POST', '/bulkhead/interference/measure', { json: body });
  for await (const e of ndjsonLines<{ progress?: string; report?: MeasurementReport }>(res, 'interference measure')) {
    if (e.progress !== undefined) process.stderr.write(`${e.progress}\n`);
    if (e.report) return e.report;
  }
  throw new EngineError('Internal', 'the daemon ended the measurement without a report');
}

function pickFormat(given: string | undefined, allowed: string[]): string {
  const format = given ?? allowed[0]!;
  if (!allowed.includes(format)) throw new InvalidArgumentError(`unknown format "${format}": use ${allowed.join(', ')}`);
  return format;
}

function wholeNumber(v: string, flag: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected a whole number`);
  return Number(v);
}
