// Container logs, read from the k8s-file log that conmon writes ("<RFC3339Nano> <stream> <P|F> <text>" per line;
// P marks a partial line continued by the next entry). conmon keeps writing it while the daemon is down, so
// logs never have gaps across daemon restarts.
import { open } from 'node:fs/promises';
import { InvalidArgumentError } from '../../core/index.js';
import { containerPaths, type EngineContext } from '../context.js';
import type { LogOptions } from '../types.js';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: string;       // RFC3339Nano as conmon wrote it
  text: string;       // one whole line, with its trailing newline when it had one
}

const POLL_MS = 150;

export async function* readLogs(ctx: EngineContext, ref: string, opts: LogOptions, signal?: AbortSignal): AsyncGenerator<LogEntry> {
  if (opts.tail !== undefined && (!Number.isInteger(opts.tail) || opts.tail < 0)) throw new InvalidArgumentError(`invalid tail value ${opts.tail}`);
  const rec = ctx.state.lookupContainer(ref);
  const id = rec.config.id;
  const wantOut = opts.stdout ?? true;
  const wantErr = opts.stderr ?? true;
  const keep = (e: LogEntry) => (e.stream === 'stdout' ? wantOut : wantErr) &&
    (opts.since === undefined || Date.parse(e.time) / 1000 >= opts.since);
  const parser = new K8sLogParser();
  const file = await open(containerPaths(ctx, id).logPath, 'r').catch(() => undefined);
  try {
    let offset = 0;
    const readNew = async (): Promise<LogEntry[]> => {
      if (!file) return [];
      const chunks: LogEntry[] = [];
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await file.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        chunks.push(...parser.push(buf.subarray(0, bytesRead)));
      }
      return chunks.filter(keep);
    };
    const running = () => ['running', 'paused'].includes(ctx.state.getContainer(id)?.state.status ?? '');
    // A line the process has not finished yet is shown as it is unless more may still complete it.
    const settled = (entries: LogEntry[], final: boolean) => {
      const tail = final ? parser.flush() : undefined;
      return tail && keep(tail) ? [...entries, tail] : entries;
    };
    let first = settled(await readNew(), !opts.follow || !running());
    if (opts.tail !== undefined) first = opts.tail === 0 ? [] : first.slice(-opts.tail);
    yield* first;
    while (opts.follow && !signal?.aborted) {
      const stillRunning = running();
      const more = settled(await readNew(), !stillRunning);
      yield* more;
      if (!stillRunning) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await file?.close();
  }
}

/** Incremental parser: bytes in, whole log lines out (joining P continuations). */
export class K8sLogParser {
  private rest = '';
  private partial: { stream: LogEntry['stream']; time: string; text: string } | undefined;

  push(chunk: Buffer): LogEntry[] {
    const text = this.rest + chunk.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    const out: LogEntry[] = [];
    for (const line of lines) {
      const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/s.exec(line);
      if (!m) continue;
      const [, time, stream, tag, body] = m as unknown as [string, string, LogEntry['stream'], string, string];
      const acc = this.partial && this.partial.stream === stream ? this.partial.text + body : body;
      if (tag === 'P') {
        this.partial = { stream, time: this.partial?.time ?? time, text: acc };
      } else {
        out.push({ stream, time: this.partial?.time ?? time, text: acc + '\n' });
        this.partial = undefined;
      }
    }
    return out;
  }

  /** The pending partial line, if any, as an entry without a newline (the output ended mid-line). */
  flush(): LogEntry | undefined {
    const p = this.partial;
    this.partial = undefined;
    return p && { stream: p.stream, time: p.time, text: p.text };
  }
}
