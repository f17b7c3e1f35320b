// Image references as Docker users type them, normalised the way the Docker CLI does ("busybox" means
// "docker.io/library/busybox:latest"), following the grammar of distribution/reference.
import { InvalidArgumentError } from '../core/index.js';

export const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';

const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

export interface ImageReference {
  domain: string;       // "docker.io", "localhost:5000"
  path: string;         // "library/busybox"
  tag?: string;
  digest?: string;      // "sha256:…"
}

/** "docker.io/library/busybox" */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

function invalid(text: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid reference format "${text}": ${why}`);
}

/** Parses and normalises a reference; a reference without tag or digest gets ":latest". */
export function parseReference(text: string): ImageReference {
  if (text.length === 0) throw invalid(text, 'empty reference');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalid(text, 'digest must be sha256: followed by 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(text, `tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = parts.shift()!;
    if (!DOMAIN_RE.test(domain)) throw invalid(text, `"${domain}" is not a valid registry host`);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  for (const c of parts) {
    if (c !== c.toLowerCase()) throw invalid(text, 'repository name must be lowercase');
    if (!COMPONENT_RE.test(c)) throw invalid(text, `"${c}" is not a valid repository name component`);
  }
  let path = parts.join('/');
  if (domain === DEFAULT_DOMAIN && parts.length === 1) path = OFFICIAL_PREFIX + path;
  if (`${domain}/${path}`.length > MAX_NAME_LENGTH) throw invalid(text, `repository name longer than ${MAX_NAME_LENGTH} characters`);
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { domain, path, tag, digest };
}

/** The normalised string form: "docker.io/library/busybox:latest". */
export function normalizeReference(text: string): string {
  return formatReference(parseReference(text));
}

/** Whether the text names no registry host: its first path component is not a host (has no "." or ":",
 *  is not "localhost" and is lowercase), or there is only one component. */
export function isShortName(text: string): boolean {
  const name = text.replace(/@.*$/, '');
  const slash = name.indexOf('/');
  if (slash < 0) return true;
  const first = name.slice(0, slash);
  return !(first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
}

/** A tag reference for naming an image (tag, commit, import): digests cannot be assigned, ids are not names. */
export function parseTagReference(text: string): string {
  if (/^(sha256:)?[a-f0-9]{64}$/.test(text)) {
    throw new InvalidArgumentError(`invalid repository name "${text}": cannot use a 64-character hexadecimal string as a name`);
  }
  const ref = parseReference(text);
  if (ref.digest) throw new InvalidArgumentError(`invalid tag "${text}": an image can only be tagged with name:tag, not a digest`);
  return formatReference(ref);
}

/** Shortens a normalised name for display as docker does: "docker.io/library/busybox:latest" → "busybox:latest". */
export function familiarName(name: string): string {
  if (name.startsWith(`${DEFAULT_DOMAIN}/${OFFICIAL_PREFIX}`)) return name.slice(DEFAULT_DOMAIN.length + 1 + OFFICIAL_PREFIX.length);
  if (name.startsWith(`${DEFAULT_DOMAIN}/`)) return name.slice(DEFAULT_DOMAIN.length + 1);
  return name;
}

/** "busybox:latest" → { repo: "busybox", tag: "latest" } in familiar form, for docker-archive RepoTags and listings. */
export function splitFamiliar(name: string): { repo: string; tag: string } {
  const ref = parseReference(name);
  return { repo: familiarName(repositoryName(ref)), tag: ref.tag ?? '<none>' };
}
