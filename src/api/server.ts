// The daemon's HTTP server on a unix socket. Every request goes through one dispatcher, so every error reaches
// the client in one shape (http-errors.ts) and no handler failure can stop the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { ConflictError, NotFoundError } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import { socketAnswers } from '../sys/unix-socket.js';
import { errorResponse } from './http-errors.js';
import { ERROR_HEADER } from './wire.js';
import { Router } from './router.js';
import { containerRoutes } from './routes/containers.js';
import { imageRoutes } from './routes/images.js';
import { volumeRoutes } from './routes/volumes.js';
import { systemRoutes } from './routes/system.js';
import { resourceRoutes } from './routes/resources.js';
import { allocationRoutes } from './routes/allocation.js';
import { buildRoutes } from './routes/build.js';
import { registryRoutes } from './routes/registry.js';
import { networkRoutes } from './routes/networks.js';
import { policyRoutes } from './routes/policy.js';
import { buildDockerRouter, splitVersionPrefix } from './docker/index.js';

export function buildRouter(shutdown: () => void): Router {
  const router = new Router();
  systemRoutes(router, shutdown);
  containerRoutes(router);
  imageRoutes(router);
  volumeRoutes(router);
  resourceRoutes(router);
  allocationRoutes(router);
  buildRoutes(router);
  registryRoutes(router);
  networkRoutes(router);
  policyRoutes(router);
  return router;
}

export function createApiServer(engine: Engine, shutdown: () => void): Server {
  const router = buildRouter(shutdown);
  const docker = buildDockerRouter();
  const dispatch = async (raw: IncomingMessage, res?: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }) => {
    const url = new URL(raw.url ?? '/', 'http://bulkhead');
    // One socket, two APIs: Bulkhead's own under /bulkhead/, Docker's Engine API (optionally /vX.Y-prefixed) elsewhere.
    const own = url.pathname.startsWith('/bulkhead/');
    const path = own ? url.pathname : splitVersionPrefix(url.pathname).path;
    const found = (own ? router : docker).match(raw.method ?? 'GET', path);
    if (!found) throw new NotFoundError(`no such endpoint: ${raw.method} ${url.pathname}`);
    await found.handler({ engine, raw, res, upgrade, params: found.params, query: url.searchParams });
  };
  const server = createServer((req, res) => {
    dispatch(req, res).catch((err) => {
      if (res.headersSent) { res.destroy(); return; }
      // An unread upload (even one piped into a handler's stream) is drained, so the client reads this answer
      // rather than failing on EPIPE.
      req.unpipe();
      req.resume();
      const { status, body } = errorResponse(err);
      const forHead = req.method === 'HEAD' ? { [ERROR_HEADER]: Buffer.from(JSON.stringify(body)).toString('base64') } : {};
      res.writeHead(status, { 'Content-Type': 'application/json', ...forHead });
      res.end(JSON.stringify(body));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    dispatch(req, undefined, { socket, head }).catch((err) => {
      if (socket.destroyed) return;
      const { status, body } = errorResponse(err);
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    });
  });
  // Streams such as logs -f and events stay open for as long as the client wants.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return server;
}

/** Listens on the socket path, refusing to steal it from a live daemon but replacing a stale socket file. */
export async function listenUnix(server: Server, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (await socketAnswers(path)) throw new ConflictError(`another daemon is already serving ${path}`);
  await rm(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => { server.off('error', reject); resolve(); });
  });
  await chmod(path, 0o660);
}
