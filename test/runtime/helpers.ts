// Small helpers shared by the runtime tests: stream collection, polling, and the bookkeeping that lets every
// test remove exactly what it created (runtime records, conmon processes, temp dirs).
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { OciRuntime } from '../../src/runtime/types.js';
import { removeDir, type TestBundle } from './fixtures/bundle.js';

export function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(Buffer.from(b)));
  return new Promise((resolve) => {
    stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Is pid a conmon process (guards against killing a reused pid)? */
async function isConmon(pid: number): Promise<boolean> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmd.split('\0')[0]?.endsWith('conmon') ?? false;
}

export class Cleanup {
  private readonly items: Array<{ id: string; bundle: TestBundle }> = [];
  private readonly dirs: string[] = [];

  constructor(private readonly runtime: () => OciRuntime) {}

  track(id: string, bundle: TestBundle): void {
    this.items.push({ id, bundle });
  }

  trackDir(dir: string): void {
    this.dirs.push(dir);
  }

  async run(): Promise<void> {
    for (const { id, bundle } of this.items.splice(0)) {
      await this.runtime().delete(id, true).catch(() => undefined);
      const conmonPid = Number(await readFile(`${bundle.paths.userdata}/conmon.pid`, 'utf8').catch(() => '0'));
      if (conmonPid > 0 && alive(conmonPid) && await isConmon(conmonPid)) process.kill(conmonPid, 'SIGKILL');
      await removeDir(bundle.dir);
    }
    for (const d of this.dirs.splice(0)) await removeDir(d);
  }
}
