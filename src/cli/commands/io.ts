// Commands that stream a container's stdio: logs, attach, exec.
import type { Command } from 'commander';
import { parseDuration } from '../../core/index.js';
import { FrameDecoder } from '../../api/wire.js';
import type { CliContext } from '../context.js';
import { collect, parseEnv, parseIntFlag } from '../parse.js';
import { followTerminalSize, joinStreams, terminalSize } from '../stdio.js';

const C = (ref: string) => `/bulkhead/containers/${encodeURIComponent(ref)}`;

/** --since accepts a unix time, an RFC 3339 date, or a duration back from now (10m). */
function sinceSeconds(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.floor(Number(value));
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.floor(date / 1000);
  return Math.floor((Date.now() - parseDuration(value, '--since')) / 1000);
}

export function ioCommands(program: Command, cli: CliContext): void {
  program.command('logs').description('show the output of a container')
    .option('-f, --follow', 'keep following the output')
    .option('-n, --tail <lines>', 'only the last N lines (or "all")')
    .option('--since <time>', 'only output since a time or a duration ago (10m)')
    .option('-t, --timestamps', 'show timestamps')
    .argument('<container>')
    .action(async (ref: string, f: { follow?: boolean; tail?: string; since?: string; timestamps?: boolean }) => {
      const tail = f.tail === undefined || f.tail === 'all' ? undefined : parseIntFlag(f.tail, '--tail');
      const since = f.since === undefined ? undefined : sinceSeconds(f.since);
      const client = await cli.client();
      const info = await client.call<{ Config: { tty: boolean } }>('GET', C(ref));
      const res = await client.stream('GET', `${C(ref)}/logs`, { query: { follow: f.follow ? 1 : undefined, tail, since, timestamps: f.timestamps ? 1 : undefined } });
      const decoder = new FrameDecoder();
      for await (const chunk of res) {
        if (info.Config.tty) { process.stdout.write(chunk as Buffer); continue; }
        for (const fr of decoder.push(chunk as Buffer)) (fr.stream === 2 ? process.stderr : process.stdout).write(fr.data);
      }
    });

  program.command('attach').description("attach to a running container's stdio")
    .option('--no-stdin', 'do not attach stdin')
    .argument('<container>')
    .action(async (ref: string, f: { stdin: boolean }) => {
      const client = await cli.client();
      const info = await client.call<{ Id: string; Config: { tty: boolean; openStdin: boolean } }>('GET', C(ref));
      const stdin = f.stdin && info.Config.openStdin;
      const conn = await client.upgrade(`${C(info.Id)}/attach`, { stdin: stdin ? 1 : 0 });
      const io = joinStreams(conn, { tty: info.Config.tty, stdin });
      const stop = info.Config.tty ? followTerminalSize(client, `${C(info.Id)}/resize`) : () => undefined;
      await io.done;
      stop();
      // The stream ends when the container does; its exit code is recorded a moment later, so wait for that.
      const r = await client.call<{ exitCode: number; error?: string }>('POST', `${C(info.Id)}/wait`, { query: { condition: 'not-running' } }).catch(() => undefined);
      if (r && !r.error) process.exitCode = r.exitCode;
    });

  program.command('exec').description('run a command in a running container')
    .option('-i, --interactive', 'keep stdin open')
    .option('-t, --tty', 'allocate a pseudo-terminal')
    .option('-d, --detach', 'run in the background')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable', collect, [])
    .option('-u, --user <user[:group]>', 'user to run as')
    .option('-w, --workdir <dir>', 'working directory')
    .passThroughOptions()
    .argument('<container>')
    .argument('<command...>')
    .action(async (ref: string, command: string[], f: { interactive?: boolean; tty?: boolean; detach?: boolean; env: string[]; user?: string; workdir?: string }) => {
      const client = await cli.client();
      const tty = f.tty ?? false;
      const stdin = (f.interactive ?? false) && !f.detach;
      const { id } = await client.call<{ id: string }>('POST', `${C(ref)}/exec`, {
        json: { cmd: command, env: parseEnv(f.env), user: f.user, workingDir: f.workdir, tty, stdin, consoleSize: tty ? terminalSize() : undefined },
      });
      const conn = await client.upgrade(`/bulkhead/exec/${id}/start`);
      if (f.detach) { conn.socket.resume(); return; }
      const io = joinStreams(conn, { tty, stdin });
      const stop = tty ? followTerminalSize(client, `/bulkhead/exec/${id}/resize`) : () => undefined;
      await io.done;
      stop();
      const r = await client.call<{ exitCode: number | null }>('GET', `/bulkhead/exec/${id}`);
      process.exitCode = r.exitCode ?? 126;
    });
}
