// Finding what a COPY/ADD reads: sources are paths relative to the context (or to another stage's root
// filesystem), may be globs, and never reach outside their root. Excluded context paths (.dockerignore) are
// invisible to COPY, as in docker.
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InvalidArgumentError, NotFoundError, errnoCode } from '../core/index.js';
import { globToRegExp, type IgnoreMatcher } from './ignore.js';

const GLOB = /[*?[]/;

function cleanSource(src: string): string {
  const p = posix.normalize(`/${src}`).replace(/^\/+/, '').replace(/\/+$/, '');
  if (p.startsWith('..')) throw new InvalidArgumentError(`source "${src}" is outside the build context`);
  return p === '' ? '.' : p;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, (err) => { if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false; throw err; });
}

/** Relative paths the source patterns name, in order; a pattern that matches nothing is an error. */
export async function resolveSources(root: string, patterns: string[], ignore: IgnoreMatcher | undefined, where: string): Promise<string[]> {
  const out: string[] = [];
  for (const raw of patterns) {
    const src = cleanSource(raw);
    const hits: string[] = [];
    if (!GLOB.test(src)) {
      if (await exists(join(root, src)) && !(ignore?.ignored(src) && src !== '.')) hits.push(src);
    } else {
      await globWalk(root, '', src.split('/'), hits);
    }
    const visible = hits.filter((h) => !ignore?.ignored(h));
    if (visible.length === 0) throw new NotFoundError(`${raw}: no such file or directory in ${where}`);
    out.push(...visible);
  }
  return out;
}

async function globWalk(root: string, base: string, parts: string[], hits: string[]): Promise<void> {
  const [head, ...rest] = parts;
  if (head === undefined) { hits.push(base); return; }
  if (!GLOB.test(head)) {
    const next = base ? `${base}/${head}` : head;
    if (await exists(join(root, next))) await globWalk(root, next, rest, hits);
    return;
  }
  const re = new RegExp(`^${globToRegExp(head)}$`);
  let names: string[];
  try { names = (await readdir(join(root, base || '.'))).sort(); } catch { return; }
  for (const n of names) if (re.test(n)) await globWalk(root, base ? `${base}/${n}` : n, rest, hits);
}
