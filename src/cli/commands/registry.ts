// Registry commands: pull, push, login, logout. Pull and push read the daemon's NDJSON progress stream and show
// it as one live line per layer on a terminal (bytes and rate), or as plain lines (one per state change) when
// the output is a file or pipe.
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { EngineError, InvalidArgumentError, formatSize, type ErrorKind } from '../../core/index.js';
import type { Client } from '../client.js';
import type { CliContext } from '../context.js';
import { ndjsonLines } from '../ndjson.js';

interface Line { id?: string; status?: string; current?: number; total?: number; error?: string; kind?: ErrorKind; digest?: string }

/** Renders progress lines; on a terminal it redraws a block of per-layer lines in place. */
class ProgressView {
  private readonly order: string[] = [];
  private readonly text = new Map<string, string>();
  private readonly started = new Map<string, number>();
  private readonly lastStatus = new Map<string, string>();
  private drawn = 0;

  constructor(private readonly out: Writable & { isTTY?: boolean }) {}

  private describe(l: Line): string {
    if (l.total === undefined || l.current === undefined) return `${l.id}: ${l.status}`;
    const t0 = this.started.get(l.id!) ?? Date.now();
    const secs = Math.max((Date.now() - t0) / 1000, 0.001);
    const rate = l.current > 0 && l.current < l.total ? `  ${formatSize(l.current / secs)}/s` : '';
    return `${l.id}: ${l.status} ${formatSize(l.current)}/${formatSize(l.total)}${rate}`;
  }

  private readonly t0 = Date.now();
  private readonly done = new Map<string, number>();   // layer → bytes, once complete
  private readonly present = new Set<string>();

  /** One line after a pull: layers downloaded, bytes, time and mean rate; layers that were already there. */
  summary(): string {
    let bytes = 0;
    for (const b of this.done.values()) bytes += b;
    const secs = Math.max((Date.now() - this.t0) / 1000, 0.001);
    const have = this.present.size ? `, ${this.present.size} already present` : '';
    return `Downloaded ${this.done.size} layer${this.done.size === 1 ? '' : 's'} (${formatSize(bytes)}) in ${secs.toFixed(1)}s` +
      `${this.done.size ? ` (${formatSize(bytes / secs)}/s)` : ''}${have}\n`;
  }

  show(l: Line): void {
    if (!l.id || !l.status) return;
    if (l.status === 'Pull complete') this.done.set(l.id, l.total ?? 0);
    if (l.status === 'Already exists') this.present.add(l.id);
    if (!this.started.has(l.id)) this.started.set(l.id, Date.now());
    if (!this.out.isTTY) {
      // plain output: one line per state change, not per chunk of bytes
      if (this.lastStatus.get(l.id) === l.status) return;
      this.lastStatus.set(l.id, l.status);
      this.out.write(`${l.id}: ${l.status}\n`);
      return;
    }
    if (!this.text.has(l.id)) this.order.push(l.id);
    this.text.set(l.id, this.describe(l));
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    this.out.write(this.order.map((id) => `\x1b[2K${this.text.get(id)}\n`).join(''));
    this.drawn = this.order.length;
  }
}

/** Streams a pull or push, showing its progress; returns the final line ({id} or {digest}). */
async function transfer(client: Client, path: string, query: Record<string, string | undefined>, out: Writable): Promise<Line> {
  const res = await client.stream('POST', path, { query });
  const view = new ProgressView(out);
  let done: Line | undefined;
  for await (const line of ndjsonLines<Line>(res, '')) {
    if (line.status === 'done') done = line;
    else view.show(line);
  }
  if (!done) throw new EngineError('Internal', 'the daemon ended the transfer without a result');
  if (done.id !== undefined) out.write(view.summary());
  return done;
}

export interface PullFlags { platform?: string; tlsVerify?: string; quiet?: boolean }

/** Pulls an image showing progress on `out`; used by `pull` and by `run`/`create` for a missing image. */
export async function pullImage(client: Client, ref: string, f: PullFlags, out: Writable): Promise<string> {
  const done = await transfer(client, '/bulkhead/images/pull', { ref, platform: f.platform, tlsVerify: tlsFlag(f.tlsVerify) }, out);
  return done.id ?? '';
}

function tlsFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new InvalidArgumentError(`--tls-verify takes true or false, not "${v}"`);
  return v;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registryCommands(program: Command, cli: CliContext): void {
  program.command('pull').description('pull an image from a registry')
    .option('--platform <os/arch[/variant]>', 'pick this platform from a multi-platform image')
    .option('--tls-verify <bool>', 'require verified TLS (false: allow plain HTTP and unverified TLS)')
    .option('-q, --quiet', 'print only the image id')
    .argument('<image>')
    .action(async (ref: string, f: PullFlags) => {
      const sink = f.quiet ? new Writable({ write: (_c, _e, cb) => cb() }) : process.stdout;
      const id = await pullImage(await cli.client(), ref, f, sink);
      process.stdout.write(`${id}\n`);
    });

  program.command('push').description('push an image to the registry its name points at')
    .option('--tls-verify <bool>', 'require verified TLS (false: allow plain HTTP and unverified TLS)')
    .argument('<image>')
    .action(async (ref: string, f: { tlsVerify?: string }) => {
      const done = await transfer(await cli.client(), '/bulkhead/images/push', { ref, tlsVerify: tlsFlag(f.tlsVerify) }, process.stdout);
      process.stdout.write(`${done.digest ?? ''}\n`);
    });

  program.command('login').description('log in to a registry (credentials kept in <root>/auth.json, mode 0600)')
    .option('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin: this one shows in ps)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--tls-verify <bool>', 'require verified TLS (false: allow plain HTTP and unverified TLS)')
    .argument('<registry>')
    .action(async (registry: string, f: { username?: string; password?: string; passwordStdin?: boolean; tlsVerify?: string }) => {
      if (f.password !== undefined && f.passwordStdin) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
      if (!f.username) throw new InvalidArgumentError('login needs a username: -u USER');
      const password = f.passwordStdin ? await readStdin() : f.password;
      if (!password) throw new InvalidArgumentError('login needs a password: --password-stdin (or -p)');
      const tls = tlsFlag(f.tlsVerify);
      const r = await (await cli.client()).call<{ status: string }>('POST', '/bulkhead/registry/login', {
        json: { registry, username: f.username, password, tlsVerify: tls === undefined ? undefined : tls === 'true' },
      });
      process.stdout.write(`${r.status}\n`);
    });

  program.command('logout').description('remove the stored credentials of a registry').argument('<registry>')
    .action(async (registry: string) => {
      const r = await (await cli.client()).call<{ status: string }>('POST', '/bulkhead/registry/logout', { json: { registry } });
      process.stdout.write(`${r.status}\n`);
    });
}
