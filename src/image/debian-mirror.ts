// Which Debian mirror the host's apt uses: the first `deb` source (one-line sources.list and *.list, or deb822
// *.sources) that carries the main component of a plain suite (not -security/-updates/-backports, which are
// not complete archives). Offline hosts point apt at a local mirror or proxy; debootstrap must use the same.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../core/index.js';

export interface AptSource { uri: string; suites: string[]; components: string[] }

const APT_DIR = '/etc/apt';

/** One-line format: `deb [arch=amd64 signed-by=…] http://deb.debian.org/debian bookworm main contrib`. */
export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) out.push({ uri, suites: [suite], components });
  }
  return out;
}

/** deb822 format: stanzas of `Types:`, `URIs:`, `Suites:`, `Components:` separated by blank lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line.replace(/#.*/, ''));
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    if (fields.get('enabled')?.toLowerCase() === 'no') continue;
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components') });
  }
  return out;
}

/** All deb sources apt reads, in apt's order: sources.list first, then sources.list.d/ sorted by name. */
export async function aptSources(dir = APT_DIR): Promise<AptSource[]> {
  const sources = parseOneLineSources(await readFile(join(dir, 'sources.list'), 'utf8').catch(() => ''));
  const d = join(dir, 'sources.list.d');
  for (const f of (await readdir(d).catch(() => [] as string[])).sort()) {
    if (f.endsWith('.list')) sources.push(...parseOneLineSources(await readFile(join(d, f), 'utf8')));
    else if (f.endsWith('.sources')) sources.push(...parseDeb822Sources(await readFile(join(d, f), 'utf8')));
  }
  return sources;
}

/** The URI of the host's Debian archive (main, not a -security/-updates suite). */
export async function debianMirror(dir = APT_DIR): Promise<string> {
  const plain = (s: string) => !/-(security|updates|backports|proposed-updates)$/.test(s) && !s.includes('/');
  const hit = (await aptSources(dir)).find((s) => s.components.includes('main') && s.suites.some(plain) && !/security/.test(s.uri));
  if (!hit) throw new NotFoundError(`no Debian mirror with "main" found in ${dir}/sources.list or ${dir}/sources.list.d/`);
  return hit.uri;
}
