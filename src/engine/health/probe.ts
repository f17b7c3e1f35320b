// One health probe: the test command runs inside the container through the runtime's exec path (as `exec` does),
// with its output captured (4 KiB kept) and the timeout enforced by killing the process, whose host pid runc
// wrote in the exec session's pidfile. A probe that cannot run at all is a failure with the reason as output.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { newId, type ContainerRecord, type HealthResult, type HealthcheckConfig } from '../../core/index.js';
import { execProcessSpec } from '../../specgen/index.js';
import { containerPaths, mountRootfs, type EngineContext } from '../context.js';
import { probeCommand } from './config.js';
import { OUTPUT_LIMIT } from './evaluate.js';

export async function runProbe(ctx: EngineContext, rec: ContainerRecord, hc: HealthcheckConfig): Promise<HealthResult> {
  const start = new Date();
  const result = (exitCode: number, output: string): HealthResult =>
    ({ start: start.toISOString(), end: new Date().toISOString(), exitCode, output: output.slice(0, OUTPUT_LIMIT) });
  const id = rec.config.id;
  const paths = containerPaths(ctx, id);
  const sessionId = newId();
  let session;
  try {
    const rootfs = await mountRootfs(ctx, rec.config);
    const process = await execProcessSpec(rec.config, { cmd: probeCommand(hc.test), env: [], tty: false }, rootfs);
    session = await ctx.runtime.exec(id, { sessionId, process, tty: false, stdin: false, paths });
  } catch (err) {
    return result(-1, err instanceof Error ? err.message : String(err));
  }
  session.stdin.end();
  const output = capture([session.stdout, session.stderr]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), hc.timeoutMs); });
  const code = await Promise.race([session.exitCode.catch(() => -1), timedOut]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await killProbe(join(paths.userdata, 'exec', sessionId, 'pidfile'));
    // The session ends once conmon sees the process die; do not wait long for it.
    await Promise.race([session.exitCode.catch(() => -1), delay(2000)]);
    session.close();
    return result(-1, `Health check exceeded timeout (${formatMs(hc.timeoutMs)})`);
  }
  await Promise.race([output.done, delay(500)]);
  session.close();
  return result(code, output.text());
}

async function killProbe(pidfile: string): Promise<void> {
  const pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(pid) && pid > 1) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Both streams into one buffer, in arrival order, keeping the first OUTPUT_LIMIT bytes. */
function capture(streams: Readable[]): { done: Promise<void>; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const done = Promise.all(streams.map((s) => new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => { if (size < OUTPUT_LIMIT) { chunks.push(d); size += d.length; } });
    s.once('end', resolve);
    s.once('close', resolve);
    s.once('error', () => resolve());
  }))).then(() => undefined);
  return { done, text: () => Buffer.concat(chunks).toString('utf8') };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
