// RegistryService: what the engine exposes for pull, push, login and logout. It owns the credential file and
// makes one Transport per operation (tokens are cached per scope for the length of that operation).
import { join } from 'node:path';
import { InvalidArgumentError, type ImageRecord } from '../core/index.js';
import { parseReference, type ImageReference, type ImageService } from '../image/index.js';
import { AuthStore, type Credentials } from './auth-store.js';
import { parsePlatform } from './manifest.js';
import type { ProgressSink } from './progress.js';
import { pullImage } from './pull.js';
import { pushImage } from './push.js';
import { Transport } from './transport.js';

export interface RegistryServiceOptions {
  root: string;
  images: ImageService;
  /** Registries spoken to without TLS verification (plain HTTP if they do not speak TLS); loopback always is. */
  insecureRegistries?: string[];
}

export interface TransferOptions { tlsVerify?: boolean; progress?: ProgressSink }

/** Where the registry API of a domain is: Docker Hub's names say docker.io, its API lives elsewhere. */
function apiHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

/** "https://127.0.0.1:5000/" or "127.0.0.1:5000" → the registry host key used in auth.json. */
export function registryHost(text: string): string {
  const host = text.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!/^[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/.test(host)) throw new InvalidArgumentError(`invalid registry "${text}": expected host[:port]`);
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

export class RegistryService {
  readonly auth: AuthStore;

  constructor(private readonly opts: RegistryServiceOptions) {
    this.auth = new AuthStore(opts.root);
  }

  private async transport(domain: string, tlsVerify: boolean | undefined, credentials?: Credentials): Promise<Transport> {
    return new Transport({
      host: apiHost(domain), tlsVerify, insecureRegistries: this.opts.insecureRegistries,
      certsDir: join(this.opts.root, 'certs.d'),
      credentials: credentials ?? (await this.auth.get(domain)),
    });
  }

  /** Checks a reference and platform before anything is sent, so user mistakes are plain errors. */
  validatePull(ref: string, platform?: string): ImageReference {
    parsePlatform(platform);
    return parseReference(ref);
  }

  async pull(text: string, opts: TransferOptions & { platform?: string } = {}): Promise<ImageRecord> {
    const ref = parseReference(text);
    const t = await this.transport(ref.domain, opts.tlsVerify);
    return pullImage(t, this.opts.images, { ref, platform: parsePlatform(opts.platform), progress: opts.progress ?? (() => undefined) });
  }

  /** Pushes the local image named `text` to the registry that name points at; returns the manifest digest. */
  async push(text: string, opts: TransferOptions = {}): Promise<string> {
    const ref = parseReference(text);
    if (ref.digest) throw new InvalidArgumentError(`cannot push "${text}": push by tag, not by digest`);
    const image = this.opts.images.resolve(text);
    const t = await this.transport(ref.domain, opts.tlsVerify);
    return pushImage(t, this.opts.images, image, ref, opts.progress ?? (() => undefined));
  }

  /** Checks the credentials against the registry, then stores them. */
  async login(registry: string, creds: Credentials, opts: { tlsVerify?: boolean } = {}): Promise<void> {
    const host = registryHost(registry);
    if (!creds.username) throw new InvalidArgumentError('login needs a username (-u USER)');
    if (!creds.password) throw new InvalidArgumentError('login needs a password (--password-stdin)');
    await (await this.transport(host, opts.tlsVerify, creds)).ping();
    await this.auth.set(host, creds);
  }

  async logout(registry: string): Promise<void> {
    await this.auth.remove(registryHost(registry));
  }
}
