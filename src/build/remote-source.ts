// ADD <url>: the daemon downloads the file (http or https, redirects followed) into the build's work dir, hashing
// it on the way; `--checksum=sha256:…` must match. As in docker the file is not unpacked, its mode is 0600 unless
// --chmod says otherwise, and its mtime is the Last-Modified the server sent. Its content goes into the step's
// cache key like a local file's, so a changed remote file reruns the step and an unchanged one is a cache hit.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, utimes } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, wrap } from '../core/index.js';

const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 60_000;

export function isRemoteSource(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** The file name a URL gives ("…/dl/tool.tar.gz" → "tool.tar.gz"); undefined when its path ends in "/". */
export function urlFileName(url: string): string | undefined {
  const name = posix.basename(decodeURIComponent(new URL(url).pathname));
  return name && !new URL(url).pathname.endsWith('/') && name !== '..' && name !== '.' ? name : undefined;
}

function open(url: URL, hops = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = get(url, { headers: { 'User-Agent': 'bulkhead-build' } }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) return reject(new InvalidArgumentError(`ADD ${url.href}: more than ${MAX_REDIRECTS} redirects`));
        return resolve(open(new URL(res.headers.location, url), hops + 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(new InvalidArgumentError(`ADD ${url.href}: the server answered ${status} ${res.statusMessage ?? ''}`.trimEnd()));
      }
      resolve(res);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new InvalidArgumentError(`ADD ${url.href}: no answer for ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => reject(err instanceof InvalidArgumentError ? err : new InvalidArgumentError(`ADD ${url.href}: ${err.message}`, { cause: err })));
  });
}

/**
 * Downloads `url` to dir/name (name from the URL, or `name` when given); checks `checksum` (sha256:<hex>) if any.
 * On any failure the partial file is removed. Returns the digest of what was downloaded.
 */
export async function downloadSource(url: string, dir: string, name: string, checksum?: string): Promise<string> {
  if (checksum !== undefined && !/^sha256:[a-f0-9]{64}$/.test(checksum)) {
    throw new InvalidArgumentError(`invalid --checksum "${checksum}": expected sha256: and 64 hex digits`);
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  try {
    const res = await open(new URL(url));
    const hash = createHash('sha256');
    const tap = new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); cb(null, chunk); } });
    await pipeline(res, tap, createWriteStream(file, { flags: 'wx', mode: 0o600 })).catch((err) => { throw wrap(err, `download ${url}`); });
    const digest = `sha256:${hash.digest('hex')}`;
    if (checksum !== undefined && digest !== checksum) {
      throw new InvalidArgumentError(`ADD ${url}: checksum mismatch: expected ${checksum}, downloaded ${digest}`);
    }
    const modified = Date.parse(res.headers['last-modified'] ?? '');
    if (Number.isFinite(modified)) await utimes(file, new Date(modified), new Date(modified));
    return digest;
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/**
 * Downloads the URL sources of one ADD into dir and returns their file names there (the sources planCopy then
 * reads). A URL whose path names no file is saved under the destination's name, which must then be a file path.
 */
export async function fetchRemoteSources(urls: string[], dest: string, dir: string, checksum?: string): Promise<string[]> {
  if (checksum !== undefined && urls.length !== 1) throw new InvalidArgumentError('ADD --checksum needs exactly one URL source');
  const names: string[] = [];
  for (const url of urls) {
    let name = urlFileName(url);
    if (name === undefined) {
      if (urls.length > 1 || dest.endsWith('/')) {
        throw new InvalidArgumentError(`ADD ${url}: the URL names no file: give the destination as a file path, e.g. ADD ${url} /path/file`);
      }
      name = posix.basename(dest);
    }
    if (names.includes(name)) throw new InvalidArgumentError(`ADD: two URLs give the same file name "${name}"`);
    await downloadSource(url, dir, name, checksum);
    names.push(name);
  }
  return names;
}
