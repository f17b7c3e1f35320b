// Byte streams over HTTP: docker's stdio multiplexing (an 8-byte header per frame: stream id, 3 zero bytes,
// big-endian length) for non-terminal sessions, and connection hijacking for interactive ones.
import type { Duplex, Readable, Writable } from 'node:stream';

export const STDOUT = 1;
export const STDERR = 2;

export function frame(stream: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Splits a multiplexed byte stream back into (stream, payload) frames. */
export class FrameDecoder {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: number; data: Buffer }> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Array<{ stream: number; data: Buffer }> = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream: this.buf[0]!, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

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
  const forward = (src: Readable, id: number) => new Promise<void>((resolve) => {
    src.on('data', (d: Buffer) => { if (!socket.destroyed) socket.write(tty ? d : frame(id, d)); });
    src.on('end', resolve);
    src.on('close', resolve);
    src.on('error', () => resolve());
  });
  return Promise.all([forward(session.stdout, STDOUT), forward(session.stderr, STDERR)]).then(() => undefined);
}
