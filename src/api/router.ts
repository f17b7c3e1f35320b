// A small method+path router. Patterns use ":name" segments; the handler gets decoded params and the query.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/index.js';

export interface ApiRequest {
  engine: Engine;
  raw: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Set for ordinary requests. */
  res?: ServerResponse;
  /** Set for requests that asked to upgrade the connection (attach, exec start). */
  upgrade?: { socket: Duplex; head: Buffer };
}

export type Handler = (req: ApiRequest) => Promise<void>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((part, i) => {
        if (part.startsWith(':')) { params[part.slice(1)] = decodeURIComponent(segments[i]!); return true; }
        return part === segments[i];
      });
      if (ok) return { handler: route.handler, params };
    }
    return undefined;
  }
}
