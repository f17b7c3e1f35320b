// Interactive byte streams in Docker's two ways: a hijacked connection (Connection: Upgrade, Upgrade: tcp → 101,
// what the docker CLI and dockerode's hijack mode use; stdin flows too), or an ordinary response whose body is the
// output (dockerode's default attach/exec; output only, since HTTP/1.1 gives the request no way to keep sending).
import type { Duplex, Readable, Writable } from 'node:stream';
import { InvalidArgumentError } from '../../core/index.js';
import { response } from '../request.js';
import type { ApiRequest } from '../router.js';
import { forwardOutput, hijackResponse, pumpSession } from '../streams.js';

export interface StreamSession {
  stdout: Readable;
  stderr: Readable;
  stdin: Writable;
  closed: Promise<void>;
  close(): void;
}

const contentType = (tty: boolean) => (tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');

/**
 * The JSON body of an upgraded request (exec start): Node hands the upgrade over before reading any body, so the
 * Content-Length bytes are taken off the socket here; what follows them is the client's stdin. The socket is left
 * paused so no stdin byte is lost before the session is joined.
 */
export async function readUpgradeBody(r: ApiRequest): Promise<{ body: unknown; rest: Buffer }> {
  const upgrade = r.upgrade!;
  const length = Number(r.raw.headers['content-length'] ?? 0);
  let buf = upgrade.head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (d: Buffer) => { done(); resolve(d); };
      const onEnd = () => { done(); resolve(undefined); };
      const done = () => { upgrade.socket.off('data', onData); upgrade.socket.off('end', onEnd); upgrade.socket.pause(); };
      upgrade.socket.on('data', onData).on('end', onEnd);
      upgrade.socket.resume();
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  upgrade.socket.pause();
  const text = buf.subarray(0, length).toString('utf8').trim();
  let body: unknown = {};
  try {
    if (text) body = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('request body is not valid JSON');
  }
  return { body, rest: buf.subarray(length) };
}

/**
 * Answers the request as a stream (101 for a hijack, 200 otherwise) before the session exists, because clients
 * wait for this answer before they start a created container (docker run attaches first, then starts).
 */
export function beginStream(r: ApiRequest, tty: boolean): void {
  if (r.upgrade) { hijackResponse(r.upgrade.socket, contentType(tty)); return; }
  const res = response(r);
  res.writeHead(200, { 'Content-Type': contentType(tty) });
  res.flushHeaders();
}

/** Joins a session to the client's stream opened by beginStream; resolves when the output has ended. */
export async function pumpStream(r: ApiRequest, session: StreamSession, opts: { tty: boolean; stdin: boolean; head?: Buffer }): Promise<void> {
  if (r.upgrade) {
    const { socket } = r.upgrade;
    socket.on('close', () => session.close());
    const pumped = pumpSession(socket, opts.head ?? r.upgrade.head, session, opts.tty, opts.stdin);
    socket.resume();
    await pumped;
    return;
  }
  const res = response(r);
  res.on('close', () => session.close());
  session.stdin.end();
  await forwardOutput(res, session, opts.tty);
}

/** The client went away: for a hijack the socket closes, for a plain request the response does. */
export function onClientGone(r: ApiRequest, fn: () => void): void {
  if (r.upgrade) r.upgrade.socket.on('close', fn);
  else response(r).on('close', fn);
}


/** Ends the client's side once the session is over. */
export function endSession(r: ApiRequest): void {
  if (r.upgrade) r.upgrade.socket.end();
  else response(r).end();
}

/** Answers an upgraded request with an ordinary HTTP response (exec start with Detach). */
export function plainAnswer(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}
