// Reading requests and writing replies: JSON bodies with a size cap, typed query parameters, JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { InvalidArgumentError } from '../core/index.js';
import type { ApiRequest } from './router.js';

/**
 * The request body (an uploaded tar) as a stream the handler may fail and destroy without closing the client's
 * connection: whatever the handler leaves unread is drained, so the client finishes its upload and then reads
 * the error the handler answers with, instead of dying on EPIPE.
 */
export function uploadBody(r: ApiRequest): Readable {
  const body = new PassThrough();
  r.raw.pipe(body);
  body.on('close', () => { r.raw.unpipe(body); r.raw.resume(); });
  return body;
}

/** The response of an ordinary request (an upgraded one has none). */
export function response(r: ApiRequest): ServerResponse {
  if (!r.res) throw new InvalidArgumentError('this endpoint does not take an upgraded connection');
  return r.res;
}

/** The hijacked connection of an upgraded request (attach, exec start). */
export function upgraded(r: ApiRequest): NonNullable<ApiRequest['upgrade']> {
  if (!r.upgrade) throw new InvalidArgumentError('this endpoint needs a connection upgrade (Connection: Upgrade, Upgrade: tcp)');
  return r.upgrade;
}

const MAX_JSON = 1024 * 1024;

export async function readJson<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON) throw new InvalidArgumentError('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InvalidArgumentError('request body is not valid JSON');
  }
}

export function queryBool(q: URLSearchParams, key: string, fallback = false): boolean {
  const v = q.get(key);
  if (v === null || v === '') return fallback;
  return v === '1' || v.toLowerCase() === 'true';
}

export function queryInt(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`invalid value for ${key}: "${v}" is not a whole number`);
  return Number(v);
}

export function queryString(q: URLSearchParams, key: string): string {
  const v = q.get(key);
  if (v === null || v === '') throw new InvalidArgumentError(`missing query parameter "${key}"`);
  return v;
}

export function queryJson<T>(q: URLSearchParams, key: string): T | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw new InvalidArgumentError(`invalid value for ${key}: not valid JSON`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}
