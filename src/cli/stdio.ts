// Joining the user's terminal to a container stream: demultiplexing stdout/stderr frames, forwarding stdin, raw
// mode and window-size changes for -t sessions.
import { spawnSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../api/wire.js';
import type { Client } from './client.js';

export interface SessionIo {
  /** Resolves when the container side has closed the stream. */
  done: Promise<void>;
}

export function joinStreams(conn: { socket: Duplex; head: Buffer }, opts: { tty: boolean; stdin: boolean }): SessionIo {
  const { socket, head } = conn;
  const decoder = new FrameDecoder();
  const write = (chunk: Buffer) => {
    if (opts.tty) { process.stdout.write(chunk); return; }
    for (const f of decoder.push(chunk)) (f.stream === 2 ? process.stderr : process.stdout).write(f.data);
  };
  if (head.length) write(head);
  socket.on('data', write);
  if (opts.stdin) {
    if (opts.tty && process.stdin.isTTY) setRaw(true);
    process.stdin.on('data', (d: Buffer) => socket.write(d));
    process.stdin.on('end', () => socket.end());
  }
  const done = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', resolve);
    socket.on('error', () => resolve());
  }).then(() => {
    if (opts.stdin) {
      if (opts.tty && process.stdin.isTTY) setRaw(false);
      process.stdin.pause();
      process.stdin.unref?.();
    }
  });
  return { done };
}

/**
 * Raw mode as docker sets it (cfmakeraw): Node's raw mode keeps output post-processing on, which would turn the
 * container's "\r\n" into "\r\r\n", so output processing is switched off (and back on) with stty as well.
 */
function setRaw(on: boolean): void {
  process.stdin.setRawMode(on);
  spawnSync('stty', [on ? '-opost' : 'opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}

/** Forwards SIGINT, SIGTERM and SIGHUP to the container while we wait for it; returns the function that stops it. */
export function proxySignals(client: Client, killPath: string): () => void {
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const forward = () => { void client.call('POST', killPath, { query: { signal } }).catch(() => undefined); };
    process.on(signal, forward);
    return () => process.off(signal, forward);
  });
  return () => handlers.forEach((off) => off());
}

/** Our terminal's size, sent at create so the container's terminal starts right (undefined when not a terminal). */
export function terminalSize(): { height: number; width: number } | undefined {
  const { rows, columns } = process.stdout;
  return process.stdout.isTTY && rows > 0 && columns > 0 ? { height: rows, width: columns } : undefined;
}

/** Keeps the container's terminal the size of ours: once now and on every SIGWINCH. */
export function followTerminalSize(client: Client, resizePath: string): () => void {
  if (!process.stdout.isTTY) return () => undefined;
  const send = () => {
    void client.call('POST', resizePath, { query: { h: process.stdout.rows, w: process.stdout.columns } }).catch(() => undefined);
  };
  send();
  process.stdout.on('resize', send);
  return () => process.stdout.off('resize', send);
}
