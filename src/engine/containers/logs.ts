// Container logs, read from the k8s-file log that conmon writes ("<RFC3339Nano> <stream> <P|F> <text>" per line;
// P marks a partial line continued by the next entry). conmon keeps writing it while the daemon is down, so
// logs never have gaps across daemon restarts. A log with max-size is a chain of files (engine/logs/chain.ts):
// they are read oldest first, and a follower that sees conmon replace the log finishes the file it was reading,
// then goes on with the files that came after it.
import { closeSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { InvalidArgumentError } from '../../core/index.js';
import { containerPaths, type EngineContext } from '../context.js';
import { currentLogInode, openLogChain, type OpenLogFile } from '../logs/index.js';
import type { LogOptions } from '../types.js';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: string;       // RFC3339Nano as conmon wrote it
  text: string;       // one whole line, with its trailing newline when it had one
}

const POLL_MS = 150;
const readAt = promisify(read);

export async function* readLogs(ctx: EngineContext, ref: string, opts: LogOptions, signal?: AbortSignal): AsyncGenerator<LogEntry> {
  if (opts.tail !== undefined && (!Number.isInteger(opts.tail) || opts.tail < 0)) throw new InvalidArgumentError(`invalid tail value ${opts.tail}`);
  const rec = ctx.state.lookupContainer(ref);
  const id = rec.config.id;
  const wantOut = opts.stdout ?? true;
  const wantErr = opts.stderr ?? true;
  const keep = (e: LogEntry) => (e.stream === 'stdout' ? wantOut : wantErr) &&
    (opts.since === undefined || Date.parse(e.time) / 1000 >= opts.since);
  const reader = new ChainReader(containerPaths(ctx, id).logPath);
  try {
    const running = () => ['running', 'paused'].includes(ctx.state.getContainer(id)?.state.status ?? '');
    // A line the process has not finished yet is shown as it is unless more may still complete it.
    const settled = (entries: LogEntry[], final: boolean) => {
      const tail = final ? reader.parser.flush() : undefined;
      return (tail ? [...entries, tail] : entries).filter(keep);
    };
    let first = settled(await reader.readNew(), !opts.follow || !running());
    if (opts.tail !== undefined) first = opts.tail === 0 ? [] : first.slice(-opts.tail);
    yield* first;
    while (opts.follow && !signal?.aborted) {
      const stillRunning = running();
      const more = settled(await reader.readNew(), !stillRunning);
      yield* more;
      if (!stillRunning) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    reader.close();
  }
}

/** Reads a log's chain of files in order, and the file conmon writes as it grows, across its replacements. */
class ChainReader {
  readonly parser = new K8sLogParser();
  private pending: OpenLogFile[];   // files not read to their end yet, oldest first; the last is the live one
  private offset = 0;               // in pending[0]

  constructor(private readonly log: string) {
    this.pending = openLogChain(log);
  }

  /** Everything written since the last call, in order. */
  async readNew(): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for (;;) {
      const file = this.pending[0];
      if (!file) {
        this.pending = openLogChain(this.log); // no log when we began: maybe there is one now
        if (!this.pending[0]) return out;
        continue;
      }
      // Checked before reading: conmon writes nothing more to a file it has replaced, so once the name has moved on,
      // reading this file to its end reads all of it.
      const replaced = this.pending.length === 1 && currentLogInode(this.log) !== file.ino;
      await this.readToEnd(file, out);
      if (this.pending.length === 1 && !replaced) return out;
      if (replaced) this.pending.push(...this.successorsOf(file));
      closeSync(this.pending.shift()!.fd);
      this.offset = 0;
      this.parser.endOfFile();
      if (this.pending.length === 0) return out;
    }
  }

  /** The files that came after `file`: all of the chain when `file` has already been dropped from it. */
  private successorsOf(file: OpenLogFile): OpenLogFile[] {
    const chain = openLogChain(this.log);
    const at = chain.findIndex((f) => f.ino === file.ino);
    for (const f of chain.slice(0, at + 1)) closeSync(f.fd);
    return chain.slice(at + 1);
  }

  /** Appends the file's entries to `into` one by one: a spread of a whole file's entries overflows the stack. */
  private async readToEnd(file: OpenLogFile, into: LogEntry[]): Promise<void> {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await readAt(file.fd, buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      for (const entry of this.parser.push(buf.subarray(0, bytesRead))) into.push(entry);
    }
  }

  close(): void {
    for (const f of this.pending) closeSync(f.fd);
    this.pending = [];
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

  /** The file ended: bytes of a record it did not finish (a write cut short) are never completed by the next file. */
  endOfFile(): void {
    this.rest = '';
  }

  /** The pending partial line, if any, as an entry without a newline (the output ended mid-line). */
  flush(): LogEntry | undefined {
    const p = this.partial;
    this.partial = undefined;
    return p && { stream: p.stream, time: p.time, text: p.text };
  }
}
