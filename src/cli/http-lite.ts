// The CLI's HTTP/1.1 for the requests most calls make: a method, a path, maybe a JSON body, one answer. Node's
// http client costs a CLI call ~3 ms of CPU in a ~35 ms life (loading it, its agent, the request machinery); this
// writes the request on a unix socket itself and reads the answer with a small parser. One request per connection
// (Connection: close), so an answer's body ends at its length, at its last chunk, or when the daemon closes.
// Uploads and upgraded connections (attach, exec) keep using node's http (client.ts).
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import type { ApiResponse } from './client.js';

export interface LiteRequest {
  socketPath: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Sends the request; resolves with the answer once its headers have arrived (its body streams on). */
export function liteRequest(req: LiteRequest): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(req.socketPath);
    const body = req.payload === undefined ? undefined : Buffer.from(req.payload);
    const head = [`${req.method} ${req.path} HTTP/1.1`, 'Host: localhost', 'Connection: close',
      ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`),
      ...(body || !['GET', 'HEAD', 'DELETE'].includes(req.method) ? [`Content-Length: ${body?.length ?? 0}`] : [])];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    if (body) socket.write(body);
    const parser = new ResponseParser(req.method === 'HEAD');
    let res: (PassThrough & ApiResponse) | undefined;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const event of parser.push(chunk)) {
          if (event.kind === 'head') {
            res = Object.assign(new PassThrough(), { statusCode: event.status, headers: event.headers });
            res.on('close', () => socket.destroy());
            resolve(res);
          } else if (event.kind === 'data') {
            // A reader slower than the socket (a large download to a pipe) holds the socket back. One chunk read
            // may carry several writes: only the first that fills the buffer pauses and waits for the drain.
            if (!res!.write(event.data) && !socket.isPaused()) { socket.pause(); res!.once('drain', () => socket.resume()); }
          } else {
            res!.end();
          }
        }
      } catch (err) {
        socket.destroy();
        if (res) res.destroy(err as Error); else reject(err);
      }
    });
    socket.on('end', () => {
      if (!res) reject(Object.assign(new Error('the daemon closed the connection without an answer'), { code: 'ECONNRESET' }));
      else if (!parser.done) parser.closeDelimited() ? res.end() : res.destroy(new Error('the daemon closed the connection mid-answer'));
    });
    socket.on('error', (err) => { if (res) res.destroy(err); else reject(err); });
  });
}

type ParseEvent =
  | { kind: 'head'; status: number; headers: Record<string, string> }
  | { kind: 'data'; data: Buffer }
  | { kind: 'end' };

/** An HTTP/1.1 response, fed in pieces as they arrive: headers, then a body framed by length, by chunks, or by close. */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private state: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' | 'done' = 'head';
  private left = 0;

  constructor(private readonly noBody = false) {}

  get done(): boolean { return this.state === 'done'; }

  /** At the connection's end: true when that ends the body (no length nor chunking was given). */
  closeDelimited(): boolean {
    if (this.state !== 'close') return false;
    this.state = 'done';
    return true;
  }

  push(chunk: Buffer): ParseEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: ParseEvent[] = [];
    for (;;) {
      if (this.state === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return out;
        out.push(this.head(this.buf.subarray(0, end).toString('latin1')));
        this.buf = this.buf.subarray(end + 4);
        if ((this.state as string) === 'done') out.push({ kind: 'end' }); // head() may have found no body
      } else if (this.state === 'length' || this.state === 'chunk-data' || this.state === 'close') {
        if (!this.buf.length) return out;
        const take = this.state === 'close' ? this.buf.length : Math.min(this.left, this.buf.length);
        out.push({ kind: 'data', data: this.buf.subarray(0, take) });
        this.buf = this.buf.subarray(take);
        this.left -= take;
        if (this.state === 'length' && this.left === 0) this.finish(out);
        else if (this.state === 'chunk-data' && this.left === 0) this.state = 'chunk-crlf';
      } else if (this.state === 'chunk-crlf') {
        if (this.buf.length < 2) return out;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new Error('malformed chunked answer from the daemon');
        this.buf = this.buf.subarray(2);
        this.state = 'chunk-size';
      } else if (this.state === 'chunk-size' || this.state === 'trailer') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return out;
        const line = this.buf.subarray(0, eol).toString('latin1');
        this.buf = this.buf.subarray(eol + 2);
        if (this.state === 'trailer') {
          if (line === '') this.finish(out);
          continue;
        }
        const size = parseInt(line.split(';')[0]!, 16);
        if (!Number.isInteger(size) || size < 0) throw new Error('malformed chunked answer from the daemon');
        if (size === 0) this.state = 'trailer';
        else { this.left = size; this.state = 'chunk-data'; }
      } else {
        return out; // done: anything after the answer is ignored
      }
    }
  }

  private head(text: string): ParseEvent {
    const [statusLine = '', ...lines] = text.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) throw new Error(`malformed answer from the daemon: "${statusLine.slice(0, 80)}"`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const code = Number(status[1]);
    const length = headers['content-length'];
    if (this.noBody || code === 204 || code === 304) this.state = 'done';
    else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) this.state = 'chunk-size';
    else if (length !== undefined) { this.left = Number(length); this.state = this.left > 0 ? 'length' : 'done'; }
    else this.state = 'close';
    return { kind: 'head', status: code, headers };
  }

  private finish(out: ParseEvent[]): void {
    this.state = 'done';
    out.push({ kind: 'end' });
  }
}
