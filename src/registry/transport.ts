// One registry host, spoken to over Node's http/https. Decides the scheme (TLS unless the registry is insecure),
// answers 401 challenges (Basic with stored credentials; Bearer by fetching a token from the challenge's realm,
// cached per scope), and turns registry error bodies into one-line typed errors.
// Insecure registries (loopback, the configured list, --tls-verify=false) get TLS without verification first and
// plain HTTP when the server does not speak TLS, as docker and podman do. A CA for a registry is taken from
// <root>/certs.d/<host[:port]>/*.crt (the containers certs.d convention).
import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, InvalidArgumentError, NotFoundError, errnoCode, type ErrorKind } from '../core/index.js';
import type { Credentials } from './auth-store.js';
import { parseChallenge } from './challenge.js';

export interface TransportOptions {
  host: string;                 // "127.0.0.1:5000", "registry-1.docker.io"
  credentials?: Credentials;
  /** undefined: decided by host; true: always verified TLS; false: insecure. */
  tlsVerify?: boolean;
  insecureRegistries?: string[];
  certsDir?: string;            // <root>/certs.d
}

export interface RequestSpec {
  method: string;
  path: string;                 // "/v2/…" or an absolute URL (upload locations)
  scope?: string;               // "repository:library/busybox:pull"
  headers?: OutgoingHttpHeaders;
  body?: () => Readable | Buffer;
}

