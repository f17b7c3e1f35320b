// .dockerignore: one pattern a line, "#" comments, "!" exceptions, "*", "?" and "**" globs. A pattern that
// matches a directory excludes everything under it; the last matching pattern decides, as in docker.
import { posix } from 'node:path';

interface Rule { re: RegExp; exclude: boolean }

export function globToRegExp(pattern: string): string {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else { re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`; i = end; }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return re;
}

export class IgnoreMatcher {
  private readonly rules: Rule[];

  constructor(text: string) {
    this.rules = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
      const exclude = !l.startsWith('!');
      const p = posix.normalize((exclude ? l : l.slice(1)).trim()).replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
      return { re: new RegExp(`^${globToRegExp(p)}(?:/.*)?$`), exclude };
    });
  }

  get empty(): boolean { return this.rules.length === 0; }

  /** Whether a context path (relative, "/"-separated) is excluded. */
  ignored(rel: string): boolean {
    let out = false;
    for (const r of this.rules) if (r.re.test(rel)) out = r.exclude;
    return out;
  }
}
