// `policy show` (the engine's security policy, rule by rule) and `policy check` (which existing containers a
// policy would refuse: the engine's own, a built-in profile, or a policy file being drafted). Check prints one
// line per violation on stdout and a count on stderr; it exits 0 whatever it finds, 1 only for bad input.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../../core/index.js';
import type { PolicyCheckReport, PolicyShow } from '../../engine/index.js';
import type { CliContext } from '../context.js';
import { printJson } from '../format.js';

export function policyCommands(program: Command, cli: CliContext): void {
  const policy = program.command('policy').description('the engine-wide security policy');

  policy.command('show').description('show the engine\'s security policy: every rule, its value and where it comes from')
    .option('--format <format>', 'table or json')
    .action(async (f: { format?: string }) => {
      const json = wantsJson(f.format);
      const shown = await (await cli.client()).call<PolicyShow>('GET', '/bulkhead/policy');
      if (json) printJson({ ...shown, text: undefined });
      else process.stdout.write(`${shown.text}\n`);
    });

  policy.command('check').description('list the existing containers a policy would refuse (the engine\'s own by default)')
    .option('--profile <name>', 'check against a built-in profile: baseline or restricted')
    .option('--file <path>', 'check against a policy file')
    .option('--format <format>', 'table or json')
    .action(async (f: { profile?: string; file?: string; format?: string }) => {
      const json = wantsJson(f.format);
      if (f.profile !== undefined && f.file !== undefined) throw new InvalidArgumentError('policy check: give --profile or --file, not both');
      const body = f.file !== undefined ? await readPolicyDocument(f.file) : f.profile !== undefined ? { profile: f.profile } : {};
      const report = await (await cli.client()).call<PolicyCheckReport>('POST', '/bulkhead/policy/check', { json: body });
      if (json) { printJson(report); return; }
      for (const v of report.violations) process.stdout.write(`${v.name}: ${v.text}\n`);
      const refused = new Set(report.violations.map((v) => v.id)).size;
      const against = report.source === 'none' ? 'no policy (the engine has none; use --profile or --file)'
        : `policy ${report.source}${report.profile ? ` (profile ${report.profile})` : ''}`;
      process.stderr.write(`${report.checked} container(s) checked against ${against}: ${refused} would be refused\n`);
    });
}

function wantsJson(format: string | undefined): boolean {
  if (format !== undefined && format !== 'table' && format !== 'json') throw new InvalidArgumentError(`unknown format "${format}": use table or json`);
  return format === 'json';
}

/** The file is read here, by the user who named it; the daemon only ever sees its document. */
async function readPolicyDocument(file: string): Promise<{ document: unknown; source: string }> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read policy ${path}: ${errnoCode(err) ?? String(err)}`);
  }
  try {
    return { document: JSON.parse(text), source: path };
  } catch (err) {
    throw new InvalidArgumentError(`policy ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