/** localhost and 127.0.0.0/8 are insecure by default, as users expect. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export async function readBody(res: IncomingMessage, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size > limit) { res.destroy(); throw new InvalidArgumentError(`registry response larger than ${limit} bytes`); }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export class Transport {
  private scheme?: 'https' | 'http';
  private ca?: string[];
  private basic?: string;
  private readonly tokens = new Map<string, string>(); // scope → bearer token

  constructor(readonly opts: TransportOptions) {}

  get host(): string { return this.opts.host; }

  private get insecure(): boolean {
    if (this.opts.tlsVerify !== undefined) return !this.opts.tlsVerify;
    return isLoopback(this.opts.host) || (this.opts.insecureRegistries ?? []).includes(this.opts.host);
  }

  private async loadCa(): Promise<string[] | undefined> {
    if (this.ca !== undefined || !this.opts.certsDir) return this.ca;
    const dir = join(this.opts.certsDir, this.opts.host);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.crt'));
    if (files.length === 0) return undefined;
    this.ca = [...rootCertificates, ...(await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8'))))];
    return this.ca;
  }

  private async send(scheme: 'https' | 'http', spec: RequestSpec, url: URL, headers: OutgoingHttpHeaders): Promise<IncomingMessage> {
    const ca = await this.loadCa();
    // A configured CA means the operator wants this registry verified, insecure-by-default or not.
    const verify = !this.insecure || (ca !== undefined && this.opts.tlsVerify !== false);
    return new Promise((resolve, reject) => {
      const common = { method: spec.method, hostname: url.hostname, port: url.port || undefined, path: url.pathname + url.search, headers };
      const req = scheme === 'https'
        ? httpsRequest({ ...common, ca, rejectUnauthorized: verify, servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname }, resolve)
        : httpRequest(common, resolve);
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new InvalidArgumentError(`registry ${this.host}: no answer for 60 s`)));
      const body = spec.body?.();
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else { body.on('error', (e) => req.destroy(e)); body.pipe(req); }
    });
  }

  private url(scheme: string, path: string): URL {
    return /^https?:\/\//.test(path) ? new URL(path) : new URL(`${scheme}://${this.host}${path}`);
  }

  /** Sends with the scheme this registry speaks, finding it out on the first request. */
  private async sendAny(spec: RequestSpec, headers: OutgoingHttpHeaders): Promise<IncomingMessage> {
    if (this.scheme) return this.send(this.scheme, spec, this.url(this.scheme, spec.path), headers);
    try {
      const res = await this.send('https', spec, this.url('https', spec.path), headers);
      this.scheme = 'https';
      return res;
    } catch (err) {
      const code = errnoCode(err) ?? '';
      const plainServer = code === 'EPROTO' || /wrong version number|packet length too long/i.test(String(err));
      if (!(this.insecure && plainServer)) throw this.connectError(err);
      this.scheme = 'http';
      return this.send('http', spec, this.url('http', spec.path), headers).catch((e) => { throw this.connectError(e); });
    }
  }

  private connectError(err: unknown): EngineError {
    const msg = err instanceof Error ? err.message : String(err);
    const hint = /certificate|self[- ]signed|CERT_/i.test(msg) ? ' (add its CA to certs.d, or use --tls-verify=false)' : '';
    return new InvalidArgumentError(`registry ${this.host}: ${msg}${hint}`, { cause: err });
  }

  private authHeader(scope: string | undefined): string | undefined {
    return this.tokens.get(scope ?? '') ?? this.basic;
  }

  /** A request, answering one 401 challenge; follows redirects (blob storage elsewhere) without credentials. */
  async request(spec: RequestSpec): Promise<IncomingMessage> {
    const headers = (auth?: string): OutgoingHttpHeaders => ({ ...spec.headers, ...(auth ? { Authorization: auth } : {}) });
    let res = await this.sendAny(spec, headers(this.authHeader(spec.scope)));
    if (res.statusCode === 401) {
      const challenge = parseChallenge(res.headers['www-authenticate']);
      res.resume();
      if (challenge) await this.answer(challenge, spec.scope);
      res = await this.sendAny(spec, headers(this.authHeader(spec.scope)));
    }
    for (let hops = 0; [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && hops < 5; hops++) {
      const location = res.headers.location;
      res.resume();
      if (!location) break;
      const url = new URL(location, this.url(this.scheme ?? 'https', spec.path));
      res = await this.send(url.protocol === 'http:' ? 'http' : 'https', { ...spec }, url, { ...spec.headers });
    }
    return res;
  }

  private async answer(challenge: ReturnType<typeof parseChallenge> & object, scope: string | undefined): Promise<void> {
    const creds = this.opts.credentials;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (challenge.scheme === 'basic') {
      if (!basic) throw new InvalidArgumentError(`registry ${this.host}: authentication required: run bulkhead login ${this.host}`);
      this.basic = basic;
      return;
    }
    const realm = challenge.params.realm;
    if (!realm) throw new InvalidArgumentError(`registry ${this.host}: bearer challenge without a realm`);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const wanted = scope ?? challenge.params.scope;
    if (wanted) url.searchParams.set('scope', wanted);
    const res = await this.send(url.protocol === 'http:' ? 'http' : 'https', { method: 'GET', path: url.href }, url,
      basic ? { Authorization: basic } : {}).catch((err) => { throw this.connectError(err); });
    const body = await readBody(res);
    if (res.statusCode === 401 || res.statusCode === 403) throw new InvalidArgumentError(`registry ${this.host}: unauthorized: incorrect username or password`);
    if (res.statusCode !== 200) throw new InvalidArgumentError(`registry ${this.host}: token server answered ${res.statusCode}`);
    const doc = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new InvalidArgumentError(`registry ${this.host}: token server sent no token`);
    this.tokens.set(scope ?? '', `Bearer ${token}`);
  }

  /** Reads an error response and makes it a typed one-line error (the body is the registry's JSON errors list). */
  async fail(res: IncomingMessage, what: string): Promise<never> {
    const text = (await readBody(res, 1 << 20).catch(() => Buffer.alloc(0))).toString('utf8');
    let detail = text.trim().split('\n')[0] ?? '';
    try {
      const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
      if (doc.errors?.length) detail = doc.errors.map((e) => [e.code?.toLowerCase(), e.message].filter(Boolean).join(': ')).join('; ');
    } catch { /* not JSON: keep the text */ }
    const status = res.statusCode ?? 0;
    const kind: ErrorKind = status === 404 ? 'NotFound' : status === 401 || status === 403 || status < 500 ? 'InvalidArgument' : 'Internal';
    const message = `${what}: ${status === 401 ? 'unauthorized: ' : ''}${detail || `registry answered ${status}`}`;
    if (kind === 'NotFound') throw new NotFoundError(message);
    throw new EngineError(kind, message);
  }

  /** GET /v2/: checks the registry answers and that the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', path: '/v2/' });
    if (res.statusCode === 401) {
      res.resume();
      throw new InvalidArgumentError(`login to ${this.host}: unauthorized: incorrect username or password`);
    }
    if (res.statusCode !== 200) await this.fail(res, `registry ${this.host}`);
    res.resume();
  }
}
