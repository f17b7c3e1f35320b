// A small method+path router. Patterns use ":name" segments; the handler gets decoded params and the query.
// A ":name+" segment (at most one per pattern) takes one or more path segments, joined by "/": Docker's API puts
// image names, which contain slashes, straight into the path (/images/localhost:5000/a/b:tag/json).
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
  /** Index of the ":name+" part, or -1. */
  greedy: number;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const parts = pattern.split('/').filter(Boolean);
    const greedy = parts.findIndex((p) => p.startsWith(':') && p.endsWith('+'));
    if (greedy >= 0 && parts.findIndex((p, i) => i > greedy && p.startsWith(':') && p.endsWith('+')) >= 0) {
      throw new Error(`route ${pattern}: at most one ":name+" segment`); // a programming error, found at start-up
    }
    this.routes.push({ method, parts, greedy, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = route.greedy < 0 ? matchFixed(route.parts, segments) : matchGreedy(route.parts, route.greedy, segments);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function matchFixed(parts: string[], segments: string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  const ok = parts.every((part, i) => {
    if (part.startsWith(':')) { params[part.slice(1)] = decodeURIComponent(segments[i]!); return true; }
    return part === segments[i];
  });
  return ok ? params : undefined;
}

/** The parts before and after the greedy one match segment for segment; the greedy one takes what is between. */
function matchGreedy(parts: string[], greedy: number, segments: string[]): Record<string, string> | undefined {
  const taken = segments.length - (parts.length - 1);
  if (taken < 1) return undefined;
  const head = matchFixed(parts.slice(0, greedy), segments.slice(0, greedy));
  const tail = matchFixed(parts.slice(greedy + 1), segments.slice(greedy + taken));
  if (!head || !tail) return undefined;
  const value = segments.slice(greedy, greedy + taken).map((s) => decodeURIComponent(s)).join('/');
  return { ...head, ...tail, [parts[greedy]!.slice(1, -1)]: value };
}
