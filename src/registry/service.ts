// RegistryService: what the engine exposes for pull, push, login and logout. It owns the credential file and
// makes one Transport per operation (tokens are cached per scope for the length of that operation).
import { join } from 'node:path';
import { EngineError, InvalidArgumentError, NotFoundError, errorKind, type ImageRecord } from '../core/index.js';
import { formatReference, parseReference, type ImageReference, type ImageService } from '../image/index.js';
import { AuthStore, type Credentials } from './auth-store.js';
import { parsePlatform } from './manifest.js';
import type { ProgressSink } from './progress.js';
import { pullImage, resolveManifest, type ResolvedManifest } from './pull.js';
import { pushImage } from './push.js';
import { DEFAULT_SEARCH_REGISTRIES, candidateReferences } from './short-names.js';
import { Transport } from './transport.js';

export interface RegistryServiceOptions {
  root: string;
  images: ImageService;
  /** Registries spoken to without TLS verification (plain HTTP if they do not speak TLS); loopback always is. */
  insecureRegistries?: string[];
  /** Registries asked in order for a name without a registry host (default docker.io only). */
  searchRegistries?: string[];
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

  /** The fully qualified names a pull of `text` tries, in order (one unless it is a short name). */
  candidates(text: string): string[] {
    return candidateReferences(text, this.opts.searchRegistries ?? DEFAULT_SEARCH_REGISTRIES).map(formatReference);
  }

  async pull(text: string, opts: TransferOptions & { platform?: string } = {}): Promise<ImageRecord> {
    const platform = parsePlatform(opts.platform);
    const progress = opts.progress ?? (() => undefined);
    const refs = candidateReferences(text, this.opts.searchRegistries ?? DEFAULT_SEARCH_REGISTRIES);
    if (refs.length === 1) {
      const ref = refs[0]!;
      return pullImage(await this.transport(ref.domain, opts.tlsVerify), this.opts.images, { ref, platform, progress });
    }
    // A short name and several search registries: the first that has a manifest for it wins. Only finding the
    // manifest moves on to the next registry; a failure after that (a bad layer) is that pull's failure.
    const misses: Array<{ ref: ImageReference; err: unknown }> = [];
    for (const ref of refs) {
      const name = formatReference(ref);
      progress({ id: text, status: `Trying ${name}` });
      const t = await this.transport(ref.domain, opts.tlsVerify);
      let resolved: ResolvedManifest;
      try {
        resolved = await resolveManifest(t, { ref, platform }, `pull ${name}`);
      } catch (err) {
        misses.push({ ref, err });
        progress({ id: text, status: `Not in ${ref.domain}: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      progress({ id: text, status: `Resolved to ${name}` });
      return pullImage(t, this.opts.images, { ref, platform, progress, resolved });
    }
    const detail = misses.map((m) => `${m.ref.domain}: ${m.err instanceof Error ? m.err.message.replace(/^pull \S+: /, '') : String(m.err)}`).join('; ');
    const message = `image "${text}" was not found in any search registry (${detail})`;
    if (misses.every((m) => m.err instanceof NotFoundError)) throw new NotFoundError(message);
    throw new EngineError(errorKind(misses.find((m) => !(m.err instanceof NotFoundError))!.err), message);
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
