// The daemon's share of a container's life, without any CLI process: the benchmark itself calls the HTTP API on
// the engine's socket, so the difference to the CLI phases is what spawning and loading the CLI costs.
import { request, type IncomingMessage } from 'node:http';
import { EngineError } from '../src/core/index.js';
import { summarize, type Summary } from './stats.js';

export interface Reply { status: number; body: string }

export function call(socketPath: string, method: string, path: string, json?: unknown): Promise<{ res: IncomingMessage; body: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const req = request({ socketPath, method, path, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const body = new Promise<string>((done, fail) => { res.on('end', () => done(Buffer.concat(chunks).toString())); res.on('error', fail); });
      resolve({ res, body });
    });
    req.on('error', (e) => reject(new EngineError('Internal', `${method} ${path}: ${e.message}`, { cause: e })));
    req.end(payload);
  });
}

export async function ok(socketPath: string, method: string, path: string, json?: unknown): Promise<Reply> {
  const { res, body } = await call(socketPath, method, path, json);
  const text = await body;
  if ((res.statusCode ?? 0) >= 300) throw new EngineError('Internal', `${method} ${path}: HTTP ${res.statusCode}: ${text.trim()}`);
  return { status: res.statusCode ?? 0, body: text };
}

export interface ApiPhase { label: string; summary: Summary }

const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

/** create → (arm wait) → start → exit reported → delete, each timed, the same steps `run --rm` makes. */
export async function measureApiPhases(socketPath: string, runs: number, warmup: number): Promise<ApiPhase[]> {
  const labels = ['API create', 'API start (returns when running)', 'API exit seen by wait, after start', 'API delete', 'API total'];
  const samples: number[][] = labels.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = process.hrtime.bigint();
    let t = t0;
    const { id } = JSON.parse((await ok(socketPath, 'POST', '/bulkhead/containers', { image: 'busybox', cmd: ['true'], network: 'none' })).body) as { id: string };
    const create = since(t);
    const base = `/bulkhead/containers/${id}`;
    const waiting = await call(socketPath, 'POST', `${base}/wait?condition=next-exit`);
    t = process.hrtime.bigint();
    await ok(socketPath, 'POST', `${base}/start`);
    const start = since(t);
    t = process.hrtime.bigint();
    await waiting.body;
    const exit = since(t);
    t = process.hrtime.bigint();
    await ok(socketPath, 'DELETE', base);
    const del = since(t);
    const total = since(t0);
    if (i >= warmup) [create, start, exit, del, total].forEach((v, k) => samples[k]!.push(v));
  }
  return labels.map((label, k) => ({ label, summary: summarize(samples[k]!) }));
}
