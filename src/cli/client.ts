// The CLI's client of the daemon's API over its unix socket. It starts a daemon in the background when none
// answers, so `bulkhead run …` works on a fresh machine with no service set up.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { liteRequest } from './http-lite.js';
import { EngineError, errnoCode, type ErrorKind } from '../core/index.js';
import { ERROR_HEADER, kindForStatus, type ErrorBody } from '../api/wire.js';

export interface ClientOptions {
  socketPath: string;
  /**
   * Makes sure a daemon answers (starting one, or saying why not). Called when a request finds no daemon, after
   * which the request is sent again; and before a request whose body is a stream, which cannot be sent twice.
   * Not probing the socket before every command saves each CLI call a connection.
   */
  ensureDaemon?: () => Promise<void>;
}

/** An error the daemon reported; it keeps the engine's kind so exit codes map the same way on both sides. */
export class ApiError extends EngineError {
  constructor(kind: ErrorKind, message: string, readonly exitCode: number) {
    super(kind, message);
  }
}

/** An answer whose headers have arrived; its body streams on. */
export type ApiResponse = Readable & { statusCode?: number; headers: IncomingHttpHeaders };

export interface RequestOptions {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  json?: unknown;
  body?: Readable;
  headers?: Record<string, string>;
}

export class Client {
  private daemonSeen = false;
  private ensuring?: Promise<void>;

  constructor(readonly opts: ClientOptions) {}

  /** Sends, and once only, when nothing listens on the socket yet, has a daemon started and sends again. */
  private async reaching<T>(send: () => Promise<T>, replayable: boolean): Promise<T> {
    if (!this.opts.ensureDaemon || this.daemonSeen) return send();
    if (!replayable) {
      await this.daemonUp();
      return send();
    }
    try {
      const result = await send();
      this.daemonSeen = true;
      return result;
    } catch (err) {
      if (!['ENOENT', 'ECONNREFUSED'].includes(errnoCode(err) ?? '')) throw err;
      await this.daemonUp();
      return send();
    }
  }

  private daemonUp(): Promise<void> {
    // Concurrent first requests (run's attach and wait) share one start.
    this.ensuring ??= this.opts.ensureDaemon!().then(() => { this.daemonSeen = true; });
    return this.ensuring;
  }

  path(p: string, query: RequestOptions['query'] = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    }
    const s = q.toString();
    return s ? `${p}?${s}` : p;
  }

  /**
   * Where requests go. `servername: ''` tells node's agent that there is no TLS server name to work out: without it
   * the agent tests the host name with net.isIP, whose first call compiles a large regular expression (~4 ms of a
   * CLI call that lasts ~40 ms).
   */
  private get target(): { socketPath: string } {
    return { socketPath: this.opts.socketPath, servername: '' } as { socketPath: string };
  }

  /** Sends a request and returns the raw response once its headers arrive; errors (status ≥ 400) are thrown. */
  async stream(method: string, p: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const res = await this.reaching(() => this.send(method, p, opts), !opts.body);
    if ((res.statusCode ?? 500) >= 400) throw await toApiError(res);
    return res;
  }

  private send(method: string, p: string, opts: RequestOptions): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload: string | undefined;
    if (opts.json !== undefined) { payload = JSON.stringify(opts.json); headers['Content-Type'] = 'application/json'; }
    // Most requests: http-lite.ts, which spares the call loading node's http client. Uploads stream through node's.
    if (!opts.body) return liteRequest({ socketPath: this.opts.socketPath, method, path: this.path(p, opts.query), headers, payload });
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ ...this.target, method, path: this.path(p, opts.query), headers }, resolve);
      req.on('error', (err) => {
        // A daemon that refuses an upload answers before reading it all, and our write then fails: its answer
        // (which says why) is the error to show, so give it a moment to arrive.
        if (opts.body && ['EPIPE', 'ECONNRESET'].includes(errnoCode(err) ?? '')) setTimeout(() => reject(err), 2000);
        else reject(err);
      });
      opts.body!.pipe(req);
    });
  }

  async call<T = unknown>(method: string, p: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.stream(method, p, opts);
    const text = await readAll(res);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Opens an upgraded (hijacked) connection for interactive streams: attach, exec. */
  upgrade(p: string, query: RequestOptions['query'] = {}): Promise<{ socket: Duplex; head: Buffer }> {
    return this.reaching(() => new Promise((resolve, reject) => {
      const req = request({ ...this.target, method: 'POST', path: this.path(p, query),
        headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => { toApiError(res).then(reject, reject); });
      req.on('error', reject);
      req.end();
    }), true);
  }
}

export async function readAll(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function toApiError(res: ApiResponse): Promise<ApiError> {
  const inHeader = res.headers[ERROR_HEADER];
  const text = (await readAll(res).catch(() => '')) || (typeof inHeader === 'string' ? Buffer.from(inHeader, 'base64').toString('utf8') : '');
  try {
    const body = JSON.parse(text) as ErrorBody;
    return new ApiError(body.kind ?? kindForStatus(res.statusCode ?? 500), body.message, body.exitCode ?? 125);
  } catch {
    return new ApiError(kindForStatus(res.statusCode ?? 500), text.trim() || `daemon answered ${res.statusCode}`, 125);
  }
}
