// Byte streams over HTTP: connection hijacking for interactive sessions, framed (wire.ts) unless they are a tty.
import type { ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { frame, STDERR, STDOUT } from './wire.js';

export function hijackResponse(socket: Duplex, contentType: string): void {
  socket.write('HTTP/1.1 101 UPGRADED\r\n' + `Content-Type: ${contentType}\r\n` + 'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
}

/**
 * Joins a hijacked client connection to a session: client bytes go to stdin, session output goes back (framed
 * unless tty). Resolves when the session's output has ended.
 */
export function pumpSession(socket: Duplex, head: Buffer, session: { stdout: Readable; stderr: Readable; stdin: Writable; closed: Promise<void> },
  tty: boolean, withStdin: boolean): Promise<void> {
  if (withStdin) {
    if (head.length) session.stdin.write(head);
    socket.on('data', (d: Buffer) => session.stdin.write(d));
    socket.on('end', () => session.stdin.end());
  } else {
    socket.resume();
  }
  session.stdin.on('error', () => undefined);
  return forwardOutput(socket, session, tty);
}

/** Copies a session's stdout and stderr to `out` (framed unless tty); resolves when both have ended. */
export function forwardOutput(out: Writable, session: { stdout: Readable; stderr: Readable }, tty: boolean): Promise<void> {
  const forward = (src: Readable, id: number) => new Promise<void>((resolve) => {
    src.on('data', (d: Buffer) => { if (!out.destroyed) out.write(tty ? d : frame(id, d)); });
    src.on('end', resolve);
    src.on('close', resolve);
    src.on('error', () => resolve());
  });
  return Promise.all([forward(session.stdout, STDOUT), forward(session.stderr, STDERR)]).then(() => undefined);
}

/**
 * Opens an NDJSON answer for a long operation: `send` writes one line while the client listens, and `signal`
 * aborts when the client goes away before the answer is complete, so the operation can undo what it started.
 */
export function startNdjson(res: ServerResponse): { send(line: object): void; signal: AbortSignal } {
  const signal = clientGone(res);
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  return { send: (line) => { if (!res.destroyed) res.write(`${JSON.stringify(line)}\n`); }, signal };
}

/** Aborts when the client goes away before the response is complete (a finished response closes too). */
export function clientGone(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  return abort.signal;
}
