// Reads conmon's sync pipe: one JSON object per line, `{"data": N}` or `{"data": N, "message": "…"}`.
// With --api-version 1, N is the container (or exec) pid when positive, an error when negative, and for exec a
// second message later carries the exit code. Messages are queued so none is lost between reads.
import type { Readable } from 'node:stream';

export interface SyncMessage {
  data: number;
  message?: string;
}

export class SyncPipeReader {
  private buffer = '';
  private readonly queue: SyncMessage[] = [];
  private waiters: Array<(m: SyncMessage | null) => void> = [];
  private ended = false;

  constructor(private readonly stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.push(chunk));
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', () => this.finish());
  }

  /** The next message, or null when conmon closed the pipe without sending one. */
  next(timeoutMs = 0): Promise<SyncMessage | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (m: SyncMessage | null) => { if (timer) clearTimeout(timer); resolve(m); };
      this.waiters.push(waiter);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no answer from conmon within ${timeoutMs / 1000}s`));
        }, timeoutMs);
      }
    });
  }

  /** Stops reading; conmon keeps its end and never blocks on it (it ignores SIGPIPE). */
  close(): void {
    this.stream.destroy();
    this.finish();
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.deliver(parseSyncLine(line));
    }
  }

  private deliver(m: SyncMessage): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(m);
    else this.queue.push(m);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.buffer.trim()) this.deliver(parseSyncLine(this.buffer.trim()));
    this.buffer = '';
    for (const w of this.waiters.splice(0)) w(null);
  }
}

function parseSyncLine(line: string): SyncMessage {
  try {
    const obj = JSON.parse(line) as { data?: unknown; message?: unknown };
    const data = typeof obj.data === 'number' ? obj.data : -1;
    return typeof obj.message === 'string' ? { data, message: obj.message } : { data };
  } catch {
    return { data: -1, message: `unreadable message from conmon: ${line}` };
  }
}
